#include <gtest/gtest.h>

#include <cmath>

#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;

constexpr double kTolerance = 1e-12;

Tensor iota(const Shape& shape, double first = 1.0) {
  Tensor t(DType::F64, shape);
  double value = first;
  for (double& v : t.data<double>()) v = value++;
  return t;
}

Tensor run_pool(const std::string& op_type, const Attributes& attributes, const Tensor& x) {
  return run_single_node(op_type, attributes, {runtime(x)})[0];
}

TEST(MaxPool, HandComputed) {
  const Tensor x = iota({1, 1, 4, 4});   // 1..16
  expect_near_all(run_pool("MaxPool", make_attributes({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}), x),
                  f64({1, 1, 2, 2}, {6, 8, 14, 16}));
  // ONNX's test_maxpool_2d_ceil and test_maxpool_2d_dilations.
  expect_near_all(run_pool("MaxPool", make_attributes({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}},
                                                       {"ceil_mode", std::int64_t{1}}}), x),
                  f64({1, 1, 2, 2}, {11, 12, 15, 16}));
  expect_near_all(run_pool("MaxPool", make_attributes({{"kernel_shape", Ints{2, 2}}, {"dilations", Ints{2, 2}}}), x),
                  f64({1, 1, 2, 2}, {11, 12, 15, 16}));
  // Negative values with padding: padding never wins a max.
  const Tensor negative = f64({1, 1, 1, 3}, {-5, -2, -7});
  expect_near_all(run_pool("MaxPool", make_attributes({{"kernel_shape", Ints{1, 2}}, {"pads", Ints{0, 1, 0, 1}}}),
                           negative),
                  f64({1, 1, 1, 4}, {-5, -2, -2, -7}));
}

