#include <gtest/gtest.h>

#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;

constexpr double kTolerance = 1e-12;

// Both output channels of ONNX's ConvTranspose examples: x = 0..8 as 3x3, W = ones [1,2,3,3].
Tensor two_channels(const Shape& spatial, const std::vector<double>& plane) {
  std::vector<double> values = plane;
  values.insert(values.end(), plane.begin(), plane.end());
  return f64({1, 2, spatial[0], spatial[1]}, values);
}

const Tensor& example_x() {
  static const Tensor x = f64({1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  return x;
}

const Tensor& example_w() {
  static const Tensor w = f64({1, 2, 3, 3}, std::vector<double>(18, 1.0));
  return w;
}

Tensor run_example(const Attributes& attributes) {
  return run_single_node("ConvTranspose", attributes,
                         {runtime(example_x()), constant(example_w())})[0];
}

TEST(ConvTranspose, HandComputedBasic) {
  expect_near_all(run_example({}), two_channels({5, 5}, {0, 1, 3, 3, 2, 3, 8, 15, 12, 7,
                                                         9, 21, 36, 27, 15, 9, 20, 33, 24, 13,
                                                         6, 13, 21, 15, 8}));
}

TEST(ConvTranspose, HandComputedDilations) {
  // ONNX's test_convtranspose_dilations.
  const Tensor y = run_single_node(
      "ConvTranspose", make_attributes({{"dilations", Ints{2, 2}}}),
      {runtime(f64({1, 1, 3, 3}, {3, 8, 1, 9, 5, 7, 3, 2, 6})),
       constant(f64({1, 1, 2, 2}, {7, 2, 1, 9}))})[0];
  expect_near_all(y, f64({1, 1, 5, 5}, {21, 56, 13, 16, 2, 63, 35, 67, 10, 14, 24, 22, 76, 76,
                                        21, 9, 5, 88, 45, 63, 3, 2, 33, 18, 54}));
}

// The full (uncropped) result of the strides [3, 2] examples, 9x7, from which ONNX's
// test_convtranspose_{pads,output_shape,pad,kernel_shape} cut or extend their outputs.
const std::vector<std::vector<double>> kStrided32Full = {
    {0, 0, 1, 1, 3, 2, 2}, {0, 0, 1, 1, 3, 2, 2},    {0, 0, 1, 1, 3, 2, 2},
    {3, 3, 7, 4, 9, 5, 5}, {3, 3, 7, 4, 9, 5, 5},    {3, 3, 7, 4, 9, 5, 5},
    {6, 6, 13, 7, 15, 8, 8}, {6, 6, 13, 7, 15, 8, 8}, {6, 6, 13, 7, 15, 8, 8}};

// Rows [row0, row0 + rows) and columns [col0, col0 + cols) of the full result, zeros outside.
Tensor window_of_full(std::int64_t row0, std::int64_t rows, std::int64_t col0, std::int64_t cols) {
  std::vector<double> plane;
  for (std::int64_t r = row0; r < row0 + rows; ++r) {
    for (std::int64_t c = col0; c < col0 + cols; ++c) {
      const bool inside = r >= 0 && r < 9 && c >= 0 && c < 7;
      plane.push_back(inside ? kStrided32Full[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] : 0.0);
    }
  }
  return two_channels({rows, cols}, plane);
}

TEST(ConvTranspose, HandComputedPadsCropTheFullResult) {
  // test_convtranspose_pads: pads [1, 2, 1, 2] remove one row and two columns each side.
  expect_near_all(run_example(make_attributes({{"strides", Ints{3, 2}}, {"pads", Ints{1, 2, 1, 2}}})),
                  window_of_full(1, 7, 2, 3));
}

TEST(ConvTranspose, HandComputedOutputShapeAndOutputPaddingExtendAtTheEnd) {
  const Tensor expected = window_of_full(0, 10, 0, 8);
  expect_near_all(run_example(make_attributes({{"strides", Ints{3, 2}}, {"output_shape", Ints{10, 8}}})),
                  expected);
  expect_near_all(run_example(make_attributes({{"strides", Ints{3, 2}}, {"output_padding", Ints{1, 1}}})),
                  expected);
  expect_near_all(run_example(make_attributes({{"strides", Ints{3, 2}}, {"output_shape", Ints{1, 2, 10, 8}},
                                               {"kernel_shape", Ints{3, 3}}, {"output_padding", Ints{1, 1}}})),
                  expected);
}

TEST(ConvTranspose, SameUpperCropsTheEndAndSameLowerTheBeginning) {
  // test_convtranspose_autopad_same: strides 2 give 6 of the 7 full rows and columns.
  const Tensor upper = run_example(make_attributes({{"auto_pad", std::string("SAME_UPPER")},
                                                    {"strides", Ints{2, 2}}}));
  expect_near_all(upper, two_channels({6, 6}, {0, 0, 1, 1, 3, 2, 0, 0, 1, 1, 3, 2,
                                               3, 3, 8, 5, 12, 7, 3, 3, 7, 4, 9, 5,
                                               9, 9, 20, 11, 24, 13, 6, 6, 13, 7, 15, 8}));
  const Tensor lower = run_example(make_attributes({{"auto_pad", std::string("SAME_LOWER")},
                                                    {"strides", Ints{2, 2}}}));
  expect_near_all(lower, two_channels({6, 6}, {0, 1, 1, 3, 2, 2, 3, 8, 5, 12, 7, 7,
                                               3, 7, 4, 9, 5, 5, 9, 20, 11, 24, 13, 13,
                                               6, 13, 7, 15, 8, 8, 6, 13, 7, 15, 8, 8}));
}

double dot(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  double sum = 0;
  for (std::int64_t i = 0; i < a.numel(); ++i) sum += a.value_f64(i) * b.value_f64(i);
  return sum;
}

// ConvTranspose is the adjoint of Conv with the same weights: <conv(x), y> = <x, convT(y)>.
TEST(ConvTranspose, IsTheAdjointOfConv) {
  std::mt19937 rng(4242);
  struct Setup {
    Shape x, w;
    std::int64_t group;
    Ints strides, dilations, pads;
  };
  const std::vector<Setup> setups = {
      {{1, 3, 7, 7}, {4, 3, 3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      {{2, 4, 9, 8}, {6, 2, 3, 2}, 2, {2, 3}, {2, 1}, {1, 0, 2, 1}},
      {{1, 5, 10, 11}, {5, 1, 3, 3}, 5, {2, 2}, {1, 2}, {0, 2, 1, 0}},
      {{2, 3, 13}, {2, 3, 4}, 1, {3}, {2}, {2, 1}},
      {{1, 2, 5, 6, 4}, {2, 2, 2, 3, 2}, 1, {2, 1, 2}, {1, 2, 1}, {1, 0, 1, 0, 1, 1}},
  };
  for (const Setup& s : setups) {
    const Tensor x = random_tensor(rng, s.x);
    const Tensor w = random_tensor(rng, s.w);
    const Attributes conv_attributes = make_attributes(
        {{"group", s.group}, {"strides", s.strides}, {"dilations", s.dilations}, {"pads", s.pads}});
    const Tensor conv_x = run_single_node("Conv", conv_attributes, {runtime(x), constant(w)})[0];
    const Tensor y = random_tensor(rng, conv_x.shape());
    // output_padding recovers the input rows a strided Conv skipped at the end.
    Ints output_padding;
    const std::size_t rank = s.x.size() - 2;
    for (std::size_t d = 0; d < rank; ++d) {
      const std::int64_t span = (s.w[d + 2] - 1) * s.dilations[d] + 1;
      output_padding.push_back((s.x[d + 2] + s.pads[d] + s.pads[d + rank] - span) % s.strides[d]);
    }
    Attributes transpose_attributes = conv_attributes;
    transpose_attributes.set("output_padding", output_padding);
    const Tensor convt_y =
        run_single_node("ConvTranspose", transpose_attributes, {runtime(y), constant(w)})[0];
    ASSERT_EQ(convt_y.shape(), x.shape());
    const double lhs = dot(conv_x, y);
    EXPECT_GT(std::abs(lhs), 1e-3);
    EXPECT_NEAR(lhs, dot(x, convt_y), 1e-10 * (1 + std::abs(lhs)));
  }
}

TEST(ConvTranspose, BiasIsAddedPerOutputChannel) {
  const Tensor y = run_single_node(
      "ConvTranspose", {},
      {runtime(example_x()), constant(example_w()), constant(f64({2}, {0.5, -2}))})[0];
  const Tensor plain = run_example({});
  for (std::int64_t i = 0; i < y.numel(); ++i) {
    ASSERT_NEAR(y.value_f64(i), plain.value_f64(i) + (i < 25 ? 0.5 : -2.0), kTolerance);
  }
}

TEST(ConvTranspose, ShapeInference) {
  std::mt19937 rng(1);
  auto shape_of = [&](Attributes attributes, Shape x, Shape w) {
    return infer_single_node("ConvTranspose", attributes,
                             {runtime(random_tensor(rng, x)), constant(random_tensor(rng, w))});
  };
  // 2 * (7 - 1) + 1 + (3 - 1) * 2 + 1 - 1 - 2 = 15 rows; 7 columns with stride 1, kernel 3.
  EXPECT_EQ(shape_of(make_attributes({{"strides", Ints{2, 1}}, {"dilations", Ints{2, 1}},
                                      {"output_padding", Ints{1, 0}}, {"pads", Ints{1, 1, 2, 1}}}),
                     {1, 4, 7, 7}, {4, 3, 3, 3}),
            (Shape{1, 3, 15, 7}));
  EXPECT_EQ(shape_of(make_attributes({{"group", std::int64_t{2}}, {"strides", Ints{2, 2}},
                                      {"auto_pad", std::string("SAME_LOWER")}}),
                     {1, 4, 7, 5}, {4, 3, 3, 3}),
            (Shape{1, 6, 14, 10}));
  EXPECT_EQ(shape_of(make_attributes({{"output_shape", Ints{12}}, {"strides", Ints{2}}}),
                     {1, 2, 5}, {2, 1, 4}),
            (Shape{1, 1, 12}));
}

TEST(ConvTranspose, RejectsBadAttributesNamingTheNode) {
  std::mt19937 rng(2);
  const NodeInput x = runtime(random_tensor(rng, {1, 4, 5, 5}));
  const NodeInput w = constant(random_tensor(rng, {4, 3, 3, 3}));
  auto expect_error = [&](Attributes attributes, std::vector<NodeInput> inputs, std::string fragment) {
    try {
      infer_single_node("ConvTranspose", attributes, inputs);
      FAIL() << "expected an error containing " << fragment;
    } catch (const Error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("node 'under_test' (ConvTranspose)"), std::string::npos) << message;
      EXPECT_NE(message.find(fragment), std::string::npos) << message;
    }
  };
  expect_error(make_attributes({{"group", std::int64_t{3}}}), {x, w}, "group 3");
  expect_error({}, {x, constant(random_tensor(rng, {3, 3, 3, 3}))}, "input channels");
  expect_error(make_attributes({{"output_padding", Ints{-1, 0}}}), {x, w}, "output_padding");
  expect_error(make_attributes({{"output_shape", Ints{4, 5, 6}}}), {x, w}, "output_shape");
  expect_error(make_attributes({{"pads", Ints{2, 2, 2, 2}}, {"strides", Ints{1, 1}}}),
               {runtime(random_tensor(rng, {1, 4, 1, 1})), w}, "empty");
  expect_error({}, {x, w, constant(random_tensor(rng, {4}))}, "bias");
}

}  // namespace
}  // namespace tandem
