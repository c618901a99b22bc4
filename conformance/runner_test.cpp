#include "conformance/runner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "conformance/device_pairing.h"
#include "conformance/expectations.h"
#include "conformance/progress.h"
#include "conformance/report.h"
#include "core/temp_dir.h"
#include "core/reference_backend.h"

namespace tandem::conformance {
namespace {

// A device backend built on the reference kernels. The faulty one adds 1e-3 to element 5
// of a Tanh output and has no Sigmoid; the other flushes denormal inputs to zero, as
// NVIDIA's Vulkan driver does.
class FaultyExecutable : public Executable {
 public:
  FaultyExecutable(Plan plan, bool faulty) : plan_(std::move(plan)), faulty_(faulty) {}
  std::vector<Tensor> run(const std::vector<Tensor>& given) override {
    std::vector<Tensor> inputs = given;
    for (Tensor& input : inputs) {
      if (faulty_ || input.dtype() != DType::F32) continue;
      for (float& value : input.data<float>()) {
        if (std::fpclassify(value) == FP_SUBNORMAL) value = std::copysign(0.0f, value);
      }
    }
    std::vector<Tensor> outputs = run_reference(plan_, inputs);
    for (Tensor& output : outputs) output = output.cast(DType::F32);
    const bool tanh = plan_.graph.nodes().front().op_type == "Tanh";
    if (faulty_ && tanh && outputs[0].numel() > 5) outputs[0].data<float>()[5] += 1e-3f;
    return outputs;
  }
  CacheReport cache_report() const override { return {"", CacheStatus::Off, "test backend"}; }

 private:
  Plan plan_;
  bool faulty_;
};

class TestBackend : public Backend {
 public:
  TestBackend(std::string name, DeviceInfo device, bool faulty)
      : name_(std::move(name)), device_(std::move(device)), faulty_(faulty) {}
  std::string name() const override { return name_; }
  std::vector<DeviceInfo> devices() override { return {device_}; }
  std::unique_ptr<Executable> compile(const Plan& plan, const DeviceInfo&,
                                      const CompileOptions&) override {
    for (const Node& node : plan.graph.nodes()) {
      if (faulty_ && node.op_type == "Sigmoid")
        throw Unsupported(node.label() + ": no Sigmoid in " + name_);
    }
    return std::make_unique<FaultyExecutable>(plan, faulty_);
  }

 private:
  std::string name_;
  DeviceInfo device_;
  bool faulty_;
};

DeviceInfo test_device(const std::string& backend, const std::string& name,
                       const std::string& vendor, const std::string& uuid) {
  return {backend, 0, name, vendor, "gpu", "1.0", {{"device_uuid", uuid}}};
}

const BackendRegistration faulty_registration("test-faulty", [] {
  return std::make_unique<TestBackend>(
      "test-faulty", test_device("test-faulty", "Test GPU 9000", "0x10de", "abcd"), true);
});
const BackendRegistration twin_registration("test-twin", [] {
  return std::make_unique<TestBackend>(
      "test-twin", test_device("test-twin", "NVIDIA Test GPU 9000", "NVIDIA Corporation", "ABCD"),
      false);
});

const char* kMiniSuite = R"(
family: mini
defaults:
  tolerance: {abs: 1e-6, rel: 1e-6, reason: "float32 rounding of a double result"}
cases:
  - name: "${op}_${n}"
    grid: {op: [Relu, Tanh, Sigmoid], n: [1, 13, 64]}
    op: $op
    inputs: [{shape: [$n], generator: {uniform: [-3, 3]}}]
  - name: add_broadcast
    op: Add
    inputs: [{shape: [2, 3]}, {shape: [3]}]
  - name: not_an_op
    op: NoSuchOp
    inputs: [{shape: [2]}]
  - name: broken_add
    op: Add
    inputs: [{shape: [2, 3]}, {shape: [4]}]
  - name: sqrt_denormals
    op: Sqrt
    inputs: [{shape: [64], generator: {uniform: [0, 4]}, special: [denormal], special_fraction: 0.25}]
    tolerance: {ulp: 4, reason: "sqrt is correctly rounded within 3 ulp on both APIs"}
)";

const char* kFaultyExpectations = R"(
unsupported:
  - {case: "mini/Relu_64", reason: "too long for the test"}
expected_failure:
  - {case: "mini/Tanh_13", reason: "known Tanh fault"}
  - {case: "mini/Relu_1", reason: "stale entry", device: "gpu 9000"}
)";