TEST(AveragePool, HandComputed) {
  const Tensor x = iota({1, 1, 4, 4});
  // ONNX's test_averagepool_2d_ceil: the clipped windows average what they cover.
  expect_near_all(run_pool("AveragePool", make_attributes({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}},
                                                           {"ceil_mode", std::int64_t{1}}}), x),
                  f64({1, 1, 2, 2}, {6, 7.5, 12, 13.5}));
  // 3x3 of 1..9, 2x2 window, pads 1: the corner covers only x(0,0) = 1.
  const Tensor small = iota({1, 1, 3, 3});
  const Attributes padded = make_attributes({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  const Tensor excluded = run_pool("AveragePool", padded, small);
  Attributes including = padded;
  including.set("count_include_pad", std::int64_t{1});
  const Tensor included = run_pool("AveragePool", including, small);
  ASSERT_EQ(excluded.shape(), (Shape{1, 1, 4, 4}));
  EXPECT_NEAR(excluded.value_f64(0), 1.0, kTolerance);
  EXPECT_NEAR(included.value_f64(0), 0.25, kTolerance);
  EXPECT_NEAR(excluded.value_f64(1), 1.5, kTolerance);    // (1 + 2) / 2
  EXPECT_NEAR(included.value_f64(1), 0.75, kTolerance);   // (1 + 2) / 4
  EXPECT_NEAR(excluded.value_f64(5), 3.0, kTolerance);    // (1 + 2 + 4 + 5) / 4
  EXPECT_NEAR(included.value_f64(5), 3.0, kTolerance);
}

// The test's own pooling: for every output position, every tap of the window, with the
// padding and output extents passed in explicitly (so the op's geometry is not reused).
struct PoolCase {
  Shape x;
  Ints kernel, strides, dilations, pads;
  Shape out;   // expected output spatial shape, worked out by hand
  bool ceil_mode = false;
};

Tensor naive_pool(const Tensor& x, const PoolCase& c, bool max, bool count_include_pad) {
  const std::size_t rank = c.kernel.size();
  Shape y_shape = {x.shape()[0], x.shape()[1]};
  y_shape.insert(y_shape.end(), c.out.begin(), c.out.end());
  Tensor y(DType::F64, y_shape);
  const Shape in(x.shape().begin() + 2, x.shape().end());
  const std::int64_t out_count = shape_numel(c.out), k_count = shape_numel(c.kernel);
  for (std::int64_t plane = 0; plane < x.shape()[0] * x.shape()[1]; ++plane) {
    for (std::int64_t o = 0; o < out_count; ++o) {
      double best = -INFINITY, sum = 0;
      std::int64_t count = 0, padded_count = 0;
      for (std::int64_t k = 0; k < k_count; ++k) {
        std::int64_t o_rest = o, k_rest = k, offset = 0, scale = 1;
        bool inside = true, inside_padded = true;
        for (std::size_t d = rank; d-- > 0;) {
          const std::int64_t od = o_rest % c.out[d], kd = k_rest % c.kernel[d];
          o_rest /= c.out[d];
          k_rest /= c.kernel[d];
          const std::int64_t pos = od * c.strides[d] + kd * c.dilations[d] - c.pads[d];
          inside = inside && pos >= 0 && pos < in[d];
          inside_padded = inside_padded && pos >= -c.pads[d] && pos < in[d] + c.pads[d + rank];
          offset += pos * scale;
          scale *= in[d];
        }
        padded_count += inside_padded ? 1 : 0;
        if (!inside) continue;
        const double v = x.value_f64(plane * shape_numel(in) + offset);
        best = std::max(best, v);
        sum += v;
        ++count;
      }
      y.data<double>()[static_cast<std::size_t>(plane * out_count + o)] =
          max ? best : sum / static_cast<double>(count_include_pad ? padded_count : count);
    }
  }
  return y;
}

Attributes pool_attributes(const PoolCase& c) {
  return make_attributes({{"kernel_shape", c.kernel}, {"strides", c.strides}, {"dilations", c.dilations},
                          {"pads", c.pads}, {"ceil_mode", std::int64_t{c.ceil_mode ? 1 : 0}}});
}

const std::vector<PoolCase>& random_cases() {
  static const std::vector<PoolCase> cases = {
      {{2, 3, 7, 7}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, {4, 4}},
      {{1, 2, 7, 7}, {3, 3}, {2, 2}, {2, 2}, {0, 0, 0, 0}, {2, 2}},
      {{1, 2, 8, 9}, {3, 2}, {2, 3}, {1, 1}, {1, 0, 0, 1}, {4, 3}, true},       // ceil, last column window dropped
      {{1, 1, 9, 10}, {2, 3}, {3, 2}, {2, 1}, {0, 1, 1, 0}, {3, 5}, true},      // ceil + dilation
      {{2, 2, 11}, {3}, {2}, {1}, {1, 2}, {6}},                                 // 1-D
      {{1, 2, 5, 6, 4}, {2, 3, 2}, {2, 1, 2}, {1, 1, 1}, {1, 0, 1, 0, 1, 1}, {3, 5, 3}},   // 3-D
  };
  return cases;
}

TEST(MaxPool, MatchesExplicitWindowLoops) {
  std::mt19937 rng(17);
  for (const PoolCase& c : random_cases()) {
    const Tensor x = random_tensor(rng, c.x);
    expect_near_all(run_pool("MaxPool", pool_attributes(c), x), naive_pool(x, c, true, false));
  }
}

TEST(AveragePool, MatchesExplicitWindowLoopsWithAndWithoutPadCounting) {
  std::mt19937 rng(18);
  for (const PoolCase& c : random_cases()) {
    const Tensor x = random_tensor(rng, c.x);
    Attributes attributes = pool_attributes(c);
    expect_near_all(run_pool("AveragePool", attributes, x), naive_pool(x, c, false, false));
    attributes.set("count_include_pad", std::int64_t{1});
    expect_near_all(run_pool("AveragePool", attributes, x), naive_pool(x, c, false, true));
  }
}

TEST(Pool, SameUpperAndSameLowerEqualExplicitAsymmetricPads) {
  std::mt19937 rng(19);
  const Tensor x = random_tensor(rng, {1, 2, 6, 7});
  for (const std::string op : {"MaxPool", "AveragePool"}) {
    // 6 rows, kernel 3, stride 2: 3 outputs, total pad (3-1)*2+3-6 = 1; 7 columns: 4 outputs, pad 2.
    const Attributes upper = make_attributes({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}},
                                              {"auto_pad", std::string("SAME_UPPER")}});
    Attributes lower = upper;
    lower.set("auto_pad", std::string("SAME_LOWER"));
    Attributes explicit_upper = upper, explicit_lower = upper;
    explicit_upper.set("auto_pad", std::string("NOTSET"));
    explicit_upper.set("pads", Ints{0, 1, 1, 1});
    explicit_lower.set("auto_pad", std::string("NOTSET"));
    explicit_lower.set("pads", Ints{1, 1, 0, 1});
    const Tensor y_upper = run_pool(op, upper, x);
    EXPECT_EQ(y_upper.shape(), (Shape{1, 2, 3, 4}));
    expect_near_all(y_upper, run_pool(op, explicit_upper, x));
    expect_near_all(run_pool(op, lower, x), run_pool(op, explicit_lower, x));
  }
}

