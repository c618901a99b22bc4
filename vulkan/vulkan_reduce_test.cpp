// ReduceSum and ReduceMean on the device against the float64 reference: single, multiple,
// non-adjacent and all axes, keepdims, axes as input.
#include <random>

#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class ReduceTest : public VulkanTest {};

using Ints = std::vector<std::int64_t>;

// Sums of at most 3 * 13 * 31 = 1209 float32 values in [0.1, 1): the accumulated rounding
// stays under 1e-5 relative to the result.
constexpr double kTolerance = 1e-5;

Tensor axes(const Ints& values) {
  return Tensor::from<std::int64_t>(DType::I64, {static_cast<std::int64_t>(values.size())}, values);
}

TEST_F(ReduceTest, ReduceMeanAxesAttribute) {
  std::mt19937 rng(61);
  for (const Ints& axis_list : {Ints{1}, Ints{-1}, Ints{0, 2}, Ints{1, 3}, Ints{}}) {
    for (std::int64_t keepdims : {0, 1}) {
      Attributes attributes = attrs({{"keepdims", keepdims}});
      if (!axis_list.empty()) attributes.set("axes", axis_list);
      expect_matches_reference("ReduceMean", attributes,
                               {runtime(random_tensor(rng, {3, 13, 5, 7}, 0.1f, 1.0f))},
                               kTolerance);
    }
  }
}

TEST_F(ReduceTest, ReduceSumAxesInput) {
  std::mt19937 rng(62);
  for (const Ints& axis_list : {Ints{0}, Ints{1, 2}, Ints{-3, -1}}) {
    expect_matches_reference(
        "ReduceSum", attrs({{"keepdims", std::int64_t{0}}}),
        {runtime(random_tensor(rng, {3, 13, 31}, 0.1f, 1.0f)), constant(axes(axis_list))},
        kTolerance);
  }
  expect_matches_reference("ReduceSum", {}, {runtime(random_tensor(rng, {2, 3, 4}, 0.1f, 1.0f))},
                           kTolerance);
  expect_matches_reference("ReduceSum", attrs({{"noop_with_empty_axes", std::int64_t{1}}}),
                           {runtime(random_tensor(rng, {2, 3}, 0.1f, 1.0f))}, kTolerance);
}

}  // namespace
}  // namespace tandem::vulkan::testing