const CaseResult& find(const LaneReport& lane, const std::string& id) {
  for (const CaseResult& result : lane.results) {
    if (result.case_id == id) return result;
  }
  throw Error("no result for " + id + " in " + lane.label());
}

const LaneReport& lane_of(const RunReport& report, const std::string& backend) {
  for (const LaneReport& lane : report.lanes) {
    if (lane.backend == backend) return lane;
  }
  throw Error("no lane " + backend);
}

class MiniRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    expectations_ = new TempDir("tandem-runner-test");
    write_text_file(expectations_->path() + "/test-faulty.yaml", kFaultyExpectations);
    cases_ = new std::vector<Case>(parse_case_file(kMiniSuite, "mini.yaml"));
    RunnerOptions options;
    options.backends = {"reference", "test-faulty", "test-twin", "no-such-backend"};
    options.jobs = 2;
    options.expectations_dir = expectations_->path();
    options.cache_scenarios = false;
    progress_file_ = std::tmpfile();
    Progress progress(progress_file_, false);
    options.progress = &progress;
    report_ = new RunReport(run_conformance(*cases_, options));
    progress.finish();
  }
  static void TearDownTestSuite() {
    delete report_;
    delete cases_;
    delete expectations_;
    std::fclose(progress_file_);
  }
  static TempDir* expectations_;
  static std::vector<Case>* cases_;
  static RunReport* report_;
  static std::FILE* progress_file_;
};
TempDir* MiniRun::expectations_ = nullptr;
std::vector<Case>* MiniRun::cases_ = nullptr;
RunReport* MiniRun::report_ = nullptr;
std::FILE* MiniRun::progress_file_ = nullptr;

TEST_F(MiniRun, ReferenceBackendPassesEverythingItCanRun) {
  const LaneReport& lane = lane_of(*report_, "reference");
  const OutcomeCounts c = lane.counts();
  EXPECT_EQ(c.pass, 11);
  EXPECT_EQ(c.skip, 1);
  EXPECT_EQ(c.fail, 1);
  EXPECT_NE(find(lane, "mini/not_an_op").reason.find("NoSuchOp"), std::string::npos);
  const CaseResult& broken = find(lane, "mini/broken_add");
  EXPECT_NE(broken.reason.find("case error"), std::string::npos) << broken.reason;
  EXPECT_NE(broken.reason.find("mini.yaml"), std::string::npos) << broken.reason;
  // Each output was compared: the reference through float32 is within half an ulp.
  const CaseResult& tanh = find(lane, "mini/Tanh_64");
  EXPECT_EQ(tanh.outcome, Outcome::Pass);
  EXPECT_LE(tanh.comparison.max_ulp, 0);
  EXPECT_GT(tanh.comparison.max_abs_err, 0.0);  // float32 rounding is visible
  EXPECT_LT(tanh.comparison.max_rel_err, 6e-8);
}

