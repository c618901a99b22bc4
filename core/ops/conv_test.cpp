#include <gtest/gtest.h>

#include <cmath>

#include "core/op_registry.h"
#include "core/ops/conv_geometry.h"
#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;

constexpr double kTolerance = 1e-12;   // float64 sums of a few hundred O(1) products

std::vector<std::int64_t> unravel(std::int64_t index, const Shape& shape) {
  std::vector<std::int64_t> position(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    position[d] = index % shape[d];
    index /= shape[d];
  }
  return position;
}

std::int64_t ravel(const std::vector<std::int64_t>& position, const Shape& shape) {
  std::int64_t index = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) index = index * shape[d] + position[d];
  return index;
}

// The test's own convolution: im2col (an explicit column matrix with zeros for padding)
// followed by a plain GEMM per group. Written independently of the op's tap tables.
struct ConvCase {
  std::int64_t group = 1;
  Ints strides, dilations, pads;   // pads: begins then ends
};

Tensor im2col_conv(const Tensor& x, const Tensor& w, const Tensor* bias, const ConvCase& c) {
  const std::size_t rank = x.shape().size() - 2;
  const Shape in(x.shape().begin() + 2, x.shape().end());
  const Shape kernel(w.shape().begin() + 2, w.shape().end());
  Shape out;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::int64_t span = (kernel[d] - 1) * c.dilations[d] + 1;
    out.push_back((in[d] + c.pads[d] + c.pads[d + rank] - span) / c.strides[d] + 1);
  }
  const std::int64_t batch = x.shape()[0], channels = x.shape()[1], filters = w.shape()[0];
  const std::int64_t cg = channels / c.group, mg = filters / c.group;
  const std::int64_t k_count = shape_numel(kernel), p_count = shape_numel(out);
  Shape y_shape = {batch, filters};
  y_shape.insert(y_shape.end(), out.begin(), out.end());
  Tensor y(DType::F64, y_shape);
  for (std::int64_t n = 0; n < batch; ++n) {
    for (std::int64_t g = 0; g < c.group; ++g) {
      std::vector<double> columns(static_cast<std::size_t>(cg * k_count * p_count), 0.0);
      for (std::int64_t r = 0; r < cg * k_count; ++r) {
        const std::vector<std::int64_t> tap = unravel(r % k_count, kernel);
        for (std::int64_t p = 0; p < p_count; ++p) {
          std::vector<std::int64_t> pos = unravel(p, out);
          bool inside = true;
          for (std::size_t d = 0; d < rank; ++d) {
            pos[d] = pos[d] * c.strides[d] + tap[d] * c.dilations[d] - c.pads[d];
            inside = inside && pos[d] >= 0 && pos[d] < in[d];
          }
          if (!inside) continue;
          const std::int64_t channel = g * cg + r / k_count;
          columns[static_cast<std::size_t>(r * p_count + p)] =
              x.value_f64((n * channels + channel) * shape_numel(in) + ravel(pos, in));
        }
      }
      for (std::int64_t m = g * mg; m < (g + 1) * mg; ++m) {
        for (std::int64_t p = 0; p < p_count; ++p) {
          double sum = bias ? bias->value_f64(m) : 0.0;
          for (std::int64_t r = 0; r < cg * k_count; ++r) {
            sum += w.value_f64(m * cg * k_count + r) * columns[static_cast<std::size_t>(r * p_count + p)];
          }
          y.data<double>()[static_cast<std::size_t>((n * filters + m) * p_count + p)] = sum;
        }
      }
    }
  }
  return y;
}

Attributes conv_attributes(const ConvCase& c) {
  return make_attributes({{"group", c.group}, {"strides", c.strides},
                          {"dilations", c.dilations}, {"pads", c.pads}});
}

