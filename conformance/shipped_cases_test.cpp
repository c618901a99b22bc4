// The suite's own cases (conformance/cases/*.yaml): they load, they cover the op set and
// the awkward sizes the suite promises, and the float64 reference can run every one.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "conformance/case.h"
#include "conformance/case_execution.h"
#include "conformance/expectations.h"

namespace tandem::conformance {
namespace {

const std::vector<Case>& shipped() {
  static const std::vector<Case> cases = load_cases(default_cases_dir());
  return cases;
}

TEST(ShippedCases, AtLeastThreeHundredAndEveryIdUnique) {
  EXPECT_GE(shipped().size(), 300u);
  std::set<std::string> ids;
  for (const Case& c : shipped()) EXPECT_TRUE(ids.insert(c.id()).second) << c.id();
}

TEST(ShippedCases, CoverEveryOpOfTheSuite) {
  std::set<std::string> ops;
  std::set<std::string> models;
  for (const Case& c : shipped()) {
    for (const NodeSpec& node : c.nodes) ops.insert(node.op_type);
    if (!c.model_path.empty()) models.insert(c.model_path);
  }
  for (const char* op : {"Conv",
                         "ConvTranspose",
                         "Gemm",
                         "MatMul",
                         "Add",
                         "Sub",
                         "Mul",
                         "Div",
                         "Pow",
                         "Sqrt",
                         "Exp",
                         "Relu",
                         "LeakyRelu",
                         "Clip",
                         "Sigmoid",
                         "HardSigmoid",
                         "HardSwish",
                         "Tanh",
                         "Erf",
                         "MaxPool",
                         "AveragePool",
                         "GlobalAveragePool",
                         "BatchNormalization",
                         "Softmax",
                         "ReduceMean",
                         "ReduceSum",
                         "Concat",
                         "Reshape",
                         "Flatten",
                         "Transpose",
                         "Squeeze",
                         "Unsqueeze",
                         "Slice",
                         "Gather",
                         "Resize",
                         "Pad",
                         "Identity",
                         "LayerNormalization"}) {
    EXPECT_TRUE(ops.count(op)) << op << " has no case";
  }
  EXPECT_TRUE(models.count("examples/mobilenet_tiny.onnx"));
  EXPECT_TRUE(models.count("examples/transformer_block.onnx"));
}

TEST(ShippedCases, CoverTheAwkwardSizes) {
  std::set<std::int64_t> dims;
  std::int64_t largest = 0;
  for (const Case& c : shipped()) {
    for (const InputSpec& input : c.inputs) {
      dims.insert(input.shape.begin(), input.shape.end());
      largest = std::max(largest, shape_numel(input.shape));
    }
  }
  for (std::int64_t dim : {1, 13, 63, 64, 65, 255, 256, 257}) EXPECT_TRUE(dims.count(dim)) << dim;
  EXPECT_GE(largest, 1 << 20);
}

TEST(ShippedCases, EveryToleranceHasItsReason) {
  for (const Case& c : shipped()) EXPECT_GE(c.tolerance.reason.size(), 10u) << c.id();
}

TEST(ShippedCases, ExpectationFilesParse) {
  for (const char* backend : {"reference", "opencl", "vulkan"}) {
    EXPECT_NO_THROW(load_expectations(default_expectations_dir(), backend)) << backend;
  }
}

// Every case builds and runs on the reference: only a model that is not in the tree yet
// or a feature the reference lacks (cubic resize) may skip; nothing may be broken.
TEST(ShippedCases, TheReferenceRunsEveryCase) {
  const auto start = std::chrono::steady_clock::now();
  int skipped = 0;
  for (const Case& c : shipped()) {
    const PreparedCase prepared = prepare_case(c, source_root());
    EXPECT_TRUE(prepared.error.empty()) << prepared.error;
    if (!prepared.skip_reason.empty()) {
      ++skipped;
      EXPECT_TRUE(c.id() == "resize/Resize_cubic" || !c.model_path.empty())
          << c.id() << ": " << prepared.skip_reason;
      continue;
    }
    ASSERT_FALSE(prepared.expected.empty()) << c.id();
    // A case whose reference output is all zeros would compare zeros with zeros.
    bool any_nonzero = false;
    for (const Tensor& output : prepared.expected) {
      for (std::int64_t i = 0; i < output.numel() && !any_nonzero; ++i)
        any_nonzero = output.value_f64(i) != 0.0;
    }
    EXPECT_TRUE(any_nonzero) << c.id() << ": the reference output is all zeros";
  }
  EXPECT_LE(skipped, 5);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("reference_seconds", std::to_string(seconds));
}

// Sqrt_special_values feeds denormals: its second reference, of the inputs flushed, differs
// from the first exactly where an input is denormal (sqrt of a denormal is normal).
TEST(ShippedCases, DenormalInputsGetAFlushedReference) {
  const auto cases = shipped();
  const auto found = std::find_if(cases.begin(), cases.end(),
                                  [](const Case& c) { return c.id() == "unary/Sqrt_special_values"; });
  ASSERT_NE(found, cases.end());
  const PreparedCase prepared = prepare_case(*found, source_root());
  ASSERT_EQ(prepared.expected_inputs_flushed.size(), 1u);
  const auto input = prepared.built.inputs[0].data<float>();
  int denormals = 0;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const auto index = static_cast<std::int64_t>(i);
    const double flushed = prepared.expected_inputs_flushed[0].value_f64(index);
    if (std::fpclassify(input[i]) == FP_SUBNORMAL) {
      ++denormals;
      EXPECT_EQ(flushed, 0.0) << i;
      EXPECT_GT(std::fabs(prepared.expected[0].value_f64(index)), 1e-25) << i;
    } else {
      const double expected = prepared.expected[0].value_f64(index);
      EXPECT_TRUE(flushed == expected || (std::isnan(flushed) && std::isnan(expected))) << i;
    }
  }
  EXPECT_GT(denormals, 0);
}

}  // namespace
}  // namespace tandem::conformance
