// ReduceSum and ReduceMean on the device against the float64 reference: single, multiple,
// non-adjacent and all axes, keepdims, axes as input; and long reductions (2^20 elements per
// output), which lavapipe's loop limit once cut short at 21845 elements.
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

// Sums of up to 2^23 float32 values: each invocation adds at most 32768 of them, then a tree
// of at most 10 levels; 2e-5 of the result bounds that rounding with a wide margin (the
// truncation this guards against was 98% off).
constexpr double kLongTolerance = 2e-5;

TEST_F(ReduceTest, ReduceSumOfAMillionElements) {
  std::mt19937 rng(63);
  for (std::int64_t n : {std::int64_t{1} << 20, std::int64_t{1000003}}) {
    SCOPED_TRACE(n);
    expect_matches_reference("ReduceSum", attrs({{"keepdims", std::int64_t{0}}}),
                             {runtime(random_tensor(rng, {n}, 0.0f, 1.0f)), constant(axes({0}))},
                             kLongTolerance);
  }
}

TEST_F(ReduceTest, ReduceMeanOfLongRows) {
  std::mt19937 rng(64);
  expect_matches_reference("ReduceMean", attrs({{"axes", Ints{1}}}),
                           {runtime(random_tensor(rng, {16, 65536}, -1.0f, 3.0f))},
                           kLongTolerance);
}

// Reduced dims that cannot be merged (axes 0 and 2 of 3): the shader walks two of them for
// each of 2^18 elements per output.
TEST_F(ReduceTest, LongReductionOverSplitAxes) {
  std::mt19937 rng(65);
  expect_matches_reference(
      "ReduceSum", {},
      {runtime(random_tensor(rng, {8, 3, 32768}, 0.0f, 1.0f)), constant(axes({0, 2}))},
      kLongTolerance);
}

// 2^23 elements into one output: more than 256 invocations * 32768 steps, so the host picks
// a larger workgroup.
TEST_F(ReduceTest, ReductionNeedingALargerWorkgroup) {
  std::mt19937 rng(66);
  expect_matches_reference("ReduceMean", {},
                           {runtime(random_tensor(rng, {(std::int64_t{1} << 23) + 5}, -1.0f, 3.0f))},
                           kLongTolerance);
}

// Either side of the switch from one invocation to one workgroup per output (32 elements),
// and more outputs than one grid row holds (65535 workgroups), with a remainder.
TEST_F(ReduceTest, ShortAndLongReductionsWithManyOutputs) {
  std::mt19937 rng(67);
  for (std::int64_t reduced : {31, 32, 33, 257}) {
    SCOPED_TRACE(reduced);
    expect_matches_reference(
        "ReduceSum", {},
        {runtime(random_tensor(rng, {37, reduced}, 0.1f, 1.0f)), constant(axes({1}))},
        kTolerance);
  }
  expect_matches_reference("ReduceMean", attrs({{"axes", Ints{1}}}),
                           {runtime(random_tensor(rng, {65536 + 77, 40}, 0.1f, 1.0f))},
                           kTolerance);
}

}  // namespace
}  // namespace tandem::vulkan::testing
