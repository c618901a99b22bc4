// Work-group tuning (`tuning: auto`) on pocl: a tuned run matches the reference and is
// bit-identical to an untuned one whatever the local sizes; the choices are stored in the
// compiled-program file and reused without timing; a changed kernel source hash, a damaged
// choice or a choice that does not fit re-tunes only that entry; `tuning: off` times nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/cache/cache_file.h"
#include "core/reference_backend.h"
#include "opencl/executable.h"
#include "opencl/op_test_support.h"
#include "core/temp_dir.h"
#include "opencl/program_cache.h"
#include "opencl/work_group_tuner.h"

namespace tandem::opencl {
namespace {

using namespace testing;
using Ints = std::vector<std::int64_t>;
namespace fs = std::filesystem;

// Element-wise nodes of awkward sizes (host-chosen local sizes, so tunable) and a Softmax
// (fixed 64-item groups, never tuned), in two programs.
struct TunableModel {
  Plan plan;
  std::vector<Tensor> inputs;

  TunableModel() {
    std::mt19937 rng(301);
    inputs = {random_tensor(rng, {7, 433}, -3.0f, 3.0f), random_tensor(rng, {13, 57}),
              random_tensor(rng, {5, 31})};
    Graph graph;
    add_test_node(graph, "a_", "Sigmoid", {runtime(inputs[0])}, {}, 1);
    add_test_node(graph, "b_", "Transpose", {runtime(inputs[1])}, attrs({{"perm", Ints{1, 0}}}), 1);
    add_test_node(graph, "c_", "Softmax", {runtime(inputs[2])}, {}, 1);
    std::vector<TensorInfo> infos;
    for (const Tensor& input : inputs) infos.push_back(input.info());
    PlanOptions options;
    options.optimize = false;
    plan = make_plan(graph, infos, options);
  }
};

const TunableModel& model() {
  static const TunableModel instance;
  return instance;
}

struct TunedRun {
  std::vector<Tensor> outputs;
  TuningTally tally;
  CacheReport report;
};

TunedRun compile_and_run(const std::string& dir, bool tuning,
                         CacheMode mode = CacheMode::ReadWrite) {
  CompileOptions options;
  options.cache.dir = dir;
  options.cache.mode = mode;
  options.tuning = tuning;
  ClExecutable executable(model().plan, find_device(test_device()), options);
  TunedRun run;
  run.tally = executable.tuning_tally();
  run.report = executable.cache_report();
  run.outputs = executable.run(model().inputs);
  return run;
}

// A directory holding the programs' binaries but no tuning entries, built once: each test
// starts from a copy, so only the first pays for compiling from source on pocl.
class SeededDir : public TempDir {
 public:
  SeededDir() {
    static const TempDir seed;
    static const bool built = [] {
      compile_and_run(seed.path(), false);
      return true;
    }();
    (void)built;
    fs::copy_file(program_cache_path(seed.path(), test_device()),
                  program_cache_path(path(), test_device()));
  }
};

const std::vector<Tensor>& untuned_outputs() {
  static const std::vector<Tensor> outputs = [] {
    const SeededDir dir;
    return compile_and_run(dir.path(), false, CacheMode::ReadOnly).outputs;
  }();
  return outputs;
}

std::string cache_path(const std::string& dir) { return program_cache_path(dir, test_device()); }

CacheLoadResult load(const std::string& dir) {
  return read_cache_file(cache_path(dir), program_cache_header(test_device()));
}

std::vector<CacheEntry> tuning_entries(const std::string& dir) {
  std::vector<CacheEntry> found;
  for (const CacheEntry& entry : load(dir).entries) {
    if (is_tuning_entry(entry)) found.push_back(entry);
  }
  return found;
}

// Rewrites the file with `edit` applied to each tuning entry (a test stands in for a
// previous process or for damage).
template <typename Edit>
void edit_tuning_entries(const std::string& dir, Edit edit) {
  CacheLoadResult file = load(dir);
  ASSERT_EQ(file.outcome, CacheLoadOutcome::Loaded) << file.reason;
  for (CacheEntry& entry : file.entries) {
    if (is_tuning_entry(entry)) edit(entry);
  }
  CacheWriteOptions replace;  // the edited entries replace the file's, not join them
  replace.merge = [](const std::vector<CacheEntry>&, const std::vector<CacheEntry>& ours) {
    return ours;
  };
  update_cache_file(cache_path(dir), program_cache_header(test_device()), file.entries, replace);
}

void set_payload(CacheEntry& entry, const std::string& text) {
  entry.payload.assign(text.begin(), text.end());
}

TEST(Tuning, TunedRunMatchesReferenceAndStoresChoices) {
  SeededDir dir;
  const TunedRun tuned = compile_and_run(dir.path(), true);
  // Sigmoid and Transpose are tunable, each its own kernel and shape; Softmax is not.
  EXPECT_EQ(tuned.tally.timed, 2) << tuned.report.reason;
  EXPECT_EQ(tuned.tally.from_cache, 0);
  EXPECT_NE(tuned.report.reason.find("tuning: 0 choices from cache, 2 timed"), std::string::npos)
      << tuned.report.reason;
  expect_identical(tuned.outputs, untuned_outputs());
  const std::vector<Tensor> reference = run_reference(model().plan, model().inputs);
  ASSERT_EQ(reference.size(), tuned.outputs.size());
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const Mismatch mismatch = compare(tuned.outputs[i], reference[i]);
    EXPECT_LE(mismatch.max_abs_error, 1e-5 * (1.0 + mismatch.max_abs_reference)) << "output " << i;
    EXPECT_GT(mismatch.max_abs_reference, 0.01) << "output " << i;
  }
  const std::vector<CacheEntry> entries = tuning_entries(dir.path());
  ASSERT_EQ(entries.size(), 2u);
  const std::string hash = embedded_program("eltwise.cl").cache_key().substr(19, 16);
  for (const CacheEntry& entry : entries) {
    LocalSize local{0, 0, 0};
    EXPECT_TRUE(parse_local_size(std::string(entry.payload.begin(), entry.payload.end()), local))
        << entry.key;
    EXPECT_EQ(local[1] * local[2], 1u) << entry.key;  // both kernels are 1D
  }
  EXPECT_EQ(entries[0].key.rfind("tuning|", 0), 0u);
  // "tuning|unary|eltwise.cl|<hash>|<options>|1:3031x1x1" for Sigmoid's 7 x 433; the
  // program is built for Identity and Sigmoid (codes 0 and 4), no binary op, and the unary
  // kernel alone.
  const std::string options =
      "-cl-std=CL1.2 -DUNARY_OPS=0x11u -DBINARY_OPS=0x0u -DKERNEL_LIST -DKERNEL_unary=1";
  bool sigmoid_found = false;
  for (const CacheEntry& entry : entries) {
    sigmoid_found |= entry.key == "tuning|unary|eltwise.cl|" + hash + "|" + options + "|1:3031x1x1";
  }
  EXPECT_TRUE(sigmoid_found) << entries[0].key << " / " << entries[1].key;
}

TEST(Tuning, SecondRunReusesChoicesWithoutTiming) {
  SeededDir dir;
  const TunedRun first = compile_and_run(dir.path(), true);
  ASSERT_EQ(first.tally.timed, 2);
  const std::vector<CacheEntry> before = tuning_entries(dir.path());
  const TunedRun second = compile_and_run(dir.path(), true);
  EXPECT_EQ(second.tally.timed, 0) << second.report.reason;
  EXPECT_EQ(second.tally.from_cache, 2);
  EXPECT_EQ(cache_status_name(second.report.status), std::string("hit"));
  EXPECT_NE(second.report.reason.find("2 choices from cache, 0 timed"), std::string::npos)
      << second.report.reason;
  expect_identical(second.outputs, untuned_outputs());
  // Nothing new was timed, so the file was not rewritten.
  const std::vector<CacheEntry> after = tuning_entries(dir.path());
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].last_used, before[i].last_used);
}