TEST(Conv, HandComputedPaddedFiveByFive) {
  // ONNX's test_basic_conv_with_padding: 0..24 through a 3x3 box filter with pads 1.
  std::vector<double> values(25);
  for (int i = 0; i < 25; ++i) values[static_cast<std::size_t>(i)] = i;
  const Tensor x = f64({1, 1, 5, 5}, values);
  const Tensor w = f64({1, 1, 3, 3}, std::vector<double>(9, 1.0));
  const auto y = run_single_node("Conv", make_attributes({{"pads", Ints{1, 1, 1, 1}}}),
                                 {runtime(x), constant(w)});
  expect_near_all(y[0], f64({1, 1, 5, 5}, {12, 21, 27, 33, 24, 33, 54, 63, 72, 51,
                                           63, 99, 108, 117, 81, 93, 144, 153, 162, 111,
                                           72, 111, 117, 123, 84}));
}

TEST(Conv, HandComputedStridesPaddingAndBias) {
  // ONNX's test_conv_with_strides_padding (7x5 input, stride 2), plus a bias of 0.5.
  std::vector<double> values(35);
  for (int i = 0; i < 35; ++i) values[static_cast<std::size_t>(i)] = i;
  const Tensor x = f64({1, 1, 7, 5}, values);
  const Tensor w = f64({1, 1, 3, 3}, std::vector<double>(9, 1.0));
  const auto y = run_single_node(
      "Conv", make_attributes({{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}}),
      {runtime(x), constant(w), constant(f64({1}, {0.5}))});
  expect_near_all(y[0], f64({1, 1, 4, 3}, {12.5, 27.5, 24.5, 63.5, 108.5, 81.5, 123.5, 198.5,
                                           141.5, 112.5, 177.5, 124.5}));
}

TEST(Conv, HandComputedOneDimensionalDilated) {
  // x = [1, 2, 3, 4, 5], w = [1, 10] with dilation 2: y[i] = x[i] + 10 x[i + 2].
  const auto y = run_single_node("Conv", make_attributes({{"dilations", Ints{2}}}),
                                 {runtime(f64({1, 1, 5}, {1, 2, 3, 4, 5})),
                                  constant(f64({1, 1, 2}, {1, 10}))});
  expect_near_all(y[0], f64({1, 1, 3}, {31, 42, 53}));
}

TEST(Conv, MatchesIm2colGemmOnRandomInputs) {
  std::mt19937 rng(1234);
  struct Setup {
    Shape x, w;
    ConvCase c;
  };
  const std::vector<Setup> setups = {
      {{2, 3, 7, 7}, {4, 3, 3, 3}, {1, {1, 1}, {1, 1}, {1, 1, 1, 1}}},
      {{1, 5, 9, 8}, {6, 5, 3, 2}, {1, {2, 3}, {1, 1}, {0, 1, 2, 1}}},
      {{1, 2, 11, 10}, {3, 2, 3, 3}, {1, {2, 1}, {2, 3}, {1, 0, 2, 3}}},
      {{2, 6, 8, 7}, {4, 3, 2, 3}, {2, {1, 2}, {2, 1}, {1, 1, 0, 1}}},
      {{1, 13, 6, 6}, {13, 1, 3, 3}, {13, {1, 1}, {1, 1}, {1, 1, 1, 1}}},   // depthwise
      {{3, 4, 17}, {5, 4, 4}, {1, {3}, {2}, {2, 1}}},                       // 1-D
      {{1, 2, 5, 4, 6}, {3, 2, 2, 3, 2}, {1, {1, 2, 2}, {2, 1, 1}, {0, 1, 1, 1, 0, 1}}},  // 3-D
  };
  for (const Setup& setup : setups) {
    const Tensor x = random_tensor(rng, setup.x);
    const Tensor w = random_tensor(rng, setup.w);
    const Tensor b = random_tensor(rng, {setup.w[0]});
    const auto y = run_single_node("Conv", conv_attributes(setup.c),
                                   {runtime(x), constant(w), constant(b)});
    expect_near_all(y[0], im2col_conv(x, w, &b, setup.c));
  }
}

