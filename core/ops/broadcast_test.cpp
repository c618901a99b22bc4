#include "core/ops/broadcast.h"

#include <gtest/gtest.h>

#include <random>

namespace tandem {
namespace {

using Ints = std::vector<std::int64_t>;

TEST(Broadcast, ShapesByHand) {
  EXPECT_EQ(broadcast_shape({2, 3}, {3}, "t"), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shape({2, 1, 4}, {3, 1}, "t"), (Shape{2, 3, 4}));
  EXPECT_EQ(broadcast_shape({}, {5, 2}, "t"), (Shape{5, 2}));
  EXPECT_EQ(broadcast_shape({0, 1}, {1, 7}, "t"), (Shape{0, 7}));
  EXPECT_EQ(broadcast_shape({1}, {0}, "t"), (Shape{0}));
}

TEST(Broadcast, IncompatibleShapesNameTheCaller) {
  try {
    broadcast_shape({2, 3}, {4, 2}, "node 'add_1' (Add)");
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "node 'add_1' (Add): cannot broadcast [2, 3] with [4, 2]");
  }
  EXPECT_THROW(broadcast_shape({0}, {3}, "t"), Error);
  EXPECT_THROW(broadcast_strides({3}, {2, 4}), Error);
  EXPECT_FALSE(broadcasts_to({2, 3}, {3}));
}

TEST(Broadcast, StridesAreZeroWhereBroadcast) {
  EXPECT_EQ(broadcast_strides({3, 1}, {2, 3, 4}), (Ints{0, 1, 0}));
  EXPECT_EQ(broadcast_strides({2, 1, 4}, {2, 3, 4}), (Ints{4, 0, 1}));
  EXPECT_EQ(broadcast_strides({}, {2, 2}), (Ints{0, 0}));
  EXPECT_EQ(broadcast_strides({2, 3}, {2, 3}), (Ints{3, 1}));
}

TEST(Broadcast, StridedOffsetsByHand) {
  // A transpose of a 2x3 matrix reads it with strides {1, 3}.
  EXPECT_EQ(strided_offsets({3, 2}, {1, 3}), (Ints{0, 3, 1, 4, 2, 5}));
  // A reversed slice from element 5 backwards by 2.
  EXPECT_EQ(strided_offsets({3}, {-2}, 5), (Ints{5, 3, 1}));
  EXPECT_EQ(strided_offsets({}, {}, 7), (Ints{7}));
  EXPECT_TRUE(strided_offsets({2, 0, 3}, {1, 1, 1}).empty());
}

// broadcast_offsets against the definition: unravel the output index, drop the leading
// dimensions, clamp broadcast dimensions to 0, ravel in the input.
TEST(Broadcast, RandomShapesMatchTheDefinition) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> dim(1, 4), rank(0, 4), coin(0, 2);
  for (int trial = 0; trial < 200; ++trial) {
    Shape output(static_cast<std::size_t>(rank(rng)));
    for (auto& d : output) d = dim(rng);
    const std::size_t input_rank = output.empty() ? 0 : static_cast<std::size_t>(rng() % (output.size() + 1));
    Shape input(output.end() - static_cast<std::ptrdiff_t>(input_rank), output.end());
    for (auto& d : input) d = coin(rng) == 0 ? 1 : d;
    const Ints offsets = broadcast_offsets(input, output);
    ASSERT_EQ(static_cast<std::int64_t>(offsets.size()), shape_numel(output));
    for (std::int64_t i = 0; i < shape_numel(output); ++i) {
      Ints position(output.size());
      std::int64_t rest = i;
      for (std::size_t d = output.size(); d-- > 0;) {
        position[d] = rest % output[d];
        rest /= output[d];
      }
      std::int64_t expected = 0;
      for (std::size_t d = 0; d < input.size(); ++d) {
        const std::int64_t p = input[d] == 1 ? 0 : position[output.size() - input.size() + d];
        expected = expected * input[d] + p;
      }
      ASSERT_EQ(offsets[static_cast<std::size_t>(i)], expected)
          << shape_to_string(input) << " -> " << shape_to_string(output) << " at " << i;
    }
  }
}

}  // namespace
}  // namespace tandem