// Each local size is forced through the file; results never depend on it, odd sizes (a
// global rounded up to whole groups, so idle items) included.
TEST(Tuning, OutputsIdenticalWhateverTheLocalSize) {
  SeededDir dir;
  compile_and_run(dir.path(), true);
  for (const char* local : {"1,1,1", "3,1,1", "32,1,1", "64,1,1", "256,1,1"}) {
    SCOPED_TRACE(local);
    edit_tuning_entries(dir.path(), [&](CacheEntry& entry) { set_payload(entry, local); });
    const TunedRun forced = compile_and_run(dir.path(), true);
    EXPECT_EQ(forced.tally.from_cache, 2) << forced.report.reason;
    EXPECT_EQ(forced.tally.timed, 0);
    expect_identical(forced.outputs, untuned_outputs());
  }
}

TEST(Tuning, ChangedSourceHashInvalidatesOnlyThatEntry) {
  SeededDir dir;
  compile_and_run(dir.path(), true);
  // As if the Transpose kernel's program had been built from other sources last time.
  std::string stale_key;
  edit_tuning_entries(dir.path(), [&](CacheEntry& entry) {
    if (entry.key.rfind("tuning|copy_strided|", 0) != 0) return;
    const std::size_t hash = entry.key.find("shape_ops.cl|") + std::strlen("shape_ops.cl|");
    entry.key[hash] = entry.key[hash] == '0' ? '1' : '0';
    stale_key = entry.key;
  });
  ASSERT_FALSE(stale_key.empty());
  const TunedRun run = compile_and_run(dir.path(), true);
  EXPECT_EQ(run.tally.from_cache, 1) << run.report.reason;
  EXPECT_EQ(run.tally.timed, 1);
  expect_identical(run.outputs, untuned_outputs());
  const std::vector<CacheEntry> entries = tuning_entries(dir.path());
  EXPECT_EQ(entries.size(), 3u);  // the stale entry stays until evicted, like a binary
  bool stale_kept = false;
  for (const CacheEntry& entry : entries) stale_kept |= entry.key == stale_key;
  EXPECT_TRUE(stale_kept);
}