// Channels [first, first + count) of an [N, C, ...] tensor.
Tensor channel_slice(const Tensor& t, std::int64_t first, std::int64_t count) {
  Shape shape = t.shape();
  const std::int64_t plane = shape_numel(Shape(shape.begin() + 2, shape.end()));
  const std::int64_t channels = shape[1];
  shape[1] = count;
  Tensor slice(DType::F64, shape);
  for (std::int64_t n = 0; n < shape[0]; ++n) {
    for (std::int64_t i = 0; i < count * plane; ++i) {
      slice.data<double>()[static_cast<std::size_t>(n * count * plane + i)] =
          t.value_f64((n * channels + first) * plane + i);
    }
  }
  return slice;
}

TEST(Conv, GroupedEqualsConcatenatedPerGroupConvs) {
  std::mt19937 rng(99);
  for (const std::int64_t group : {2, 3, 6}) {
    const Tensor x = random_tensor(rng, {2, 6, 6, 5});
    const Tensor w = random_tensor(rng, {12, 6 / group, 3, 3});
    const ConvCase grouped{group, {2, 1}, {1, 2}, {1, 2, 1, 0}};
    const Tensor y = run_single_node("Conv", conv_attributes(grouped), {runtime(x), constant(w)})[0];
    const std::int64_t mg = 12 / group;
    for (std::int64_t g = 0; g < group; ++g) {
      ConvCase single = grouped;
      single.group = 1;
      const Tensor part = run_single_node(
          "Conv", conv_attributes(single),
          {runtime(channel_slice(x, g * (6 / group), 6 / group)),
           constant(channel_slice(w.reshaped({1, 12, 6 / group * 9}), g * mg, mg)
                        .reshaped({mg, 6 / group, 3, 3}))})[0];
      expect_near_all(channel_slice(y, g * mg, mg), part);
    }
  }
}

TEST(Conv, SameUpperAndSameLowerPadTheOddElementAtOppositeEnds) {
  std::mt19937 rng(7);
  const Tensor x = random_tensor(rng, {1, 2, 4, 5});
  const Tensor w = random_tensor(rng, {3, 2, 2, 2});
  // 4 and 5 with a 2-wide kernel, stride 1: one padding element per dimension.
  auto run = [&](Attributes attributes) {
    return run_single_node("Conv", attributes, {runtime(x), constant(w)})[0];
  };
  const Tensor upper = run(make_attributes({{"auto_pad", std::string("SAME_UPPER")}}));
  const Tensor lower = run(make_attributes({{"auto_pad", std::string("SAME_LOWER")}}));
  EXPECT_EQ(upper.shape(), (Shape{1, 3, 4, 5}));
  expect_near_all(upper, run(make_attributes({{"pads", Ints{0, 0, 1, 1}}})));
  expect_near_all(lower, run(make_attributes({{"pads", Ints{1, 1, 0, 0}}})));
  EXPECT_GT(std::abs(upper.value_f64(0) - lower.value_f64(0)), 1e-6);
  // Stride 2 on 5 columns with a 2-wide kernel: ceil(5/2) = 3 outputs, total pad 1.
  const Tensor strided = run_single_node(
      "Conv", make_attributes({{"auto_pad", std::string("SAME_LOWER")}, {"strides", Ints{2, 2}}}),
      {runtime(x), constant(w)})[0];
  expect_near_all(strided, im2col_conv(x, w, nullptr, {1, {2, 2}, {1, 1}, {0, 1, 0, 0}}));
}

TEST(Conv, ShapeInferenceForOddSizes) {
  std::mt19937 rng(3);
  auto shape_of = [&](Attributes attributes, Shape x, Shape w) {
    return infer_single_node("Conv", attributes,
                             {runtime(random_tensor(rng, x)), constant(random_tensor(rng, w))});
  };
  // 7x7, kernel 3, stride 2: (7 - 3) / 2 + 1 = 3.
  EXPECT_EQ(shape_of(make_attributes({{"strides", Ints{2, 2}}}), {1, 1, 7, 7}, {2, 1, 3, 3}),
            (Shape{1, 2, 3, 3}));
  // Dilation 2 makes the kernel span 5: (7 + 2 - 5) / 2 + 1 = 3 with pads 1.
  EXPECT_EQ(shape_of(make_attributes({{"strides", Ints{2, 2}}, {"dilations", Ints{2, 2}},
                                      {"pads", Ints{1, 1, 1, 1}}}),
                     {1, 1, 7, 7}, {2, 1, 3, 3}),
            (Shape{1, 2, 3, 3}));
  EXPECT_EQ(shape_of(make_attributes({{"auto_pad", std::string("SAME_UPPER")}, {"strides", Ints{2, 2}}}),
                     {1, 1, 7, 7}, {2, 1, 3, 3}),
            (Shape{1, 2, 4, 4}));
  EXPECT_EQ(shape_of(make_attributes({{"auto_pad", std::string("VALID")}, {"dilations", Ints{3, 1}}}),
                     {1, 1, 7, 7}, {2, 1, 3, 3}),
            (Shape{1, 2, 1, 5}));
  EXPECT_EQ(shape_of(make_attributes({{"kernel_shape", Ints{3}}}), {2, 4, 9}, {8, 4, 3}),
            (Shape{2, 8, 7}));
}

