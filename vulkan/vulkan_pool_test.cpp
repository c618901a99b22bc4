// Pools on the device against the float64 reference: kernels, strides, pads, dilations,
// ceil_mode, count_include_pad, auto_pad, 1-D and global pooling.
#include <random>

#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class PoolTest : public VulkanTest {};

using Ints = std::vector<std::int64_t>;

// Max is exact; averages sum at most 3136 float32 values in [-1, 1): 1e-5 relative.
constexpr double kTolerance = 1e-5;

const std::vector<Attributes>& window_cases() {
  static const std::vector<Attributes> cases = {
      attrs({{"kernel_shape", Ints{3, 3}}}),
      attrs({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}),
      attrs({{"kernel_shape", Ints{2, 3}}, {"strides", Ints{2, 1}}, {"pads", Ints{0, 1, 1, 2}}}),
      attrs(
          {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"ceil_mode", std::int64_t{1}}}),
      attrs({{"kernel_shape", Ints{2, 2}}, {"dilations", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}),
      attrs({{"kernel_shape", Ints{3, 3}},
             {"strides", Ints{2, 2}},
             {"auto_pad", std::string("SAME_UPPER")}}),
      attrs({{"kernel_shape", Ints{4, 4}},
             {"strides", Ints{3, 3}},
             {"auto_pad", std::string("SAME_LOWER")}}),
  };
  return cases;
}

TEST_F(PoolTest, MaxPool) {
  std::mt19937 rng(41);
  for (const Attributes& attributes : window_cases()) {
    expect_matches_reference("MaxPool", attributes, {runtime(random_tensor(rng, {2, 3, 13, 11}))},
                             0.0);
  }
  expect_matches_reference("MaxPool", attrs({{"kernel_shape", Ints{3}}, {"strides", Ints{2}}}),
                           {runtime(random_tensor(rng, {1, 5, 31}))}, 0.0);
}

TEST_F(PoolTest, AveragePool) {
  std::mt19937 rng(42);
  for (std::int64_t include_pad : {0, 1}) {
    for (Attributes attributes : window_cases()) {
      if (attributes.has("dilations")) continue;  // AveragePool gains dilations only in opset 19
      attributes.set("count_include_pad", include_pad);
      expect_matches_reference("AveragePool", attributes,
                               {runtime(random_tensor(rng, {1, 4, 9, 10}))}, kTolerance);
    }
  }
  expect_matches_reference("AveragePool", attrs({{"kernel_shape", Ints{4}}, {"pads", Ints{1, 2}}}),
                           {runtime(random_tensor(rng, {2, 3, 13}))}, kTolerance);
}

TEST_F(PoolTest, GlobalAveragePool) {
  std::mt19937 rng(43);
  for (const Shape& shape :
       {Shape{1, 13, 7, 7}, Shape{2, 3, 56, 56}, Shape{3, 5, 17}, Shape{1, 1, 1, 1}}) {
    expect_matches_reference("GlobalAveragePool", {},
                             {runtime(random_tensor(rng, shape, 0.1f, 1.0f))}, kTolerance);
  }
}

// Planes of 70000 and 200000 elements (lavapipe's loop limit once stopped a lone invocation
// at 65535: vulkan/loop_limit.h): each lane of a workgroup averages a share, then a tree.
// Means of values in [0.1, 1): rounding under 1e-6 relative; 2e-5 as for long reductions.
TEST_F(PoolTest, GlobalAveragePoolOverLargePlanes) {
  std::mt19937 rng(44);
  for (const Shape& shape : {Shape{1, 2, 280, 250}, Shape{2, 1, 400, 500}, Shape{1, 3, 70000}}) {
    SCOPED_TRACE(shape_to_string(shape));
    expect_matches_reference("GlobalAveragePool", {},
                             {runtime(random_tensor(rng, shape, 0.1f, 1.0f))}, 2e-5);
  }
}

// A window whose walk would pass the loop limit is refused at compile time, naming the node,
// rather than computed wrong.
TEST_F(PoolTest, WindowPastTheLoopLimitIsUnsupported) {
  std::mt19937 rng(45);
  EXPECT_THROW(expect_matches_reference("MaxPool", attrs({{"kernel_shape", Ints{200, 200}}}),
                                        {runtime(random_tensor(rng, {1, 1, 200, 200}))}, 0.0),
               Unsupported);
}

}  // namespace
}  // namespace tandem::vulkan::testing
