// The persisted pipeline cache on lavapipe: cold then warm, invalidation by identity and by
// shader changes, every kind of damage recovered from, read-only/off/shipped modes, and two
// processes writing at once. Each scenario also checks the outputs against the reference.
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "core/cache/cache_file.h"
#include "core/cache/test_scratch_directory.h"
#include "core/graph_test_support.h"
#include "core/planner.h"
#include "core/reference_backend.h"
#include "vulkan/op_test_support.h"
#include "vulkan/pipeline_cache.h"

extern char** environ;

namespace tandem::vulkan::testing {
namespace {

using tandem::testing::add_graph_input;
using tandem::testing::append_node;
using tandem::testing::read_bytes;
using tandem::testing::ScratchDirectory;
using tandem::testing::write_bytes;

// A small model touching two shader families: y = Sigmoid(Relu(Conv(x, w, b)) + x), the
// Relu fused into the Conv on the device.
struct Model {
  Graph graph;
  std::vector<Tensor> inputs;
  std::vector<Tensor> reference;
};

Model make_model() {
  Model model;
  std::mt19937 rng(42);
  Graph& graph = model.graph;
  const ValueId input = add_graph_input(graph, "x", {1, 3, 8, 8});
  const ValueId weight = graph.add_constant("w", random_tensor(rng, {3, 3, 3, 3}));
  const ValueId bias = graph.add_constant("b", random_tensor(rng, {3}));
  const ValueId conv =
      append_node(graph, "Conv", {input, weight, bias},
                  attrs({{"pads", std::vector<std::int64_t>{1, 1, 1, 1}}}), "conv");
  const ValueId relu = append_node(graph, "Relu", {conv}, {}, "relu");
  const ValueId sum = append_node(graph, "Add", {relu, input}, {}, "sum");
  graph.outputs().push_back(append_node(graph, "Sigmoid", {sum}, {}, "y"));
  model.inputs = {random_tensor(rng, {1, 3, 8, 8}, -2.0f, 2.0f)};
  const Plan plan = make_plan(graph, {model.inputs[0].info()}, {});
  model.reference = run_reference(plan, model.inputs);
  return model;
}

const Model& model() {
  static const Model instance = make_model();
  return instance;
}

CacheConfig cache_in(const std::string& dir, CacheMode mode = CacheMode::ReadWrite) {
  CacheConfig cache;
  cache.dir = dir;
  cache.mode = mode;
  return cache;
}

// Runs the model with `cache`, checks the outputs against the reference (27-term float32
// sums, then two roundings: 1e-5) and returns the cache report and the outputs.
CompiledRun run_model(const CacheConfig& cache) {
  CompiledRun run = compile_and_run(model().graph, model().inputs, cache);
  EXPECT_EQ(run.outputs.size(), 1u);
  if (!run.outputs.empty()) {
    const Mismatch mismatch = compare(run.outputs[0], model().reference[0]);
    EXPECT_LE(mismatch.max_abs_error, 1e-5);
  }
  return run;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.bytes() == b.bytes() && std::equal(a.raw(), a.raw() + a.bytes(), b.raw());
}

CacheLoadResult parse_file(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_bytes(path);
  return parse_cache_bytes(bytes, nullptr);
}

// A file the container accepts, holding one "pipeline_cache" entry.
void expect_valid_file(const std::string& path) {
  const CacheLoadResult parsed = parse_file(path);
  ASSERT_EQ(parsed.outcome, CacheLoadOutcome::Loaded) << path << ": " << parsed.reason;
  EXPECT_EQ(parsed.header.kind, kPipelineCacheKind);
  ASSERT_EQ(parsed.entries.size(), 1u);
  EXPECT_EQ(parsed.entries[0].key, kPipelineCacheEntry);
  EXPECT_GE(parsed.entries[0].payload.size(), 32u);
}

class PipelineCacheTest : public VulkanTest {
 protected:
  // A cold run: the file does not exist yet; returns its path.
  std::string cold_run() {
    cold_ = run_model(cache_in(dir_.path()));
    EXPECT_EQ(cold_.report.status, CacheStatus::Miss) << cold_.report.reason;
    EXPECT_EQ(cold_.report.path.rfind(dir_.path() + "/tandem_vk_pipeline_cache.", 0), 0u);
    expect_valid_file(cold_.report.path);
    return cold_.report.path;
  }

