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

}  // namespace
}  // namespace tandem::vulkan::testing