TEST(Tuning, DamagedOrOversizedChoiceIsRetuned) {
  SeededDir dir;
  compile_and_run(dir.path(), true);
  int edited = 0;
  edit_tuning_entries(dir.path(), [&](CacheEntry& entry) {
    set_payload(entry, edited++ == 0 ? "garbage" : "1000000,1,1");
  });
  const TunedRun run = compile_and_run(dir.path(), true);
  EXPECT_EQ(run.tally.rejected, 2) << run.report.reason;
  EXPECT_EQ(run.tally.timed, 2);
  EXPECT_EQ(run.tally.from_cache, 0);
  expect_identical(run.outputs, untuned_outputs());
  for (const CacheEntry& entry : tuning_entries(dir.path())) {
    LocalSize local{0, 0, 0};
    EXPECT_TRUE(parse_local_size(std::string(entry.payload.begin(), entry.payload.end()), local));
    EXPECT_LE(local[0], 256u);
  }
}

TEST(Tuning, OffTimesNothingAndStoresNothing) {
  SeededDir dir;
  const TunedRun run = compile_and_run(dir.path(), false);
  EXPECT_EQ(run.tally.timed + run.tally.from_cache + run.tally.rejected, 0);
  EXPECT_EQ(run.report.reason.find("tuning"), std::string::npos) << run.report.reason;
  EXPECT_TRUE(tuning_entries(dir.path()).empty());
  expect_identical(run.outputs, untuned_outputs());
}

TEST(Tuning, ReadOnlyCacheTunesButWritesNothing) {
  SeededDir dir;
  compile_and_run(dir.path(), false);
  const TunedRun run = compile_and_run(dir.path(), true, CacheMode::ReadOnly);
  EXPECT_EQ(run.tally.timed, 2);
  EXPECT_TRUE(tuning_entries(dir.path()).empty());
}

// Another model's choices are merged into the file, not written over: both sets stay.
TEST(Tuning, ChoicesOfTwoModelsAreMerged) {
  SeededDir dir;
  compile_and_run(dir.path(), true);
  std::mt19937 rng(302);
  const std::vector<Tensor> inputs = {random_tensor(rng, {2, 1000})};
  Graph graph;
  add_test_node(graph, "d_", "Sigmoid", {runtime(inputs[0])}, {}, 1);
  PlanOptions plan_options;
  plan_options.optimize = false;
  CompileOptions options;
  options.cache.dir = dir.path();
  options.tuning = true;
  ClExecutable other(make_plan(graph, {inputs[0].info()}, plan_options), find_device(test_device()),
                     options);
  EXPECT_EQ(other.tuning_tally().timed, 1);
  other.run(inputs);
  std::vector<std::string> shapes;
  for (const CacheEntry& entry : tuning_entries(dir.path())) {
    shapes.push_back(entry.key.substr(entry.key.rfind('|') + 1));
  }
  std::sort(shapes.begin(), shapes.end());
  EXPECT_EQ(shapes, (std::vector<std::string>{"1:2000x1x1", "1:3031x1x1", "1:741x1x1"}));
}

TEST(Tuning, LocalSizeTextRoundTripsAndRejectsJunk) {
  LocalSize local{0, 0, 0};
  ASSERT_TRUE(parse_local_size("64,2,1", local));
  EXPECT_EQ(local, (LocalSize{64, 2, 1}));
  EXPECT_EQ(local_size_text(local), "64,2,1");
  for (const char* junk : {"", "64", "64,1", "0,1,1", "64,1,1,", "64,1,1x", "-1,1,1", "a,b,c"}) {
    EXPECT_FALSE(parse_local_size(junk, local)) << junk;
  }
}

TEST(Tuning, CandidatesRespectTheKernelLimit) {
  Dispatch dispatch;
  dispatch.dims = 1;
  dispatch.local = {128, 1, 1};
  dispatch.requested = {100000, 1, 1};
  dispatch.group_limit = 64;
  dispatch.local = {64, 1, 1};
  const std::vector<LocalSize> candidates = candidate_local_sizes(dispatch, {1024, 1024, 1024});
  EXPECT_EQ(candidates.front(), (LocalSize{64, 1, 1}));
  EXPECT_EQ(candidates.size(), 2u);  // 64 and 32
  for (const LocalSize& local : candidates) EXPECT_LE(local[0] * local[1] * local[2], 64u);
  dispatch.dims = 2;
  dispatch.group_limit = 256;
  dispatch.local = {16, 8, 1};
  dispatch.requested = {40, 3, 1};
  for (const LocalSize& local : candidate_local_sizes(dispatch, {1024, 4, 1})) {
    if (local == LocalSize{16, 8, 1}) continue;  // the host's own choice always stays
    EXPECT_LE(local[1], 4u);
    EXPECT_LE(local[0], 64u);
  }
}

}  // namespace
}  // namespace tandem::opencl
