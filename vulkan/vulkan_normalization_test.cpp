// BatchNormalization, LayerNormalization and Softmax on the device against the float64
// reference.
#include <random>

#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class NormalizationTest : public VulkanTest {};

// Means and variances over rows of at most 257 float32 values: 1e-5 relative; the outputs
// are O(1) after normalization.
constexpr double kTolerance = 1e-5;

TEST_F(NormalizationTest, BatchNormalization) {
  std::mt19937 rng(51);
  for (const Shape& shape : {Shape{2, 13, 5, 7}, Shape{1, 3, 31}, Shape{4, 6}}) {
    const Shape channels{shape[1]};
    expect_matches_reference(
        "BatchNormalization", attrs({{"epsilon", 1e-3}}),
        {runtime(random_tensor(rng, shape)), constant(random_tensor(rng, channels)),
         constant(random_tensor(rng, channels)), constant(random_tensor(rng, channels)),
         constant(random_tensor(rng, channels, 0.5f, 2.0f))},
        kTolerance);
  }
}

// ONNX lets BatchNormalization's parameters be of another float type than X: float64 ones
// go into the constant pool rounded to float32.
TEST_F(NormalizationTest, BatchNormalizationWithFloat64Parameters) {
  std::mt19937 rng(53);
  const Shape channels{13};
  auto parameter = [&](float low, float high) {
    return constant(random_tensor(rng, channels, low, high).cast(DType::F64));
  };
  expect_matches_reference("BatchNormalization", attrs({{"epsilon", 1e-3}}),
                           {runtime(random_tensor(rng, {2, 13, 5, 7})), parameter(0.5f, 2.0f),
                            parameter(-1.0f, 1.0f), parameter(-1.0f, 1.0f), parameter(0.1f, 3.0f)},
                           kTolerance);
}

TEST_F(NormalizationTest, LayerNormalization) {
  std::mt19937 rng(52);
  struct Case {
    Shape x;
    std::int64_t axis;
    Shape scale;
    bool bias;
  };
  const std::vector<Case> cases = {
      {{1, 16, 64}, -1, {64}, true},   {{2, 3, 13}, 1, {3, 13}, true}, {{5, 257}, -1, {257}, false},
      {{2, 3, 4, 5}, 2, {1, 5}, true}, {{7, 1}, -1, {1}, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(shape_to_string(c.x));
    std::vector<NodeInput> inputs{runtime(random_tensor(rng, c.x, -3.0f, 3.0f)),
                                  constant(random_tensor(rng, c.scale))};
    if (c.bias) inputs.push_back(constant(random_tensor(rng, c.scale)));
    expect_matches_reference("LayerNormalization", attrs({{"axis", c.axis}}), inputs, kTolerance);
  }
}

// exp and one division per element after subtracting the line's max: 1e-5 relative.
TEST_F(NormalizationTest, Softmax) {
  std::mt19937 rng(53);
  const std::vector<std::pair<Shape, std::int64_t>> cases = {
      {{2, 13}, -1}, {{3, 5, 7}, 1}, {{4, 65}, 0}, {{1, 4, 16, 16}, -1}, {{5}, 0}, {{2, 1, 3}, 1}};
  for (const auto& [shape, axis] : cases) {
    SCOPED_TRACE(shape_to_string(shape));
    expect_matches_reference("Softmax", attrs({{"axis", axis}}),
                             {runtime(random_tensor(rng, shape, -8.0f, 8.0f))}, kTolerance);
  }
}

// Long lines, which lavapipe's loop limit (vulkan/loop_limit.h) once cut short: a lone
// invocation stopped after 65535 loop steps, 21845 elements of a three-pass softmax.
const std::vector<std::int64_t> kLongLines = {70000, 200000};

// Softmax outputs over 200000 elements are about 1e-5 each, so each is checked against its
// own magnitude. A lane sums at most 200000 / 256 exponentials, then a tree of 8 levels: the
// relative rounding of the sum stays near 1e-6 (bound (782 + 8) * 6e-8 = 5e-5); exp adds a few
// ulp. 1e-4 covers both; the truncated result was wrong by whole factors.
constexpr double kLongSoftmaxRelative = 1e-4;

TEST_F(NormalizationTest, SoftmaxOverLongAxes) {
  std::mt19937 rng(54);
  for (std::int64_t length : kLongLines) {
    SCOPED_TRACE(length);
    expect_matches_reference_elementwise("Softmax", attrs({{"axis", std::int64_t{-1}}}),
                                         {runtime(random_tensor(rng, {2, length}, -4.0f, 4.0f))},
                                         kLongSoftmaxRelative);
  }
  // A long axis that is not the last: lanes stride by `inner` (3) along it.
  expect_matches_reference_elementwise("Softmax", attrs({{"axis", std::int64_t{0}}}),
                                       {runtime(random_tensor(rng, {70000, 3}, -4.0f, 4.0f))},
                                       kLongSoftmaxRelative);
}

// Either side of the switch from one invocation to one workgroup per line (32 elements).
TEST_F(NormalizationTest, SoftmaxAroundTheWorkgroupSwitch) {
  std::mt19937 rng(55);
  for (std::int64_t length : {32, 33, 1000}) {
    SCOPED_TRACE(length);
    expect_matches_reference("Softmax", attrs({{"axis", std::int64_t{1}}}),
                             {runtime(random_tensor(rng, {5, length, 2}, -8.0f, 8.0f))},
                             kTolerance);
  }
}

// Normalized outputs are O(1): the mean and variance of up to 200000 float32 values, summed
// per lane then in a tree, stay within 1e-6 relative; 2e-5 of (1 + max |ref|) leaves margin.
// The truncated walk left the row unwritten.
TEST_F(NormalizationTest, LayerNormalizationOfLongRows) {
  std::mt19937 rng(56);
  for (std::int64_t length : kLongLines) {
    SCOPED_TRACE(length);
    expect_matches_reference(
        "LayerNormalization", attrs({{"axis", std::int64_t{-1}}}),
        {runtime(random_tensor(rng, {2, length}, -3.0f, 5.0f)),
         constant(random_tensor(rng, {length})), constant(random_tensor(rng, {length}))},
        2e-5);
  }
  // Scale broadcast over a split row (axis 1 of [2, 7, 10000]: 70000 per row).
  expect_matches_reference("LayerNormalization", attrs({{"axis", std::int64_t{1}}}),
                           {runtime(random_tensor(rng, {2, 7, 10000}, -3.0f, 5.0f)),
                            constant(random_tensor(rng, {1, 10000}))},
                           2e-5);
}

}  // namespace
}  // namespace tandem::vulkan::testing