TEST_F(MiniRun, FaultsExpectationsAndSkipsLandWhereTheyShould) {
  const LaneReport& lane = lane_of(*report_, "test-faulty");
  const OutcomeCounts c = lane.counts();
  EXPECT_EQ(c.pass, 4);
  EXPECT_EQ(c.fail, 2);
  EXPECT_EQ(c.skip, 5);
  EXPECT_EQ(c.xfail, 1);
  EXPECT_EQ(c.xpass, 1);
  const CaseResult& fault = find(lane, "mini/Tanh_64");
  EXPECT_EQ(fault.outcome, Outcome::Fail);
  EXPECT_EQ(fault.comparison.worst_index, 5);
  EXPECT_EQ(fault.comparison.mismatches, 1);
  EXPECT_NEAR(fault.comparison.max_abs_err, 1e-3, 1e-6);
  EXPECT_NE(fault.reason.find("index 5"), std::string::npos) << fault.reason;
  EXPECT_EQ(find(lane, "mini/Tanh_13").outcome, Outcome::ExpectedFailure);
  EXPECT_NE(find(lane, "mini/Relu_1").reason.find("remove it"), std::string::npos);
  EXPECT_EQ(find(lane, "mini/Relu_64").reason, "unsupported: too long for the test");
  const CaseResult& sigmoid = find(lane, "mini/Sigmoid_13");
  EXPECT_EQ(sigmoid.outcome, Outcome::Skip);
  EXPECT_NE(sigmoid.reason.find("no Sigmoid in test-faulty"), std::string::npos);
  EXPECT_TRUE(report_->has_failures());
}

TEST_F(MiniRun, UnavailableBackendIsReportedNotFailed) {
  const LaneReport& lane = lane_of(*report_, "no-such-backend");
  EXPECT_FALSE(lane.available);
  EXPECT_NE(lane.note.find("unknown backend 'no-such-backend'"), std::string::npos);
  EXPECT_EQ(lane.counts().total(), 0);
  const std::string table = summary_table(*report_);
  EXPECT_NE(table.find("no-such-backend"), std::string::npos);
  EXPECT_NE(table.find("unavailable"), std::string::npos);
  EXPECT_NE(table.find("Test GPU 9000"), std::string::npos);
}

TEST_F(MiniRun, TwinDevicesAreComparedWithEachOther) {
  const LaneReport& parity = lane_of(*report_, "parity");
  EXPECT_NE(parity.note.find("same device UUID"), std::string::npos) << parity.note;
  const OutcomeCounts c = parity.counts();
  EXPECT_EQ(c.pass, 5);
  EXPECT_EQ(c.fail, 2);
  EXPECT_EQ(c.skip, 6);
  EXPECT_EQ(find(parity, "mini/Tanh_13").comparison.worst_index, 5);
}

// sqrt(2^-127) is a normal number; the twin returns sqrt(0) = 0 there. Both lanes pass
// (either reference), and so does their parity, though they differ at those elements.
TEST_F(MiniRun, FlushedDenormalInputsPassOnTheirOwnAndInParity) {
  EXPECT_EQ(find(lane_of(*report_, "test-twin"), "mini/sqrt_denormals").outcome, Outcome::Pass);
  EXPECT_EQ(find(lane_of(*report_, "test-faulty"), "mini/sqrt_denormals").outcome, Outcome::Pass);
  EXPECT_EQ(find(lane_of(*report_, "parity"), "mini/sqrt_denormals").outcome, Outcome::Pass);
}

TEST_F(MiniRun, ProgressPrintsOnePlainLinePerResult) {
  std::fflush(progress_file_);
  std::rewind(progress_file_);
  int lines = 0;
  int failures = 0;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, progress_file_)) {
    ++lines;
    failures += std::string(buffer).rfind("fail ", 0) == 0;
  }
  // 3 available device lanes x 13 cases, plus a line for the unavailable backend and one
  // for the pair of twin devices.
  EXPECT_EQ(lines, 41);
  EXPECT_EQ(failures, 1 + 2 + 1);
}