TEST(Conv, FusedActivationIsAppliedAfterBias) {
  std::mt19937 rng(5);
  const Tensor x = random_tensor(rng, {1, 3, 5, 5});
  const Tensor w = random_tensor(rng, {4, 3, 3, 3});
  const Tensor b = random_tensor(rng, {4});
  const Tensor plain = run_single_node("Conv", {}, {runtime(x), constant(w), constant(b)})[0];
  struct Fused {
    std::string name;
    double alpha, beta;
    double (*expected)(double);
  };
  const std::vector<Fused> cases = {
      {"Relu", 0, 0, [](double v) { return v > 0 ? v : 0.0; }},
      {"LeakyRelu", 0.1, 0, [](double v) { return v >= 0 ? v : 0.1 * v; }},
      {"Clip", -0.5, 0.75, [](double v) { return v < -0.5 ? -0.5 : (v > 0.75 ? 0.75 : v); }},
      {"Sigmoid", 0, 0, [](double v) { return 1 / (1 + std::exp(-v)); }},
      {"Tanh", 0, 0, [](double v) { return std::tanh(v); }},
      {"HardSigmoid", 0.3, 0.4, [](double v) { return std::min(1.0, std::max(0.0, 0.3 * v + 0.4)); }},
      {"HardSwish", 0, 0, [](double v) { return v * std::min(1.0, std::max(0.0, v / 6 + 0.5)); }},
  };
  for (const Fused& fused : cases) {
    Attributes attributes = make_attributes({{kFusedActivation, fused.name},
                                             {kFusedAlpha, fused.alpha}, {kFusedBeta, fused.beta}});
    const Tensor y = run_single_node("Conv", attributes, {runtime(x), constant(w), constant(b)})[0];
    bool clipped_some = false;
    for (std::int64_t i = 0; i < y.numel(); ++i) {
      ASSERT_NEAR(y.value_f64(i), fused.expected(plain.value_f64(i)), kTolerance) << fused.name;
      clipped_some = clipped_some || y.value_f64(i) != plain.value_f64(i);
    }
    EXPECT_TRUE(clipped_some) << fused.name;
  }
}

TEST(Conv, FloatInputsRunThroughTheFloat64Reference) {
  std::mt19937 rng(11);
  const Tensor x = random_tensor(rng, {1, 2, 6, 6});
  const Tensor w = random_tensor(rng, {3, 2, 3, 3});
  const Tensor y = run_single_node("Conv", {}, {runtime(x.cast(DType::F32)),
                                               constant(w.cast(DType::F32))})[0];
  EXPECT_EQ(y.dtype(), DType::F64);
  expect_near_all(y, im2col_conv(x.cast(DType::F32).cast(DType::F64),
                                 w.cast(DType::F32).cast(DType::F64), nullptr,
                                 {1, {1, 1}, {1, 1}, {0, 0, 0, 0}}));
}