TEST(Pool, ShapeInferenceForOddSizesAndCeilMode) {
  std::mt19937 rng(20);
  auto shape_of = [&](Shape x, Attributes attributes) {
    return infer_single_node("MaxPool", attributes, {runtime(random_tensor(rng, x))});
  };
  const Attributes k3s2 = make_attributes({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}});
  Attributes k3s2_ceil = k3s2;
  k3s2_ceil.set("ceil_mode", std::int64_t{1});
  EXPECT_EQ(shape_of({1, 1, 7, 7}, k3s2), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(shape_of({1, 1, 7, 7}, k3s2_ceil), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(shape_of({1, 1, 8, 8}, k3s2), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(shape_of({1, 1, 8, 8}, k3s2_ceil), (Shape{1, 1, 4, 4}));
  // Dilation 2 widens the 3-tap kernel to 5: (7 + 2 - 5) / 2 + 1 = 3.
  Attributes dilated = k3s2;
  dilated.set("dilations", Ints{2, 2});
  dilated.set("pads", Ints{1, 1, 1, 1});
  EXPECT_EQ(shape_of({1, 1, 7, 7}, dilated), (Shape{1, 1, 3, 3}));
  // 5 + 1 + 1 with kernel 2, stride 2, ceil: a 4th window would start at 6, past the input
  // and its begin padding, so it is dropped (PyTorch's and onnxruntime's rule).
  EXPECT_EQ(shape_of({1, 1, 5, 5}, make_attributes({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}},
                                                    {"pads", Ints{1, 1, 1, 1}}, {"ceil_mode", std::int64_t{1}}})),
            (Shape{1, 1, 3, 3}));
  // ONNX's test_maxpool_2d_ceil_output_size_reduce_by_one: 2x2, kernel 1, stride 2 -> 1x1.
  EXPECT_EQ(shape_of({1, 1, 2, 2}, make_attributes({{"kernel_shape", Ints{1, 1}}, {"strides", Ints{2, 2}},
                                                    {"ceil_mode", std::int64_t{1}}})),
            (Shape{1, 1, 1, 1}));
  EXPECT_EQ(shape_of({1, 1, 7, 7}, make_attributes({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}},
                                                    {"auto_pad", std::string("SAME_LOWER")}})),
            (Shape{1, 1, 4, 4}));
  EXPECT_EQ(shape_of({1, 1, 7, 7}, make_attributes({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}},
                                                    {"auto_pad", std::string("VALID")}})),
            (Shape{1, 1, 3, 3}));
}

TEST(GlobalAveragePool, MeansOfEachPlane) {
  expect_near_all(run_single_node("GlobalAveragePool", {}, {runtime(iota({1, 2, 2, 3}))})[0],
                  f64({1, 2, 1, 1}, {3.5, 9.5}));
  std::mt19937 rng(21);
  const Tensor x = random_tensor(rng, {2, 3, 5, 4, 3});
  const Tensor y = run_single_node("GlobalAveragePool", {}, {runtime(x)})[0];
  ASSERT_EQ(y.shape(), (Shape{2, 3, 1, 1, 1}));
  for (std::int64_t p = 0; p < 6; ++p) {
    double sum = 0;
    for (std::int64_t i = 0; i < 60; ++i) sum += x.value_f64(p * 60 + i);
    EXPECT_NEAR(y.value_f64(p), sum / 60, kTolerance);
  }
}

void expect_error(const std::string& op_type, const Attributes& attributes, const Tensor& x,
                  const std::string& fragment, bool unsupported = false, int outputs = 1) {
  try {
    const SingleNodeGraph single = make_single_node_graph(op_type, attributes, {runtime(x)}, outputs);
    plan_single_node(single);
    FAIL() << "expected an error containing '" << fragment << "'";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("node 'under_test' (" + op_type + ")"), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
    EXPECT_EQ(dynamic_cast<const Unsupported*>(&error) != nullptr, unsupported) << message;
  }
}

TEST(Pool, RejectsBadAttributesAndUnsupportedFeatures) {
  std::mt19937 rng(22);
  const Tensor x = random_tensor(rng, {1, 2, 6, 6});
  const Attributes k2 = make_attributes({{"kernel_shape", Ints{2, 2}}});
  Attributes column_major = k2;
  column_major.set("storage_order", std::int64_t{1});
  expect_error("MaxPool", column_major, x, "storage_order", true);
  expect_error("MaxPool", k2, x, "Indices", true, 2);
  expect_error("MaxPool", {}, x, "kernel_shape");
  expect_error("AveragePool", make_attributes({{"kernel_shape", Ints{2}}}), x, "kernel_shape");
  expect_error("MaxPool", make_attributes({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{0, -1, 0, 0}}}), x, "pads");
  expect_error("MaxPool", make_attributes({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{1, 0}}}), x, "strides");
  expect_error("MaxPool", make_attributes({{"kernel_shape", Ints{7, 2}}}), x, "larger than");
  expect_error("MaxPool", make_attributes({{"kernel_shape", Ints{2, 2}}, {"ceil_mode", std::int64_t{2}}}), x,
               "ceil_mode");
  expect_error("AveragePool", make_attributes({{"kernel_shape", Ints{2, 2}}, {"count_include_pad", std::int64_t{3}}}),
               x, "count_include_pad");
  expect_error("GlobalAveragePool", {}, random_tensor(rng, {2, 3}), "spatial");
  expect_error("MaxPool", k2, Tensor(DType::I64, {1, 1, 4, 4}), "int64", true);
}

}  // namespace
}  // namespace tandem
