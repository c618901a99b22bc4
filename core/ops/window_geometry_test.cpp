#include "core/ops/window_geometry.h"

#include <gtest/gtest.h>

#include "core/ops/conv_geometry.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using op_test::Ints;
using op_test::make_attributes;

Node window_node(const std::string& op_type, const Attributes& attributes) {
  Node node;
  node.name = "geometry";
  node.op_type = op_type;
  node.attributes = attributes;
  return node;
}

TEST(WindowGeometry, StridedPositionsInsideCountsByBruteForce) {
  for (std::int64_t stride = 1; stride <= 3; ++stride) {
    for (std::int64_t offset = -7; offset <= 7; ++offset) {
      for (std::int64_t extent = 0; extent <= 9; ++extent) {
        const StridedRange range = strided_positions_inside(6, stride, offset, extent);
        for (std::int64_t p = 0; p < 6; ++p) {
          const std::int64_t dense = p * stride + offset;
          const bool inside = dense >= 0 && dense < extent;
          ASSERT_EQ(inside, p >= range.first && p < range.last)
              << "stride " << stride << " offset " << offset << " extent " << extent << " p " << p;
        }
      }
    }
  }
}

TEST(WindowGeometry, SameUpperAndLowerSplitOddPaddingOppositeWays) {
  // 7 wide, kernel 4, stride 2: 4 outputs, total padding (4 - 1) * 2 + 4 - 7 = 3.
  for (const auto& [mode, begin, end] : {std::tuple{"SAME_UPPER", 1, 2}, std::tuple{"SAME_LOWER", 2, 1}}) {
    const Node node = window_node("MaxPool", make_attributes({{"auto_pad", std::string(mode)},
                                                              {"kernel_shape", Ints{4}}, {"strides", Ints{2}}}));
    const WindowGeometry geometry = resolve_pool_window(node, {1, 1, 7});
    ASSERT_EQ(geometry.rank(), 1u);
    EXPECT_EQ(geometry.dims[0].output, 4);
    EXPECT_EQ(geometry.dims[0].pad_begin, begin) << mode;
    EXPECT_EQ(geometry.dims[0].pad_end, end) << mode;
  }
}

TEST(WindowGeometry, DilationAndCeilModeShapes) {
  const Node node = window_node("MaxPool", make_attributes({{"kernel_shape", Ints{3, 2}}, {"strides", Ints{2, 3}},
                                                            {"dilations", Ints{2, 1}}, {"ceil_mode", std::int64_t{1}},
                                                            {"pads", Ints{1, 0, 1, 2}}}));
  const WindowGeometry geometry = resolve_pool_window(node, {1, 1, 7, 7});
  EXPECT_EQ(geometry.dims[0].effective_kernel(), 5);
  EXPECT_EQ(geometry.output_spatial(), (Shape{3, 3}));   // ceil(4/2)+1 = 3; ceil(7/3)+1 = 4, dropped to 3
  EXPECT_EQ(geometry.dims[1].dense_index(2, 1), 7);
}

TEST(WindowGeometry, TransposedOutputShapeDerivesPadsWithFloorDivision) {
  const Node node = window_node("ConvTranspose", make_attributes({{"strides", Ints{3, 2}}}));
  const WindowAttributes attributes = read_window_attributes(node);
  // Full extents 9 and 7; asking for 10 and 6 extends one row at the end and crops one
  // column at the beginning (NOTSET puts the larger half of a positive total first).
  const WindowGeometry geometry =
      resolve_transposed_window(node, attributes, {3, 3}, {3, 3}, {}, {10, 6});
  EXPECT_EQ(geometry.dims[0].pad_begin, 0);
  EXPECT_EQ(geometry.dims[0].pad_end, -1);
  EXPECT_EQ(geometry.dims[1].pad_begin, 1);
  EXPECT_EQ(geometry.dims[1].pad_end, 0);
  EXPECT_EQ(geometry.output_spatial(), (Shape{10, 6}));
}

TEST(ConvGeometry, ResolvesChannelsAndGroups) {
  const Node conv = window_node("Conv", make_attributes({{"group", std::int64_t{4}}, {"strides", Ints{2, 2}},
                                                         {"pads", Ints{1, 1, 1, 1}}}));
  const ConvGeometry geometry = resolve_conv(conv, {2, 8, 9, 9}, {12, 2, 3, 3});
  EXPECT_EQ(geometry.in_channels_per_group(), 2);
  EXPECT_EQ(geometry.out_channels_per_group(), 3);
  EXPECT_EQ(geometry.output_shape(), (Shape{2, 12, 5, 5}));
  const Node transpose = window_node("ConvTranspose", make_attributes({{"group", std::int64_t{2}}}));
  EXPECT_EQ(resolve_conv_transpose(transpose, {1, 4, 3}, {4, 5, 2}).output_shape(), (Shape{1, 10, 4}));
  EXPECT_THROW(resolve_conv(conv, {2, 6, 9, 9}, {12, 2, 3, 3}), Error);
  EXPECT_THROW(resolve_conv(conv, {2, 8, 9}, {12, 2, 3, 3}), Error);
}

// 1x1 stride 1 without padding in every dim, whatever the rank; any 1-wide kernel that pads
// or strides is not.
TEST(WindowGeometry, UnpaddedOneByOne) {
  const Node plain = window_node("Conv", {});
  EXPECT_TRUE(resolve_conv(plain, {2, 8, 9, 7}, {4, 8, 1, 1}).window.is_unpadded_1x1());
  EXPECT_TRUE(resolve_conv(plain, {2, 8, 9}, {4, 8, 1}).window.is_unpadded_1x1());
  EXPECT_TRUE(resolve_conv(plain, {1, 8, 3, 4, 5}, {4, 8, 1, 1, 1}).window.is_unpadded_1x1());
  EXPECT_FALSE(resolve_conv(plain, {2, 8, 9, 7}, {4, 8, 3, 1}).window.is_unpadded_1x1());
  const Node strided = window_node("Conv", make_attributes({{"strides", Ints{1, 2}}}));
  EXPECT_FALSE(resolve_conv(strided, {2, 8, 9, 8}, {4, 8, 1, 1}).window.is_unpadded_1x1());
  const Node padded = window_node("Conv", make_attributes({{"pads", Ints{0, 1, 0, 1}}}));
  EXPECT_FALSE(resolve_conv(padded, {2, 8, 9, 7}, {4, 8, 1, 1}).window.is_unpadded_1x1());
}

}  // namespace
}  // namespace tandem