// Speed is the benchmark's business (bench/); this checks a layer of real size.
TEST(Conv, ResNetSizedLayer) {
  std::mt19937 rng(8);
  const Tensor x = random_tensor(rng, {1, 64, 56, 56});
  const Tensor w = random_tensor(rng, {64, 64, 3, 3});
  const Tensor y = run_single_node("Conv", make_attributes({{"pads", Ints{1, 1, 1, 1}}}),
                                   {runtime(x), constant(w)})[0];
  // Spot-check one interior and one corner output against a direct sum.
  for (const auto& [oy, ox] : {std::pair<int, int>{20, 31}, {0, 55}}) {
    double sum = 0;
    for (int c = 0; c < 64; ++c) {
      for (int ky = 0; ky < 3; ++ky) {
        for (int kx = 0; kx < 3; ++kx) {
          const int iy = oy + ky - 1, ix = ox + kx - 1;
          if (iy < 0 || iy >= 56 || ix < 0 || ix >= 56) continue;
          sum += w.value_f64(((5 * 64 + c) * 3 + ky) * 3 + kx) *
                 x.value_f64((c * 56 + iy) * 56 + ix);
        }
      }
    }
    EXPECT_NEAR(y.value_f64((5 * 56 + oy) * 56 + ox), sum, 1e-10);
  }
}