  // After damage or invalidation: the expected status, outputs identical to the cold run,
  // a valid file again, and a hit on the run after.
  void expect_rebuilt(CacheStatus status, const std::string& reason_part) {
    const CompiledRun run = run_model(cache_in(dir_.path()));
    EXPECT_EQ(run.report.status, status) << run.report.reason;
    EXPECT_NE(run.report.reason.find(reason_part), std::string::npos) << run.report.reason;
    EXPECT_TRUE(same_bits(run.outputs[0], cold_.outputs[0]));
    expect_valid_file(run.report.path);
    const CompiledRun again = run_model(cache_in(dir_.path()));
    EXPECT_EQ(again.report.status, CacheStatus::Hit) << again.report.reason;
  }

  // Rewrites the file with one identity field changed (a valid container otherwise).
  void change_identity(const std::string& path, const std::string& field) {
    CacheLoadResult parsed = parse_file(path);
    ASSERT_EQ(parsed.outcome, CacheLoadOutcome::Loaded);
    bool found = false;
    for (auto& [name, value] : parsed.header.identity) {
      if (name == field) {
        value += "-changed";
        found = true;
      }
    }
    ASSERT_TRUE(found) << "no identity field " << field;
    write_bytes(path, serialize_cache(parsed.header, parsed.entries));
  }

  ScratchDirectory dir_;
  CompiledRun cold_;
};

TEST_F(PipelineCacheTest, ColdThenWarm) {
  const std::string path = cold_run();
  const CompiledRun warm = run_model(cache_in(dir_.path()));
  EXPECT_EQ(warm.report.status, CacheStatus::Hit) << warm.report.reason;
  EXPECT_EQ(warm.report.path, path);
  EXPECT_TRUE(same_bits(warm.outputs[0], cold_.outputs[0]));
  expect_valid_file(path);
}

TEST_F(PipelineCacheTest, HeaderNamesThisDeviceAndDriver) {
  const CacheLoadResult parsed = parse_file(cold_run());
  std::vector<std::string> names;
  for (const auto& [name, value] : parsed.header.identity) names.push_back(name);
  for (const char* field :
       {"vendor_id", "device_id", "driver_version", "driver_id", "driver_name_info_hash",
        "pipeline_cache_uuid", "pointer_bits", "spirv_hash"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), field), names.end()) << field;
  }
  EXPECT_EQ(parsed.header.engine_version, TANDEM_VERSION);
}

TEST_F(PipelineCacheTest, ChangedDriverIdentityInvalidates) {
  for (const char* field : {"driver_version", "driver_name_info_hash", "pipeline_cache_uuid",
                            "vendor_id", "pointer_bits"}) {
    SCOPED_TRACE(field);
    const std::string path = cold_.report.path.empty() ? cold_run() : cold_.report.path;
    change_identity(path, field);
    expect_rebuilt(CacheStatus::Invalidated, field);
  }
}

TEST_F(PipelineCacheTest, ChangedShadersInvalidate) {
  change_identity(cold_run(), "spirv_hash");
  expect_rebuilt(CacheStatus::Invalidated, "spirv_hash");
}

TEST_F(PipelineCacheTest, TruncatedFileIsRecovered) {
  const std::string path = cold_run();
  std::vector<std::uint8_t> bytes = read_bytes(path);
  bytes.resize(bytes.size() / 2);
  write_bytes(path, bytes);
  expect_rebuilt(CacheStatus::Recovered, "truncated");
  EXPECT_TRUE(std::filesystem::exists(path + ".corrupt"));
}

TEST_F(PipelineCacheTest, RandomBytesAreRecovered) {
  const std::string path = cold_run();
  std::mt19937 rng(7);
  std::vector<std::uint8_t> bytes(read_bytes(path).size());
  for (std::uint8_t& byte : bytes) byte = static_cast<std::uint8_t>(rng());
  write_bytes(path, bytes);
  expect_rebuilt(CacheStatus::Recovered, "magic");
}

TEST_F(PipelineCacheTest, FlippedBitInTheDriverBlobIsRecovered) {
  const std::string path = cold_run();
  std::vector<std::uint8_t> bytes = read_bytes(path);
  // The blob is the last payload: its bytes end 4 bytes before the file (file checksum).
  bytes[bytes.size() - 4 - 20] ^= 0x10;
  write_bytes(path, bytes);
  expect_rebuilt(CacheStatus::Recovered, "checksum");
}

