// Concurrency (issue 7.3): eight tandem processes running three different models are
// released at the same instant on a cache directory that does not exist yet, on each GPU
// backend. All succeed with the reference's outputs; afterwards every cache file verifies
// clean and holds what all three models need: each model run again is a hit that writes
// nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <set>

#include "core/cache/cache_file.h"
#include "tests/reliability/tandem_runs.h"

namespace tandem::reliability {
namespace {

namespace fs = std::filesystem;

constexpr int kProcesses = 8;
const char* const kModels[] = {"conv_relu.onnx", "gemm_softmax.onnx", "pool_add.onnx"};

class Concurrency : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!backend_has_device(GetParam())) GTEST_SKIP() << "no " << GetParam() << " device";
  }

  std::vector<std::string> cache_files() const {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(cache_dir_)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("tandem_", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".bin") {
        files.push_back(entry.path().string());
      }
    }
    return files;
  }

  // Every run, the warm-up included, shares pocl's kernel cache: the eight then compile in
  // tenths of a second and overlap the more (tandem's cache is still empty for them).
  ChildOptions options_for(const std::string& model, const std::string& outputs,
                           const std::string& cache_dir) const {
    ChildOptions options = tandem_options(run_args(test_model(model), GetParam(), outputs), cache_dir);
    use_pocl_kernel_cache(options, pocl_cache_.path());
    return options;
  }

  ScratchDir scratch_;
  ScratchDir pocl_cache_;
  // Not there yet: the eight processes race to create it too.
  std::string cache_dir_ = scratch_ / "cache/tandem";
};

TEST_P(Concurrency, EightProcessesThreeModelsOneEmptyCacheDirectory) {
  std::vector<std::string> references;
  for (const char* model : kModels) {
    references.push_back(reference_outputs(test_model(model)));
    const TandemRun warm_up = run_tandem_child(options_for(model, scratch_ / "warm-up", scratch_ / "warm-up-cache"));
    ASSERT_TRUE(warm_up.child.exited_cleanly()) << warm_up.describe();
  }

  StartGate gate;
  std::vector<std::unique_ptr<ChildProcess>> children;
  for (int i = 0; i < kProcesses; ++i) {
    ChildOptions options = options_for(kModels[i % 3], scratch_ / ("out-" + std::to_string(i)), cache_dir_);
    options.before_exec = [&gate] { return gate.wait_in_child(); };
    children.push_back(std::make_unique<ChildProcess>(options));
  }
  gate.release();
  for (int i = 0; i < kProcesses; ++i) {
    const TandemRun run = parse_run(children[static_cast<std::size_t>(i)]->wait(std::chrono::minutes(4)));
    SCOPED_TRACE("process " + std::to_string(i) + " running " + kModels[i % 3]);
    ASSERT_TRUE(run.child.exited_cleanly()) << run.describe();
    // Nobody may ever have seen a damaged or half-written file.
    const std::set<std::string> fine = {"miss", "partial", "hit"};
    EXPECT_TRUE(fine.count(run.cache_status())) << run.describe();
    EXPECT_EQ(compare_outputs(references[static_cast<std::size_t>(i % 3)],
                              scratch_ / ("out-" + std::to_string(i))), "");
  }

  struct stat info {};
  ASSERT_EQ(::stat(cache_dir_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u) << "the cache directory must be private";
  const std::vector<std::string> files = cache_files();
  ASSERT_FALSE(files.empty());
  std::map<std::string, std::vector<std::uint8_t>> bytes_after;
  for (const std::string& file : files) {
    bytes_after[file] = read_file_bytes(file);
    const CacheLoadResult parsed = parse_cache_bytes(bytes_after[file], nullptr);
    EXPECT_EQ(parsed.outcome, CacheLoadOutcome::Loaded) << file << ": " << parsed.reason;
    std::printf("%s: %s holds %zu entries\n", GetParam().c_str(), file.c_str(), parsed.entries.size());
    const ChildResult verify = run_child(tandem_options({"cache", "verify", file}, cache_dir_));
    EXPECT_TRUE(verify.exited_cleanly()) << verify.how_it_ended() << ": " << verify.err;
  }

  for (std::size_t m = 0; m < 3; ++m) {
    const std::string outputs = scratch_ / ("again-" + std::to_string(m));
    const TandemRun again = run_tandem_child(options_for(kModels[m], outputs, cache_dir_));
    ASSERT_TRUE(again.child.exited_cleanly()) << again.describe();
    EXPECT_EQ(again.cache_status(), "hit") << kModels[m] << ": " << again.describe();
    EXPECT_EQ(compare_outputs(references[m], outputs), "");
  }
  for (const std::string& file : files) {
    EXPECT_TRUE(read_file_bytes(file) == bytes_after[file])
        << file << " was rewritten by runs that should all have been hits";
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Concurrency, ::testing::Values("opencl", "vulkan"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace tandem::reliability
