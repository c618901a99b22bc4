// The command line as a user meets it: good runs report what happened, and every kind of
// bad input ends in one line on stderr and a non-zero exit, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "core/npy.h"
#include "tests/cli_runner.h"

namespace {

namespace fs = std::filesystem;

const std::string kExamples = std::string(TANDEM_SOURCE) + "/examples/";
const std::string kMobilenet = kExamples + "mobilenet_tiny.onnx";

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tandem-cli-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write_bytes(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
  }
  // One line on stderr, a non-zero exit, and the line names `what`.
  static void expect_clean_error(const CliResult& r, const std::string& what) {
    EXPECT_NE(r.exit_code, 0);
    EXPECT_LT(r.exit_code, 128) << "killed by a signal";
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("tandem: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  }
  fs::path dir_;
};

TEST_F(CliTest, MissingModelFile) {
  expect_clean_error(run_tandem("run " + path("nope.onnx") + " --backend reference"), "nope.onnx");
}

TEST_F(CliTest, GarbageModelFile) {
  std::mt19937 random(7);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  write_bytes("garbage.onnx", bytes);
  expect_clean_error(run_tandem("run " + path("garbage.onnx") + " --backend reference"), "garbage.onnx");
}

TEST_F(CliTest, TruncatedModelFile) {
  const std::string whole = read_text(kMobilenet);
  ASSERT_GT(whole.size(), 1000u);
  write_bytes("truncated.onnx", whole.substr(0, whole.size() / 2));
  expect_clean_error(run_tandem("run " + path("truncated.onnx") + " --backend reference"), "truncated.onnx");
}

TEST_F(CliTest, UnknownBackend) {
  expect_clean_error(run_tandem("run " + kMobilenet + " --backend cuda"), "unknown backend 'cuda'");
}

TEST_F(CliTest, InputWithWrongShape) {
  tandem::write_npy(path("x.npy"), tandem::Tensor(tandem::DType::F32, {1, 3, 16, 16}));
  expect_clean_error(run_tandem("run " + kMobilenet + " --backend reference --input input=" + path("x.npy")),
                     "input");
}

TEST_F(CliTest, InputWithWrongDtype) {
  tandem::write_npy(path("x.npy"), tandem::Tensor(tandem::DType::F64, {1, 3, 32, 32}));
  expect_clean_error(run_tandem("run " + kMobilenet + " --backend reference --input input=" + path("x.npy")),
                     "float");
}

TEST_F(CliTest, InputForUnknownName) {
  tandem::write_npy(path("x.npy"), tandem::Tensor(tandem::DType::F32, {1, 3, 32, 32}));
  expect_clean_error(run_tandem("run " + kMobilenet + " --backend reference --input nosuch=" + path("x.npy")),
                     "no input 'nosuch'");
}

// A GPU backend times its runs on the device: the median is positive and no longer than the
// median run's wall clock, which adds the host copies and launch overhead.
TEST_F(CliTest, RunReportsDeviceTimeOnOpenCl) {
  const CliResult r = run_tandem("run " + kMobilenet + " --backend opencl --seed 4 --repeat 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto timings = nlohmann::json::parse(r.out)["timings_ms"];
  ASSERT_TRUE(timings["run_device_median"].is_number()) << timings.dump();
  EXPECT_GT(timings["run_device_median"].get<double>(), 0.0);
  EXPECT_LE(timings["run_device_median"].get<double>(), timings["run_median"].get<double>());
}

TEST_F(CliTest, ConfigWithUnknownKey) {
  write_bytes("bad.yaml", "backend: [reference]\ncache:\n  dirr: /tmp/x\n");
  expect_clean_error(run_tandem("run " + kMobilenet + " --config " + path("bad.yaml")), "bad.yaml:3");
}

TEST_F(CliTest, RunReportsJsonAndSavesOutputs) {
  const CliResult r = run_tandem("run " + kMobilenet + " --backend reference --seed 3 --repeat 2 --json --save-outputs " +
                                 path("out"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["backend"], "reference");
  EXPECT_GT(report["memory"]["planned_bytes"].get<std::int64_t>(), 0);
  EXPECT_GE(report["memory"]["planned_bytes"].get<std::int64_t>(),
            report["memory"]["lower_bound_bytes"].get<std::int64_t>());
  for (const char* key : {"load", "device_init", "compile", "first_run", "run_median"}) {
    EXPECT_GE(report["timings_ms"][key].get<double>(), 0.0) << key;
  }
  EXPECT_TRUE(
      report["timings_ms"]["run_device_median"].is_null());  // the reference has no device timer
  ASSERT_EQ(report["outputs"].size(), 1u);
  const std::string name = report["outputs"][0]["name"];
  const tandem::Tensor output = tandem::read_npy(path("out/" + name + ".npy"));
  ASSERT_EQ(output.dtype(), tandem::DType::F32);
  // The model ends in Softmax: each row is a probability distribution.
  double sum = 0;
  for (float p : output.data<float>()) {
    EXPECT_GE(p, 0.0f);
    sum += p;
  }
  EXPECT_NEAR(sum, 1.0, 1e-5);
}

TEST_F(CliTest, SameSeedGivesSameOutputs) {
  for (const char* run : {"a", "b"}) {
    const CliResult r = run_tandem("run " + kMobilenet + " --backend reference --seed 11 --repeat 0 --save-outputs " +
                                   path(run));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const auto& entry : fs::directory_iterator(path("a"))) {
    const auto a = tandem::read_npy(entry.path().string());
    const auto b = tandem::read_npy(path("b/") + entry.path().filename().string());
    ASSERT_EQ(a.shape(), b.shape());
    for (std::int64_t i = 0; i < a.numel(); ++i) EXPECT_EQ(a.value_f64(i), b.value_f64(i));
  }
}

// CLI11's own errors read like tandem's: one prefixed line, no "Run with --help" line.
TEST_F(CliTest, ParseErrorsAreOneLineNamingTheOption) {
  const std::string model = kMobilenet + " --backend reference ";
  expect_clean_error(run_tandem("run " + model + "--frobnicate"), "--frobnicate");
  expect_clean_error(run_tandem("run " + model + "--repeat -1"), "--repeat");
  expect_clean_error(run_tandem("run " + model + "--seed -1"), "--seed");
  expect_clean_error(run_tandem("run " + model + "--seed 18446744073709551616"), "--seed");
  expect_clean_error(run_tandem("run " + kMobilenet + " --backend ''"), "--backend");
  expect_clean_error(run_tandem("frobnicate"), "frobnicate");
  const CliResult top = run_tandem("run " + model + "--seed 18446744073709551615 --repeat 0");
  EXPECT_EQ(top.exit_code, 0) << top.err;   // the largest seed is a seed
}

TEST_F(CliTest, DevicesListsTheReference) {
  const CliResult r = run_tandem("devices --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& backend : report["backends"]) found |= backend["backend"] == "reference";
  EXPECT_TRUE(found);
}

TEST_F(CliTest, EverySubcommandHasHelp) {
  for (const char* sub : {"devices", "run", "cache", "conformance", "report"}) {
    const CliResult r = run_tandem(std::string(sub) + " --help");
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub;
  }
}

}  // namespace