// A blob whose container checksums are right but whose VkPipelineCacheHeaderVersionOne is
// for another pipelineCacheUUID (a driver that wrote the wrong thing): caught before the driver.
TEST_F(PipelineCacheTest, BlobHeaderForAnotherDriverIsRecovered) {
  const std::string path = cold_run();
  CacheLoadResult parsed = parse_file(path);
  ASSERT_EQ(parsed.outcome, CacheLoadOutcome::Loaded);
  parsed.entries[0].payload[16] ^= 0xff;  // first byte of pipelineCacheUUID
  write_bytes(path, serialize_cache(parsed.header, parsed.entries));
  expect_rebuilt(CacheStatus::Recovered, "pipelineCacheUUID");
}

TEST_F(PipelineCacheTest, BlobShorterThanItsHeaderIsRecovered) {
  const std::string path = cold_run();
  CacheLoadResult parsed = parse_file(path);
  ASSERT_EQ(parsed.outcome, CacheLoadOutcome::Loaded);
  parsed.entries[0].payload.resize(12);
  write_bytes(path, serialize_cache(parsed.header, parsed.entries));
  expect_rebuilt(CacheStatus::Recovered, "shorter than its header");
}

// A sound file for this device whose entries all have other keys (an older key scheme) is
// not damage: a miss that names the file, rewritten with our entry, not set aside.
TEST_F(PipelineCacheTest, FileWithOnlyOtherKeysIsAMiss) {
  const std::string path = cold_run();
  CacheLoadResult parsed = parse_file(path);
  ASSERT_EQ(parsed.outcome, CacheLoadOutcome::Loaded);
  parsed.entries[0].key = "pipeline_cache|old-layout";
  parsed.entries.push_back({"another_key", {1, 2, 3, 4}, 0});
  write_bytes(path, serialize_cache(parsed.header, parsed.entries));
  expect_rebuilt(CacheStatus::Miss, "no pipeline cache entry in " + path);
  EXPECT_FALSE(std::filesystem::exists(path + ".corrupt"));
}

// The same file in read-only mode: a miss too, and the file is left as it is.
TEST_F(PipelineCacheTest, FileWithOnlyOtherKeysIsLeftAloneReadOnly) {
  const std::string path = cold_run();
  CacheLoadResult parsed = parse_file(path);
  ASSERT_EQ(parsed.outcome, CacheLoadOutcome::Loaded);
  parsed.entries[0].key = "stale";
  const std::vector<std::uint8_t> stale = serialize_cache(parsed.header, parsed.entries);
  write_bytes(path, stale);
  const CompiledRun run = run_model(cache_in(dir_.path(), CacheMode::ReadOnly));
  EXPECT_EQ(run.report.status, CacheStatus::Miss) << run.report.reason;
  EXPECT_NE(run.report.reason.find("read-only"), std::string::npos) << run.report.reason;
  EXPECT_EQ(read_bytes(path), stale);
}

TEST_F(PipelineCacheTest, ZeroLengthFileIsRecovered) {
  const std::string path = cold_run();
  write_bytes(path, {});
  expect_rebuilt(CacheStatus::Recovered, "");
}

TEST_F(PipelineCacheTest, DirectoryInPlaceOfTheFileIsRecovered) {
  const std::string path = cold_run();
  std::filesystem::remove(path);
  std::filesystem::create_directory(path);
  expect_rebuilt(CacheStatus::Recovered, "not a regular file");
}

// A file others could have written is not handed to the driver, however valid it looks.
TEST_F(PipelineCacheTest, FileWritableByOthersIsRecovered) {
  const std::string path = cold_run();
  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
  expect_rebuilt(CacheStatus::Recovered, "writable by group or others");
}