TEST(SelectCases, FilterIsARegexSearchAndBadOnesAreErrors) {
  const std::vector<Case> cases = parse_case_file(kMiniSuite, "mini.yaml");
  EXPECT_EQ(select_cases(cases, "").size(), 13u);
  EXPECT_EQ(select_cases(cases, "Relu").size(), 3u);
  EXPECT_EQ(select_cases(cases, "_13$").size(), 3u);
  EXPECT_THROW(select_cases(cases, "(unclosed"), Error);
}

TEST(Expectations, RulesMatchWholeIdsAndDeviceSubstrings) {
  const Expectations e = parse_expectations(kFaultyExpectations, "x.yaml");
  EXPECT_NE(e.find_unsupported("mini/Relu_64", "any"), nullptr);
  EXPECT_EQ(e.find_unsupported("mini/Relu_641", "any"), nullptr);  // whole id
  EXPECT_NE(e.find_expected_failure("mini/Relu_1", "Test GPU 9000"), nullptr);
  EXPECT_EQ(e.find_expected_failure("mini/Relu_1", "llvmpipe"), nullptr);
  EXPECT_THROW(parse_expectations("unsupported: [{case: a}]", "x.yaml"), Error);
  EXPECT_THROW(parse_expectations("unsupported: [{case: '(', reason: r}]", "x.yaml"), Error);
  EXPECT_THROW(parse_expectations("skip: []", "x.yaml"), Error);
  EXPECT_TRUE(load_expectations("/nonexistent", "opencl").unsupported.empty());
}

TEST(DevicePairing, VendorsAndNamesFromBothApis) {
  EXPECT_EQ(canonical_vendor("0x10de"), "nvidia");
  EXPECT_EQ(canonical_vendor("NVIDIA Corporation"), "nvidia");
  EXPECT_EQ(canonical_vendor("Advanced Micro Devices, Inc."), "amd");
  EXPECT_EQ(canonical_vendor("4098"), "amd");
  EXPECT_EQ(canonical_vendor("Intel(R) Corporation"), "intel");
  EXPECT_DOUBLE_EQ(name_similarity("NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3"), 1.0);
  EXPECT_DOUBLE_EQ(name_similarity("NVIDIA GeForce RTX 4090", "GeForce RTX 4090"), 1.0);
  EXPECT_DOUBLE_EQ(name_similarity("AMD Radeon RX 7900 XTX", "gfx1100"), 0.0);
  EXPECT_NEAR(name_similarity("Intel(R) UHD Graphics 770", "Intel(R) UHD Graphics 770 (ADL-S GT1)"),
              2.0 / 5.0, 1e-12);
}

TEST(DevicePairing, PairsOnlyTheSamePhysicalDeviceAcrossBackends) {
  std::vector<DeviceInfo> devices = {
      {"opencl", 0, "NVIDIA H100 80GB HBM3", "NVIDIA Corporation", "gpu", "580.1", {}},
      {"opencl", 1, "pocl-cpu-haswell-Intel(R) Xeon(R)", "GenuineIntel", "cpu", "3.1", {}},
      {"vulkan", 0, "llvmpipe (LLVM 15.0.6, 256 bits)", "0x10005", "cpu", "22.3", {}},
      {"vulkan", 1, "NVIDIA H100 80GB HBM3", "0x10de", "gpu", "580.1", {}},
      {"reference", 0, "float64 reference", "tandem", "cpu", "0.1", {}},
      {"vulkan", 2, "NVIDIA H100 80GB HBM3", "0x10de", "gpu", "580.1", {}},
  };
  const std::vector<DevicePair> pairs = pair_devices(devices);
  ASSERT_EQ(pairs.size(), 1u);  // the second Vulkan H100 finds the OpenCL one taken
  EXPECT_EQ(pairs[0].first, 0u);
  EXPECT_EQ(pairs[0].second, 3u);
  EXPECT_NE(pairs[0].reason.find("vendor nvidia"), std::string::npos);
  EXPECT_NE(pairs[0].reason.find("similarity 1.00"), std::string::npos);
}

}  // namespace
}  // namespace tandem::conformance
