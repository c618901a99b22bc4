// The compiled-program cache file on pocl: cold and warm runs, per-entry invalidation,
// stale and damaged files, read-only, off and shipped modes, and two writers at once.
// Outputs must be bit-for-bit identical however the programs were obtained.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/cache/cache_file.h"
#include "opencl/context.h"
#include "opencl/op_test_support.h"
#include "core/scoped_environment_test_support.h"
#include "core/temp_dir.h"
#include "opencl/program.h"
#include "opencl/program_cache.h"

extern char** environ;

namespace tandem::opencl {
namespace {

using namespace testing;
namespace fs = std::filesystem;

// pocl's own kernel cache hands back binaries that already hold the work-group code, which
// hides what BinariesAreSavedAfterTheFirstRun looks for (our cache adding it after the first
// run). ci/env.sh turns it off; so does this process, before its first OpenCL call, for runs
// without ci/env.sh.
[[maybe_unused]] const bool kPoclKernelCacheOff = setenv("POCL_KERNEL_CACHE", "0", 1) == 0;

// Two nodes from two op families, so the plan needs two programs (eltwise.cl, softmax.cl).
struct TwoProgramModel {
  Graph graph;
  std::vector<Tensor> inputs;

  TwoProgramModel() {
    std::mt19937 rng(101);
    inputs = {random_tensor(rng, {3, 13}), random_tensor(rng, {5, 31})};
    add_test_node(graph, "a_", "Relu", {runtime(inputs[0])}, {}, 1);
    add_test_node(graph, "b_", "Softmax", {runtime(inputs[1])}, {}, 1);
  }
};

struct CompileResult {
  CacheReport report;
  std::vector<Tensor> outputs;
};

CompileResult compile_and_run(const Graph& graph, const std::vector<Tensor>& inputs,
                              const CacheConfig& cache) {
  std::vector<TensorInfo> infos;
  for (const Tensor& input : inputs) infos.push_back(input.info());
  PlanOptions plan_options;
  plan_options.optimize = false;
  const Plan plan = make_plan(graph, infos, plan_options);
  CompileOptions options;
  options.cache = cache;
  std::unique_ptr<Executable> executable =
      BackendRegistry::instance().create("opencl")->compile(plan, test_device(), options);
  return {executable->cache_report(), executable->run(inputs)};
}

CompileResult compile_model(const CacheConfig& cache) {
  static const TwoProgramModel model;
  return compile_and_run(model.graph, model.inputs, cache);
}

CacheConfig cache_in(const std::string& dir, CacheMode mode = CacheMode::ReadWrite) {
  CacheConfig cache;
  cache.dir = dir;
  cache.mode = mode;
  return cache;
}

std::string status_of(const CompileResult& result) {
  return cache_status_name(result.report.status);
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

bool is_program(const CacheEntry& entry) { return entry.key.rfind("program|", 0) == 0; }

CacheLoadResult load(const std::string& path) {
  return read_cache_file(path, program_cache_header(test_device()));
}

// The outputs of an uncached compile: what every cached variant must reproduce exactly.
const std::vector<Tensor>& uncached_outputs() {
  static const std::vector<Tensor> outputs = compile_model(cache_in("", CacheMode::Off)).outputs;
  return outputs;
}

TEST(ProgramCache, ColdThenWarm) {
  TempDir dir;
  const CompileResult cold = compile_model(cache_in(dir.path()));
  EXPECT_EQ(status_of(cold), "miss") << cold.report.reason;
  EXPECT_EQ(cold.report.path, program_cache_path(dir.path(), test_device()));
  const CacheLoadResult file = load(cold.report.path);
  ASSERT_EQ(file.outcome, CacheLoadOutcome::Loaded) << file.reason;
  // NVIDIA's driver adds each program's cubin (opencl/cubin_upgrade.h): its own test.
  const auto programs = std::count_if(file.entries.begin(), file.entries.end(), is_program);
  EXPECT_EQ(programs, 2);
  for (const CacheEntry& entry : file.entries) {
    EXPECT_TRUE(is_program(entry) || entry.key.rfind("cubin|", 0) == 0) << entry.key;
    EXPECT_FALSE(entry.payload.empty());
  }
  const CompileResult warm = compile_model(cache_in(dir.path()));
  EXPECT_EQ(status_of(warm), "hit") << warm.report.reason;
  expect_identical(cold.outputs, warm.outputs);
  expect_identical(cold.outputs, uncached_outputs());
}

// build_programs directly, so one request can carry a different build option.
class ProgramBuilds : public ::testing::Test {
 protected:
  void SetUp() override {
    device_ = find_device(test_device());
    context_ = shared_context(device_);
  }
  BuiltPrograms build(const CacheConfig& cache, const std::vector<ProgramRequest>& requests) {
    return build_programs(context_.get(), device_, cache, requests);
  }
  ClDevice device_;
  ClContext context_;
};

TEST_F(ProgramBuilds, ChangedBuildOptionInvalidatesOnlyItsEntry) {
  TempDir dir;
  std::vector<ProgramRequest> requests = {embedded_program("eltwise.cl"),
                                          embedded_program("softmax.cl")};
  EXPECT_EQ(cache_status_name(build(cache_in(dir.path()), requests).report.status),
            std::string("miss"));
  requests[1].build_options += " -DTANDEM_TEST_OPTION=1";
  const BuiltPrograms changed = build(cache_in(dir.path()), requests);
  EXPECT_EQ(cache_status_name(changed.report.status), std::string("partial"))
      << changed.report.reason;
  EXPECT_NE(changed.report.reason.find("compiled softmax.cl"), std::string::npos)
      << changed.report.reason;
  EXPECT_EQ(changed.report.reason.find("eltwise.cl"), std::string::npos) << changed.report.reason;
  EXPECT_EQ(changed.by_file.size(), 2u);
  const CacheLoadResult file = load(changed.report.path);
  ASSERT_EQ(file.outcome, CacheLoadOutcome::Loaded);
  EXPECT_EQ(file.entries.size(), 3u);  // both softmax variants stay: either may come back
  EXPECT_EQ(cache_status_name(build(cache_in(dir.path()), requests).report.status),
            std::string("hit"));
}

// Programs built from source on several threads: the report and the cache file list them
// in request order, each program works, and a failed build throws its own error (the
// first failed request's) after the others finished.
TEST_F(ProgramBuilds, SourceBuildsOnSeveralThreadsKeepRequestOrder) {
  const tandem::testing::ScopedEnvironment threads("TANDEM_OPENCL_BUILD_THREADS", "3");
  TempDir dir;
  std::vector<ProgramRequest> requests = {embedded_program("softmax.cl"),
                                          embedded_program("eltwise.cl"),
                                          embedded_program("pool.cl")};
  const BuiltPrograms built = build(cache_in(dir.path()), requests);
  EXPECT_NE(built.report.reason.find("compiled softmax.cl, eltwise.cl, pool.cl"),
            std::string::npos)
      << built.report.reason;
  ASSERT_EQ(built.by_file.size(), 3u);
  for (const auto& [file, program] : built.by_file) EXPECT_TRUE(program) << file;
  EXPECT_EQ(load(built.report.path).entries.size(), 3u);
  std::vector<ProgramRequest> broken = requests;
  broken[1].file = "broken_one.cl";
  broken[1].source += "\nkernel void broken_one( {";
  broken[2].file = "broken_two.cl";
  broken[2].source += "\nkernel void broken_two( {";
  try {
    build(cache_in(dir.path()), broken);
    ADD_FAILURE() << "a program that cannot build must throw";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("broken_one.cl"), std::string::npos) << error.what();
  }
}

// A plan's programs hold the kernels it launches and no others (NVIDIA JIT-compiles every
// kernel of a cached program at each load): the Relu + Softmax model launches eltwise.cl's
// unary and softmax.cl's softmax_lines, each file having two or three kernels.
TEST_F(ProgramBuilds, ProgramsHoldOnlyTheKernelsThePlanLaunches) {
  TempDir dir;
  const CacheLoadResult loaded = load(compile_model(cache_in(dir.path())).report.path);
  ASSERT_EQ(loaded.outcome, CacheLoadOutcome::Loaded) << loaded.reason;
  std::map<std::string, std::string> kernels_by_file;
  for (const CacheEntry& entry : loaded.entries) {
    if (entry.key.rfind("program|", 0) != 0) continue;
    const std::string file = entry.key.substr(8, entry.key.find('|', 8) - 8);
    const std::string options = entry.key.substr(entry.key.rfind('|') + 1);
    std::string why;
    const ClProgram program =
        build_from_binary(context_.get(), device_.device, entry.payload, options, why);
    ASSERT_TRUE(program) << entry.key << ": " << why;
    char names[256] = {};
    ASSERT_EQ(clGetProgramInfo(program.get(), CL_PROGRAM_KERNEL_NAMES, sizeof(names), names,
                               nullptr),
              CL_SUCCESS);
    kernels_by_file[file] = names;
  }
  const std::map<std::string, std::string> expected = {{"eltwise.cl", "unary"},
                                                       {"softmax.cl", "softmax_lines"}};
  EXPECT_EQ(kernels_by_file, expected);
  const ProgramRequest whole = embedded_program("softmax.cl");
  const BuiltPrograms built = build(cache_in("", CacheMode::Off), {whole});
  char names[256] = {};
  clGetProgramInfo(built.by_file.at("softmax.cl").get(), CL_PROGRAM_KERNEL_NAMES, sizeof(names),
                   names, nullptr);
  EXPECT_EQ(std::string(names), "softmax_lines;softmax_lines_wide");
}

TEST_F(ProgramBuilds, CacheKeyNamesFileSourceHashAndOptions) {
  const ProgramRequest request = embedded_program("conv.cl");
  const std::string key = request.cache_key();
  EXPECT_EQ(key.rfind("program|conv.cl|", 0), 0u) << key;
  EXPECT_EQ(key.substr(key.size() - request.build_options.size()), request.build_options);
  ProgramRequest edited = request;
  edited.source += "\n// one more line";
  edited.source_hash ^= 1;
  EXPECT_NE(edited.cache_key(), key);
  EXPECT_NE(embedded_program("gemm.cl").cache_key(), key);
}

TEST(ProgramCache, EditedIdentityFieldInvalidatesTheFile) {
  TempDir dir;
  const std::string path = compile_model(cache_in(dir.path())).report.path;
  CacheLoadResult parsed = parse_cache_bytes(read_bytes(path), nullptr);
  ASSERT_EQ(parsed.outcome, CacheLoadOutcome::Loaded) << parsed.reason;
  bool edited = false;
  for (auto& [key, value] : parsed.header.identity) {
    if (key == "driver_version") {
      value = "0.0-edited";
      edited = true;
    }
  }
  ASSERT_TRUE(edited);
  write_bytes(path, serialize_cache(parsed.header, parsed.entries));
  const CompileResult stale = compile_model(cache_in(dir.path()));
  EXPECT_EQ(status_of(stale), "invalidated") << stale.report.reason;
  EXPECT_NE(stale.report.reason.find("0.0-edited"), std::string::npos) << stale.report.reason;
  expect_identical(stale.outputs, uncached_outputs());
  EXPECT_EQ(load(path).outcome, CacheLoadOutcome::Loaded);  // rewritten for this driver
  EXPECT_EQ(status_of(compile_model(cache_in(dir.path()))), "hit");
}

// Each way a file can be damaged: the compile recovers with identical outputs and leaves
// a valid file that the next compile hits.
TEST(ProgramCache, DamagedFilesAreRecovered) {
  const struct {
    const char* name;
    void (*damage)(const std::string& path);
  } kinds[] = {
      {"truncated",
       [](const std::string& path) {
         std::vector<std::uint8_t> bytes = read_bytes(path);
         bytes.resize(bytes.size() / 2);
         write_bytes(path, bytes);
       }},
      {"random bytes",
       [](const std::string& path) {
         std::mt19937 rng(7);
         std::vector<std::uint8_t> bytes(4096);
         for (std::uint8_t& byte : bytes) byte = static_cast<std::uint8_t>(rng());
         write_bytes(path, bytes);
       }},
      {"zero length", [](const std::string& path) { write_bytes(path, {}); }},
      {"directory in its place",
       [](const std::string& path) {
         fs::remove(path);
         fs::create_directory(path);
       }},
      {"writable by others", [](const std::string& path) { ::chmod(path.c_str(), 0666); }},
  };
  for (const auto& kind : kinds) {
    SCOPED_TRACE(kind.name);
    TempDir dir;
    const std::string path = compile_model(cache_in(dir.path())).report.path;
    kind.damage(path);
    const CompileResult recovered = compile_model(cache_in(dir.path()));
    EXPECT_EQ(status_of(recovered), "recovered") << recovered.report.reason;
    expect_identical(recovered.outputs, uncached_outputs());
    const CacheLoadResult file = load(path);
    EXPECT_EQ(file.outcome, CacheLoadOutcome::Loaded) << file.reason;
    EXPECT_EQ(status_of(compile_model(cache_in(dir.path()))), "hit");
  }
}

// A binary with a valid container checksum that the driver refuses.
TEST(ProgramCache, BinaryRejectedByTheDriverIsRebuilt) {
  TempDir dir;
  const std::string path = compile_model(cache_in(dir.path())).report.path;
  CacheLoadResult parsed = load(path);
  ASSERT_EQ(parsed.outcome, CacheLoadOutcome::Loaded);
  for (CacheEntry& entry : parsed.entries) {
    if (entry.key.find("softmax.cl") == std::string::npos) continue;
    std::mt19937 rng(8);
    for (std::uint8_t& byte : entry.payload) byte = static_cast<std::uint8_t>(rng());
  }
  write_bytes(path, serialize_cache(parsed.header, parsed.entries));
  ASSERT_EQ(load(path).outcome, CacheLoadOutcome::Loaded);
  const CompileResult rebuilt = compile_model(cache_in(dir.path()));
  EXPECT_EQ(status_of(rebuilt), "recovered") << rebuilt.report.reason;
  EXPECT_NE(rebuilt.report.reason.find("softmax.cl"), std::string::npos) << rebuilt.report.reason;
  expect_identical(rebuilt.outputs, uncached_outputs());
  EXPECT_EQ(status_of(compile_model(cache_in(dir.path()))), "hit");
}

TEST(ProgramCache, ReadOnlyModeNeverWrites) {
  TempDir dir;
  const CompileResult cold = compile_model(cache_in(dir.path(), CacheMode::ReadOnly));
  EXPECT_EQ(status_of(cold), "miss");
  EXPECT_NE(cold.report.reason.find("read-only"), std::string::npos) << cold.report.reason;
  EXPECT_FALSE(fs::exists(cold.report.path));
  compile_model(cache_in(dir.path()));  // warm it read-write
  const std::vector<std::uint8_t> before = read_bytes(cold.report.path);
  const CompileResult warm = compile_model(cache_in(dir.path(), CacheMode::ReadOnly));
  EXPECT_EQ(status_of(warm), "hit") << warm.report.reason;
  EXPECT_NE(warm.report.reason.find("read-only"), std::string::npos);
  EXPECT_EQ(read_bytes(cold.report.path), before);
  expect_identical(warm.outputs, uncached_outputs());
}

TEST(ProgramCache, OffModeTouchesNothing) {
  TempDir dir;
  const CompileResult off = compile_model(cache_in(dir.path(), CacheMode::Off));
  EXPECT_EQ(status_of(off), "off");
  EXPECT_TRUE(fs::is_empty(dir.path()));
  expect_identical(off.outputs, uncached_outputs());
}

TEST(ProgramCache, ShippedFileIsReadFirstAndNeverWritten) {
  TempDir shipped_dir;
  TempDir dir;
  const std::string shipped = compile_model(cache_in(shipped_dir.path())).report.path;
  CacheConfig cache = cache_in(dir.path());
  cache.shipped = shipped;
  const CompileResult from_shipped = compile_model(cache);
  EXPECT_EQ(status_of(from_shipped), "hit") << from_shipped.report.reason;
  EXPECT_FALSE(fs::exists(from_shipped.report.path));  // nothing compiled, nothing to write
  write_bytes(shipped, {1, 2, 3});                     // a broken shipped file is only ignored
  const CompileResult broken = compile_model(cache);
  EXPECT_EQ(status_of(broken), "miss") << broken.report.reason;
  EXPECT_EQ(read_bytes(shipped), (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ(load(broken.report.path).outcome, CacheLoadOutcome::Loaded);
  expect_identical(broken.outputs, uncached_outputs());
}

// The child half of TwoWritersKeepBothEntries: runs only when spawned with its variables.
TEST(ProgramCacheChild, CompileOneOp) {
  const char* dir = std::getenv("TANDEM_TEST_CACHE_DIR");
  const char* op = std::getenv("TANDEM_TEST_CACHE_OP");
  if (!dir || !op) GTEST_SKIP() << "spawned by ProgramCache.TwoWritersKeepBothEntries";
  std::mt19937 rng(9);
  const Tensor x = random_tensor(rng, {4, 9});
  const Graph graph = single_node_graph(op, {runtime(x)}, {});
  EXPECT_EQ(status_of(compile_and_run(graph, {x}, cache_in(dir))), "miss");
}

pid_t spawn_child(const std::string& dir, const std::string& op) {
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> environment = {"TANDEM_TEST_CACHE_DIR=" + dir,
                                          "TANDEM_TEST_CACHE_OP=" + op};
  for (char** entry = environ; *entry; ++entry) environment.emplace_back(*entry);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string filter = "--gtest_filter=ProgramCacheChild.CompileOneOp";
  char* argv[] = {const_cast<char*>(self.c_str()), filter.data(), nullptr};
  pid_t pid = 0;
  check(::posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, envp.data()) == 0,
        "posix_spawn failed");
  return pid;
}

// Two processes compile different programs into the same cold cache at the same time
// (spawned rather than forked: pocl's threads do not survive a fork). The lock and the
// merge on write must keep both entries.
TEST(ProgramCache, TwoWritersKeepBothEntries) {
  TempDir dir;
  const pid_t first = spawn_child(dir.path(), "Relu");
  const pid_t second = spawn_child(dir.path(), "Softmax");
  for (pid_t pid : {first, second}) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child exited with " << status;
  }
  const CacheLoadResult file = load(program_cache_path(dir.path(), test_device()));
  ASSERT_EQ(file.outcome, CacheLoadOutcome::Loaded) << file.reason;
  std::vector<std::string> programs;
  for (const CacheEntry& entry : file.entries) {
    if (is_program(entry)) programs.push_back(entry.key.substr(8, entry.key.find('|', 8) - 8));
  }
  std::sort(programs.begin(), programs.end());
  EXPECT_EQ(programs, (std::vector<std::string>{"eltwise.cl", "softmax.cl"}));
  EXPECT_EQ(status_of(compile_model(cache_in(dir.path()))), "hit");
}

// pocl adds the work-group code it compiles at a kernel's first launch to the program
// binary, so binaries are written after the first run: an executable that ran leaves larger
// binaries than one that never did (whose binaries are still saved, when it is destroyed).
TEST(ProgramCache, BinariesAreSavedAfterTheFirstRun) {
  // NVIDIA's PTX is the same before and after a run (measured on the H100): nothing to see.
  if (test_device_is_nvidia()) {
    GTEST_SKIP() << "pocl's behaviour; " << test_device().name << " adds nothing at a first run";
  }
  const TwoProgramModel model;
  std::vector<TensorInfo> infos;
  for (const Tensor& input : model.inputs) infos.push_back(input.info());
  PlanOptions plan_options;
  plan_options.optimize = false;
  const Plan plan = make_plan(model.graph, infos, plan_options);
  std::map<std::string, std::size_t> sizes[2];
  for (int ran = 0; ran < 2; ++ran) {
    TempDir dir;
    CompileOptions options;
    options.cache = cache_in(dir.path());
    {
      std::unique_ptr<Executable> executable =
          BackendRegistry::instance().create("opencl")->compile(plan, test_device(), options);
      if (ran) executable->run(model.inputs);
    }
    const CacheLoadResult file = load(program_cache_path(dir.path(), test_device()));
    ASSERT_EQ(file.outcome, CacheLoadOutcome::Loaded) << file.reason;
    for (const CacheEntry& entry : file.entries) sizes[ran][entry.key] = entry.payload.size();
  }
  ASSERT_EQ(sizes[0].size(), 2u);
  for (const auto& [key, size] : sizes[0]) {
    ASSERT_EQ(sizes[1].count(key), 1u) << key;
    EXPECT_GT(sizes[1][key], size) << key << ": no work-group code added by the first run";
  }
}

}  // namespace
}  // namespace tandem::opencl