TEST_F(PipelineCacheTest, ReadOnlyModeNeverWrites) {
  const CompiledRun first = run_model(cache_in(dir_.path(), CacheMode::ReadOnly));
  EXPECT_EQ(first.report.status, CacheStatus::Miss) << first.report.reason;
  EXPECT_NE(first.report.reason.find("read-only"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(first.report.path));

  const std::string path = cold_run();
  const std::vector<std::uint8_t> valid = read_bytes(path);
  const CompiledRun warm = run_model(cache_in(dir_.path(), CacheMode::ReadOnly));
  EXPECT_EQ(warm.report.status, CacheStatus::Hit) << warm.report.reason;
  EXPECT_EQ(read_bytes(path), valid);

  std::vector<std::uint8_t> damaged = valid;
  damaged.resize(damaged.size() - 7);
  write_bytes(path, damaged);
  const CompiledRun recovered = run_model(cache_in(dir_.path(), CacheMode::ReadOnly));
  EXPECT_EQ(recovered.report.status, CacheStatus::Recovered) << recovered.report.reason;
  EXPECT_TRUE(same_bits(recovered.outputs[0], cold_.outputs[0]));
  EXPECT_EQ(read_bytes(path), damaged);  // left as it was
  EXPECT_FALSE(std::filesystem::exists(path + ".corrupt"));
}

TEST_F(PipelineCacheTest, OffModeTouchesNothing) {
  const CompiledRun run = run_model(cache_in(dir_.path(), CacheMode::Off));
  EXPECT_EQ(run.report.status, CacheStatus::Off);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_F(PipelineCacheTest, ShippedCacheIsLoadedFirst) {
  const std::string built = cold_run();
  const std::string shipped = dir_ / "shipped.bin";
  std::filesystem::rename(built, shipped);
  ScratchDirectory user_dir;
  CacheConfig cache = cache_in(user_dir.path());
  cache.shipped = shipped;
  const CompiledRun run = run_model(cache);
  EXPECT_EQ(run.report.status, CacheStatus::Hit) << run.report.reason;
  EXPECT_NE(run.report.reason.find("shipped"), std::string::npos) << run.report.reason;
  expect_valid_file(run.report.path);  // the user's own file is written too
}

// A cache that cannot be read or written (its directory is a regular file) costs warnings,
// never the compile.
TEST_F(PipelineCacheTest, UnusableDirectoryStillCompiles) {
  const std::string file = dir_ / "not_a_directory";
  write_bytes(file, {1, 2, 3});
  const CompiledRun run = run_model(cache_in(file + "/cache"));
  EXPECT_NE(run.report.status, CacheStatus::Hit) << run.report.reason;
  EXPECT_EQ(read_bytes(file), (std::vector<std::uint8_t>{1, 2, 3}));
}

// A second model sharing one pipeline with model(): y = Sigmoid(Softmax(x)). Its Sigmoid has
// the same shader, workgroup size and op code as model()'s; its Softmax is new.
Model make_softmax_model() {
  Model model;
  std::mt19937 rng(43);
  ValueId previous = add_graph_input(model.graph, "x", {4, 10});
  for (const char* op : {"Softmax", "Sigmoid"}) previous = append_node(model.graph, op, {previous});
  model.graph.outputs().push_back(previous);
  model.inputs = {random_tensor(rng, {4, 10}, -3.0f, 3.0f)};
  const Plan plan = make_plan(model.graph, {model.inputs[0].info()}, {});
  model.reference = run_reference(plan, model.inputs);
  return model;
}

// Model A warm, then model B on the same cache: B's Softmax pipeline is not in the cache,
// its Sigmoid pipeline is. A driver that keeps pipelines in its cache data makes that
// `partial` (creation feedback, or the data growing); Debian 12's lavapipe keeps only the
// 32-byte header, so nothing is observable there and the loaded cache stays `hit`, with the
// reason saying why. Either way the status must agree with the driver data in the file.
TEST_F(PipelineCacheTest, SecondModelOnTheSameCache) {
  const std::string path = cold_run();
  const Model softmax_model = make_softmax_model();
  const CompiledRun run =
      compile_and_run(softmax_model.graph, softmax_model.inputs, cache_in(dir_.path()));
  EXPECT_LE(compare(run.outputs[0], softmax_model.reference[0]).max_abs_error, 1e-6);
  const std::vector<std::uint8_t> blob = parse_file(path).entries.at(0).payload;
  if (blob.size() <= 32) {
    EXPECT_EQ(run.report.status, CacheStatus::Hit) << run.report.reason;
    EXPECT_NE(run.report.reason.find("2 pipelines; the driver keeps no pipelines"),
              std::string::npos)
        << run.report.reason;
  } else {
    EXPECT_EQ(run.report.status, CacheStatus::Partial) << run.report.reason;
  }
  // The file now holds both models' pipelines: each is a hit.
  EXPECT_EQ(run_model(cache_in(dir_.path())).report.status, CacheStatus::Hit);
  const CompiledRun again =
      compile_and_run(softmax_model.graph, softmax_model.inputs, cache_in(dir_.path()));
  EXPECT_EQ(again.report.status, CacheStatus::Hit) << again.report.reason;
}

// The decision itself, for the drivers lavapipe cannot stand in for.
TEST(PipelineCacheStatus, AfterCreation) {
  struct Case {
    PipelineTally tally;
    DriverDataSizes sizes;
    CacheStatus expected;
    const char* how;
  };
  const std::vector<Case> cases = {
      {{5, 5, 0}, {32, 32, 32}, CacheStatus::Hit, "not observable"},  // lavapipe
      {{5, 5, 5}, {32, 900, 900}, CacheStatus::Hit, "5 from the cache"},
      {{5, 5, 2}, {32, 900, 1400}, CacheStatus::Partial, "2 from the cache"},
      {{5, 5, 0}, {32, 900, 1900}, CacheStatus::Miss, "0 from the cache"},
      {{5, 5, 0}, {32, 900, 900}, CacheStatus::Hit, "0 from the cache"},  // hits not flagged
      {{5, 0, 0}, {32, 900, 900}, CacheStatus::Hit, "no creation feedback"},
      {{5, 0, 0}, {32, 900, 1400}, CacheStatus::Partial, "900 -> 1400"},
      {{5, 0, 0}, {32, 32, 1400}, CacheStatus::Miss, "no creation feedback"},
      {{5, 3, 3}, {32, 900, 1400}, CacheStatus::Partial, "no creation feedback"},  // some flagged
  };
  for (const Case& c : cases) {
    std::string how;
    EXPECT_EQ(status_after_creation(c.tally, c.sizes, how), c.expected) << how;
    EXPECT_NE(how.find(c.how), std::string::npos) << how;
    EXPECT_EQ(how.rfind("5 pipelines", 0), 0u) << how;
  }
}

// The version word of the driver's header is compared as an integer: 0x80000001 is no
// VkPipelineCacheHeaderVersion (reading it through the enum was undefined behaviour).
TEST(PipelineCacheBlob, HeaderVersionOutsideTheEnumIsRejected) {
  PhysicalDevice device;
  device.properties.vendorID = 0x10005;
  device.properties.deviceID = 0x0;
  for (std::uint8_t i = 0; i < VK_UUID_SIZE; ++i) device.properties.pipelineCacheUUID[i] = i;
  std::vector<std::uint8_t> blob(40, 0);
  auto put = [&](std::size_t offset, std::uint32_t word) {
    for (std::size_t b = 0; b < 4; ++b)
      blob[offset + b] = static_cast<std::uint8_t>(word >> (8 * b));
  };
  put(0, 32);
  put(4, 1);
  put(8, 0x10005);
  for (std::uint8_t i = 0; i < VK_UUID_SIZE; ++i) blob[16 + i] = i;
  EXPECT_EQ(check_pipeline_cache_blob(blob, device), "");
  put(4, 0x80000001u);
  EXPECT_EQ(check_pipeline_cache_blob(blob, device), "driver data header version 2147483649 != 1");
  put(4, 1);
  put(8, 0x10006);
  EXPECT_EQ(check_pipeline_cache_blob(blob, device), "driver data vendorID 0x10006 != 0x10005");
}

// The child half of TwoProcessesWriteAtOnce, which runs it (disabled otherwise).
TEST_F(PipelineCacheTest, DISABLED_ChildProcessCompiles) {
  const char* dir = std::getenv("TANDEM_VK_TEST_CHILD_CACHE_DIR");
  ASSERT_NE(dir, nullptr) << "runs only as the child of TwoProcessesWriteAtOnce";
  const CompiledRun run = run_model(cache_in(dir));
  EXPECT_NE(run.report.status, CacheStatus::Recovered) << run.report.reason;
}

// Two fresh processes (fork + exec of this test binary, so neither inherits Vulkan state)
// compile into the same directory at once: both succeed and the file is valid afterwards.
TEST_F(PipelineCacheTest, TwoProcessesWriteAtOnce) {
  const std::string env_dir = "TANDEM_VK_TEST_CHILD_CACHE_DIR=" + dir_.path();
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  env.push_back(const_cast<char*>(env_dir.c_str()));
  env.push_back(nullptr);
  std::string filter = "--gtest_filter=PipelineCacheTest.DISABLED_ChildProcessCompiles";
  std::string disabled = "--gtest_also_run_disabled_tests";
  char* argv[] = {const_cast<char*>("/proc/self/exe"), filter.data(), disabled.data(), nullptr};
  pid_t children[2];
  for (pid_t& child : children) {
    ASSERT_EQ(posix_spawn(&child, "/proc/self/exe", nullptr, nullptr, argv, env.data()), 0);
  }
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  const CompiledRun after = run_model(cache_in(dir_.path()));
  EXPECT_EQ(after.report.status, CacheStatus::Hit) << after.report.reason;
  expect_valid_file(after.report.path);
}

}  // namespace
}  // namespace tandem::vulkan::testing