void expect_plan_error(const std::string& op_type, const Attributes& attributes,
                       const std::vector<NodeInput>& inputs, const std::string& fragment) {
  try {
    infer_single_node(op_type, attributes, inputs);
    FAIL() << "expected an error containing '" << fragment << "'";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("node 'under_test'"), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

// The GPU backends' shallow layers: at most 32 inputs per output, group 1, weights (rows of
// K rounded up to 4, and the biases) within 16 KiB and half the work-group memory; of those,
// the pointwise kernels pair positions of unpadded 1x1 layers with C a multiple of 4.
TEST(ShallowConv, WhichLayers) {
  Node conv;
  conv.op_type = "Conv";
  const auto shallow = [&](const Shape& x, const Shape& w, std::uint64_t local = 48 << 10) {
    return is_shallow_conv(resolve_conv(conv, x, w), local);
  };
  EXPECT_TRUE(shallow({64, 32, 112, 112}, {64, 32, 1, 1}));
  EXPECT_TRUE(shallow({64, 3, 224, 224}, {32, 3, 3, 3}));          // K 27, rows of 28
  EXPECT_TRUE(shallow({1, 32, 8, 8}, {124, 32, 1, 1}));            // 124 x 33 x 4 = 16368 bytes
  EXPECT_FALSE(shallow({1, 32, 8, 8}, {125, 32, 1, 1}));           // 16500 bytes
  EXPECT_FALSE(shallow({1, 36, 8, 8}, {64, 36, 1, 1}));            // K 36
  EXPECT_FALSE(shallow({1, 4, 8, 8}, {16, 4, 3, 3}));              // K 36
  EXPECT_FALSE(shallow({1, 32, 8, 8}, {64, 32, 1, 1}, 16 << 10));  // 8448 bytes, 8 KiB half
  conv.attributes = make_attributes({{"group", std::int64_t{2}}});
  EXPECT_FALSE(shallow({1, 16, 8, 8}, {16, 8, 1, 1}));

  conv.attributes = {};
  const auto paired = [&](const Shape& x, const Shape& w) {
    return is_paired_pointwise(resolve_conv(conv, x, w));
  };
  EXPECT_TRUE(paired({2, 32, 28, 28}, {64, 32, 1, 1}));
  EXPECT_TRUE(paired({1, 8, 2, 3, 4}, {5, 8, 1, 1, 1}));
  EXPECT_FALSE(paired({1, 16, 7, 7}, {13, 16, 1, 1}));  // odd positions
  EXPECT_FALSE(paired({1, 6, 8, 8}, {10, 6, 1, 1}));    // C not a multiple of 4
  EXPECT_FALSE(paired({1, 3, 8, 8}, {32, 3, 3, 3}));    // 3x3
  conv.attributes = make_attributes({{"strides", Ints{2, 2}}});
  EXPECT_FALSE(paired({1, 16, 8, 8}, {16, 16, 1, 1}));
}

// Weights [M, C/g, kh, kw] as each group's [K][M/g], K = (c, kh, kw) or tap-major (kh, kw, c).
TEST(ConvWeights, KMajorIsEachGroupsRowsTransposed) {
  std::mt19937 rng(77);
  const std::int64_t group = 2, m = 6, c = 3, taps = 4;  // 6 output channels per group
  const Tensor w = random_tensor(rng, {group * m, c, 2, 2});
  for (const bool tap_major : {false, true}) {
    const std::vector<float> columns = k_major_weights(w, tap_major, group);
    ASSERT_EQ(columns.size(), static_cast<std::size_t>(group * m * c * taps));
    for (std::int64_t g = 0; g < group; ++g) {
      for (std::int64_t i = 0; i < m; ++i) {
        for (std::int64_t ci = 0; ci < c; ++ci) {
          for (std::int64_t t = 0; t < taps; ++t) {
            const std::int64_t k = tap_major ? t * c + ci : ci * taps + t;
            const auto at = static_cast<std::size_t>((g * c * taps + k) * m + i);
            EXPECT_EQ(columns[at],
                      static_cast<float>(w.value_f64(((g * m + i) * c + ci) * taps + t)))
                << "group " << g << ", row " << i << ", k " << k
                << (tap_major ? " (tap-major)" : "");
          }
        }
      }
    }
  }
  EXPECT_THROW(k_major_weights(w, false, 5), Error);  // 12 output channels in 5 groups
}

WindowDim window_dim(std::int64_t input, std::int64_t output, std::int64_t kernel,
                     std::int64_t stride, std::int64_t pad, std::int64_t dilation) {
  WindowDim w;
  w.input = input;
  w.output = output;
  w.kernel = kernel;
  w.stride = stride;
  w.pad_begin = pad;
  w.dilation = dilation;
  return w;
}

// Quad rows: 3 wide, stride 2, pad 1, dilation 1, both widths multiples of 4, the last item's
// second float4 inside its row.
TEST(ShallowConv, QuadRows) {
  const auto quad = [](std::int64_t input, std::int64_t output, std::int64_t kernel = 3,
                       std::int64_t stride = 2, std::int64_t pad = 1, std::int64_t dilation = 1) {
    return has_quad_rows(window_dim(input, output, kernel, stride, pad, dilation));
  };
  EXPECT_TRUE(quad(224, 112));
  EXPECT_TRUE(quad(8, 4));
  EXPECT_TRUE(quad(16, 4));      // a narrower output: its last item ends before the row does
  EXPECT_FALSE(quad(8, 3));      // output width not a multiple of 4
  EXPECT_FALSE(quad(12, 6));     // nor here
  EXPECT_FALSE(quad(12, 8));     // a wide end pad: the last item reads columns 8..15
  EXPECT_FALSE(quad(230, 112));  // input width not a multiple of 4
  EXPECT_FALSE(quad(224, 224, 3, 1));     // stride 1
  EXPECT_FALSE(quad(224, 112, 5));        // 5 wide
  EXPECT_FALSE(quad(224, 112, 3, 2, 0));  // unpadded
  EXPECT_FALSE(quad(224, 112, 3, 2, 1, 2));  // dilated
}

// Quad columns: quad rows, or the same at stride 1, where the output is as wide as the input.
TEST(DepthwiseConv, QuadColumns) {
  const auto quad = [](std::int64_t input, std::int64_t output, std::int64_t stride,
                       std::int64_t kernel = 3, std::int64_t pad = 1, std::int64_t dilation = 1) {
    return has_quad_columns(window_dim(input, output, kernel, stride, pad, dilation));
  };
  EXPECT_TRUE(quad(112, 112, 1));
  EXPECT_TRUE(quad(112, 56, 2));
  EXPECT_TRUE(quad(16, 4, 2));          // a narrower output
  EXPECT_TRUE(quad(16, 12, 1));         // the same at stride 1
  EXPECT_FALSE(quad(16, 16, 1, 3, 0));  // unpadded: the first item starts at column 0
  EXPECT_FALSE(quad(16, 16, 1, 3, 2));  // pad 2
  EXPECT_FALSE(quad(14, 14, 1));        // widths not multiples of 4
  EXPECT_FALSE(quad(16, 14, 1));
  EXPECT_FALSE(quad(12, 8, 2));            // the last item's middle float4 starts at column 12
  EXPECT_FALSE(quad(16, 8, 3));            // stride 3
  EXPECT_FALSE(quad(16, 16, 1, 5, 2));     // 5 wide
  EXPECT_FALSE(quad(16, 16, 1, 3, 1, 2));  // dilated
  for (const std::int64_t input : {8, 16, 224}) {
    for (const std::int64_t output : {2, 4, 8, 112}) {
      const WindowDim w = window_dim(input, output, 3, 2, 1, 1);
      EXPECT_EQ(has_quad_rows(w), has_quad_columns(w)) << input << " -> " << output;
    }
  }
}

// The pointwise shallow kernels' group size on an H100 (132 units) for 1x1 32->64 at 112x112
// (6272 pairs an image), as OpenCL measured it (r185): 128 won at batches 1, 8 and 12, 256 at
// 4 and 16, and they tied at 32 and 64. Batch 8 in groups of 256 leaves 64 units one group
// where 68 run two (balance 0.74); 128 runs 392 groups 2 or 3 a unit (0.99).
TEST(ConvShallow, PointwiseGroupsSpreadOverUnits) {
  const auto group = [](std::int64_t batch) { return pointwise_shallow_group(batch * 6272, 132); };
  EXPECT_EQ(group(1), 128);
  EXPECT_EQ(group(4), 256);
  EXPECT_EQ(group(8), 128);
  EXPECT_EQ(group(12), 128);
  EXPECT_EQ(group(16), 256);
  EXPECT_EQ(group(64), 256);
  // One unit, or none reported: every group lands on it, so neither spreads better.
  EXPECT_EQ(pointwise_shallow_group(100000, 1), 256);
  EXPECT_EQ(pointwise_shallow_group(100000, 0), 256);
  EXPECT_EQ(pointwise_shallow_group(1, 132), 256);
}

// The backends' H100 block thresholds keep their share of a multiprocessor on other GPUs:
// 384 wanted on an H100 (about 2.9 a unit) is 117 on 40 units and 768 on 264; 96 (0.73 a
// unit) is 30 on 40 and 18 on 24, rounded up. Unreported units are an H100's.
TEST(SplitK, H100BlockCountsScaleWithTheUnits) {
  EXPECT_EQ(h100_blocks_for(384, 132), 384);
  EXPECT_EQ(h100_blocks_for(384, 0), 384);
  EXPECT_EQ(h100_blocks_for(384, 40), 117);
  EXPECT_EQ(h100_blocks_for(384, 264), 768);
  EXPECT_EQ(h100_blocks_for(96, 40), 30);
  EXPECT_EQ(h100_blocks_for(96, 24), 18);
  EXPECT_EQ(h100_blocks_for(1, 1), 1);
}

// How evenly blocks spread over one wave of 132 units running 3 blocks each.
TEST(SplitK, WaveBalanceIsTheMeanPerUnitOverTheMost) {
  const Wave wave{132, 3};
  EXPECT_DOUBLE_EQ(wave_balance(132, wave), 1.0);
  EXPECT_DOUBLE_EQ(wave_balance(66, wave), 0.5);           // half the units idle
  EXPECT_DOUBLE_EQ(wave_balance(200, wave), 200.0 / 264);  // 68 units run 2, 64 run 1
  EXPECT_DOUBLE_EQ(wave_balance(396, wave), 1.0);
  EXPECT_DOUBLE_EQ(wave_balance(397, wave), 0.0);  // a second wave
  EXPECT_DOUBLE_EQ(wave_balance(0, wave), 0.0);
}

// Split-K's parts: the count that spreads the blocks most evenly over one wave (of equally
// even ones the most), whole K steps, no part shallower than the minimum, and every k
// covered exactly once.
TEST(SplitK, PartsSpreadBlocksEvenlyAndCoverKInWholeSteps) {
  const auto parts = [](std::int64_t blocks, std::int64_t k, std::int64_t per_unit = 3,
                        std::int64_t min_depth = 256) {
    const KSplit split = split_k(blocks, k, 16, Wave{132, per_unit}, min_depth, 8);
    EXPECT_TRUE(split.depth % 16 == 0 || split.splits == 1);
    EXPECT_GE(split.splits * split.depth, k);
    EXPECT_LT((split.splits - 1) * split.depth, k);
    EXPECT_DOUBLE_EQ(split.balance, wave_balance(blocks * split.splits, Wave{132, per_unit}));
    return std::vector<std::int64_t>{split.splits, split.depth};
  };
  using Parts = std::vector<std::int64_t>;
  EXPECT_EQ(parts(56, 4608), (Parts{7, 672}));          // 392 blocks; 8 parts need a second wave
  EXPECT_EQ(parts(100, 2304), (Parts{3, 768}));         // 1, 2 or 3 parts as even: the most
  EXPECT_EQ(parts(50, 1024, 2, 128), (Parts{5, 208}));  // 250 of 264 slots; 4 parts: 200
  EXPECT_EQ(parts(4, 100000), (Parts{8, 12512}));       // at most 8
  EXPECT_EQ(parts(196, 600), (Parts{2, 304}));          // 296 in the last
  EXPECT_EQ(parts(392, 4608), (Parts{1, 4608}));        // a whole wave already
  EXPECT_EQ(parts(10, 400), (Parts{1, 400}));           // too shallow
}

TEST(Conv, RejectsBadAttributesAndShapesNamingTheNode) {
  std::mt19937 rng(2);
  const NodeInput x = runtime(random_tensor(rng, {1, 6, 5, 5}));
  const NodeInput w = constant(random_tensor(rng, {4, 6, 3, 3}));
  expect_plan_error("Conv", make_attributes({{"group", std::int64_t{4}}}), {x, w}, "group 4");
  expect_plan_error("Conv", make_attributes({{"group", std::int64_t{0}}}), {x, w}, "group");
  expect_plan_error("Conv", make_attributes({{"group", std::int64_t{2}}}), {x, w}, "channels per group");
  expect_plan_error("Conv", make_attributes({{"kernel_shape", Ints{2, 2}}}), {x, w}, "kernel_shape");
  expect_plan_error("Conv", make_attributes({{"pads", Ints{1, -1, 1, 1}}}), {x, w}, "pads");
  expect_plan_error("Conv", make_attributes({{"pads", Ints{1, 1}}}), {x, w}, "pads");
  expect_plan_error("Conv", make_attributes({{"strides", Ints{0, 1}}}), {x, w}, "strides");
  expect_plan_error("Conv", make_attributes({{"auto_pad", std::string("SAME")}}), {x, w}, "auto_pad");
  expect_plan_error("Conv", make_attributes({{"ceil_mode", std::int64_t{1}}}), {x, w}, "ceil_mode");
  expect_plan_error("Conv", make_attributes({{kFusedActivation, std::string("Gelu")}}), {x, w}, "Gelu");
  expect_plan_error("Conv", {}, {x}, "inputs");
  expect_plan_error("Conv", {}, {x, w, constant(random_tensor(rng, {3}))}, "bias");
  expect_plan_error("Conv", {}, {x, constant(random_tensor(rng, {4, 6, 7, 7}))}, "larger than");
  expect_plan_error("Conv", {}, {runtime(Tensor(DType::I64, {1, 6, 5, 5})), w}, "int64");
}

TEST(Conv, OmittedRequiredInputIsAnError) {
  try {
    infer_with_schema("Conv", {}, {std::nullopt, TensorInfo{DType::F32, {1, 1, 3, 3}}});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("node 'under_test' (Conv): input 0 is required"),
              std::string::npos)
        << error.what();
  }
}

TEST(Conv, UnsupportedIsThrownForIntegerInputs) {
  std::mt19937 rng(2);
  EXPECT_THROW(infer_single_node("Conv", {}, {runtime(Tensor(DType::I64, {1, 1, 3, 3})),
                                             constant(Tensor(DType::I64, {1, 1, 2, 2}))}),
               Unsupported);
}

}  // namespace
}  // namespace tandem
