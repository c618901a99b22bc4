#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/ops/direct_schema_call.h"
#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;
using V = std::vector<double>;

constexpr double kTolerance = 1e-12;   // a few double operations on O(10) values
constexpr double kInf = std::numeric_limits<double>::infinity();

// An empty tensor stands for an unused roi or scales, as exporters write it.
Tensor empty_f32() { return Tensor(DType::F32, {0}); }
Tensor f32s(const Shape& shape, const V& values) { return Tensor::from(DType::F32, shape, values); }
Attributes resize_attributes(const std::string& mode, const std::string& coordinates,
                             const std::string& nearest = "round_prefer_floor") {
  return make_attributes({{"mode", mode}, {"coordinate_transformation_mode", coordinates}, {"nearest_mode", nearest}});
}

Tensor resize_scales(const Tensor& x, const V& scales, const Attributes& attributes) {
  return run_single_node("Resize", attributes,
                         {runtime(x), constant(empty_f32()), constant(f32s({static_cast<std::int64_t>(scales.size())}, scales))})
      .at(0);
}

Tensor resize_sizes(const Tensor& x, const Ints& sizes, const Attributes& attributes) {
  return run_single_node("Resize", attributes,
                         {runtime(x), constant(empty_f32()), constant(empty_f32()),
                          constant(i64s({static_cast<std::int64_t>(sizes.size())}, sizes))})
      .at(0);
}

void expect_values(const Tensor& actual, const Shape& shape, const V& expected, double tolerance = kTolerance) {
  ASSERT_EQ(actual.shape(), shape);
  ASSERT_EQ(actual.numel(), static_cast<std::int64_t>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double a = actual.value_f64(static_cast<std::int64_t>(i));
    if (std::isinf(expected[i])) EXPECT_EQ(a, expected[i]) << "element " << i;
    else if (std::isnan(expected[i])) EXPECT_TRUE(std::isnan(a)) << "element " << i;
    else EXPECT_NEAR(a, expected[i], tolerance) << "element " << i;
  }
}

// ---------------------------------------------------------------- cases of the ONNX test suite

// Expected values are those of ONNX's backend tests (onnx/backend/test/case/node/resize.py)
// of the same names, recomputed from the spec formulas and checked by hand.
TEST(Resize, OnnxUpsampleScales) {
  const Tensor x = f64({1, 1, 2, 2}, {1, 2, 3, 4});
  // resize_upsample_scales_linear: half_pixel, [1, 2] -> [1, 1.25, 1.75, 2].
  expect_values(resize_scales(x, {1, 1, 2, 2}, resize_attributes("linear", "half_pixel")), {1, 1, 4, 4},
                {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  // resize_upsample_scales_linear_align_corners: thirds between the corners.
  expect_values(resize_scales(x, {1, 1, 2, 2}, resize_attributes("linear", "align_corners")), {1, 1, 4, 4},
                {1, 4.0 / 3, 5.0 / 3, 2, 5.0 / 3, 2, 7.0 / 3, 8.0 / 3, 7.0 / 3, 8.0 / 3, 3, 10.0 / 3, 3, 10.0 / 3,
                 11.0 / 3, 4});
  // resize_upsample_scales_nearest.
  expect_values(resize_scales(x, {1, 1, 2, 3}, {}), {1, 1, 4, 6},
                {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
}

TEST(Resize, OnnxDownsampleScales) {
  const Tensor x = f64({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  // Scale 0.6 as float32 (0.60000002384...), so 2 * 0.6 floors to 1 and 4 * 0.6 to 2.
  expect_values(resize_scales(x, {1, 1, 0.6, 0.6}, {}), {1, 1, 1, 2}, {1, 3});
  // resize_downsample_scales_linear: ONNX lists 2.6666665 and 4.3333331 (float32).
  expect_values(resize_scales(x, {1, 1, 0.6, 0.6}, resize_attributes("linear", "half_pixel")), {1, 1, 1, 2},
                {2.6666665010982156, 4.333333101537502});
  // resize_downsample_scales_linear_align_corners: the resized length is 4 * 0.6 = 2.4, not
  // 2, so column 1 maps to 3 / 1.4 = 2.142857 and reads 3.142857.
  expect_values(resize_scales(x, {1, 1, 0.6, 0.6}, resize_attributes("linear", "align_corners")), {1, 1, 1, 2},
                {1, 3.1428569968865943});
}

TEST(Resize, OnnxUpsampleSizesNearestModes) {
  V counting(16);
  for (std::size_t i = 0; i < 16; ++i) counting[i] = static_cast<double>(i + 1);
  const Tensor x = f64({1, 1, 4, 4}, counting);
  // resize_upsample_sizes_nearest_ceil_half_pixel.
  const V ceil_rows[] = {{1, 2, 2, 3, 3, 4, 4, 4}, {5, 6, 6, 7, 7, 8, 8, 8}, {5, 6, 6, 7, 7, 8, 8, 8},
                         {9, 10, 10, 11, 11, 12, 12, 12}, {9, 10, 10, 11, 11, 12, 12, 12},
                         {13, 14, 14, 15, 15, 16, 16, 16}, {13, 14, 14, 15, 15, 16, 16, 16},
                         {13, 14, 14, 15, 15, 16, 16, 16}};
  V expected;
  for (const V& row : ceil_rows) expected.insert(expected.end(), row.begin(), row.end());
  expect_values(resize_sizes(x, {1, 1, 8, 8}, resize_attributes("nearest", "half_pixel", "ceil")), {1, 1, 8, 8},
                expected);
  // resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric gives the same table.
  expect_values(resize_sizes(x, {1, 1, 8, 8}, resize_attributes("nearest", "asymmetric", "round_prefer_ceil")),
                {1, 1, 8, 8}, expected);
  // resize_upsample_sizes_nearest_floor_align_corners.
  const V floor_rows[] = {{1, 1, 1, 2, 2, 3, 3, 4}, {1, 1, 1, 2, 2, 3, 3, 4}, {1, 1, 1, 2, 2, 3, 3, 4},
                          {5, 5, 5, 6, 6, 7, 7, 8}, {5, 5, 5, 6, 6, 7, 7, 8}, {9, 9, 9, 10, 10, 11, 11, 12},
                          {9, 9, 9, 10, 10, 11, 11, 12}, {13, 13, 13, 14, 14, 15, 15, 16}};
  expected.clear();
  for (const V& row : floor_rows) expected.insert(expected.end(), row.begin(), row.end());
  expect_values(resize_sizes(x, {1, 1, 8, 8}, resize_attributes("nearest", "align_corners", "floor")), {1, 1, 8, 8},
                expected);
}

// ---------------------------------------------------------------- hand-computed cases

TEST(Resize, PytorchHalfPixelAndAsymmetricByHand) {
  const Tensor x = f64({1, 1, 2, 3}, {1, 2, 4, 8, 16, 32});
  // Height 2 * 0.5 = 1: pytorch_half_pixel maps it to row 0. Width 3 * 2.5 = 7.5, floored to 7:
  // x_original = (x + 0.5) / 2.5 - 0.5 = -0.3, 0.1, 0.5, 0.9, 1.3, 1.7, 2.1 (clamped at both ends).
  expect_values(resize_scales(x, {1, 1, 0.5, 2.5}, resize_attributes("linear", "pytorch_half_pixel")),
                {1, 1, 1, 7}, {1, 1.1, 1.5, 1.9, 2.6, 3.4, 4});
  // Sizes [3, 2]: scales 1.5 and 2/3; asymmetric x / scale gives rows 0, 2/3, 4/3 (clamped
  // to 1) and columns 0, 1.5.
  expect_values(resize_sizes(x, {1, 1, 3, 2}, resize_attributes("linear", "asymmetric")), {1, 1, 3, 2},
                {1, 3, 17.0 / 3, 17, 8, 24});
}

TEST(Resize, NearestModesRoundExactHalvesByPreference) {
  const Tensor x = f64({1, 3}, {10, 20, 30});
  // asymmetric with scale 2: x / 2 = 0, 0.5, 1, 1.5, 2, 2.5.
  expect_values(resize_sizes(x, {1, 6}, resize_attributes("nearest", "asymmetric", "round_prefer_floor")), {1, 6},
                {10, 10, 20, 20, 30, 30});
  expect_values(resize_sizes(x, {1, 6}, resize_attributes("nearest", "asymmetric", "round_prefer_ceil")), {1, 6},
                {10, 20, 20, 30, 30, 30});
  // half_pixel with scale 3 on two values: (x + 0.5) / 3 - 0.5 = -1/3, 0, 1/3, 2/3, 1, 4/3.
  const Tensor y = f64({2}, {1, 2});
  expect_values(resize_scales(y, {3}, resize_attributes("nearest", "half_pixel", "floor")), {6}, {1, 1, 1, 1, 2, 2});
  expect_values(resize_scales(y, {3}, resize_attributes("nearest", "half_pixel", "ceil")), {6}, {1, 1, 2, 2, 2, 2});
  expect_values(resize_scales(y, {3}, resize_attributes("nearest", "half_pixel", "round_prefer_floor")), {6},
                {1, 1, 1, 2, 2, 2});
}

TEST(Resize, SpecialValuesStayWhereTheyAreRead) {
  // Nearest never mixes in a neighbour, so an infinity only appears where it is read.
  expect_values(resize_scales(f64({2}, {1, kInf}), {2}, {}), {4}, {1, 1, kInf, kInf});
  // Linear: positions with weight on the NaN become NaN, the first (clamped, weight 0) does not.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  expect_values(resize_scales(f64({2}, {1, nan}), {2}, resize_attributes("linear", "half_pixel")), {4},
                {1, nan, nan, nan});
}

TEST(Resize, Float32InputKeepsItsType) {
  const SingleNodeGraph graph = make_single_node_graph(
      "Resize", {}, {runtime(f32s({1, 1, 2, 2}, {1, 2, 3, 4})), constant(empty_f32()), constant(f32s({4}, {1, 1, 2, 2}))});
  EXPECT_EQ(plan_single_node(graph).info_of(graph.graph.outputs()[0]), (TensorInfo{DType::F32, {1, 1, 4, 4}}));
}

TEST(Resize, OmittedRoiAndScales) {
  // Resize(X, "", "", sizes) and Resize(X, "", scales), on the schema alone.
  const Tensor x = f64({1, 2}, {1, 3});
  expect_values(direct_schema::call("Resize", resize_attributes("linear", "align_corners"),
                                    {runtime(x), omitted(), omitted(), constant(i64s({2}, {1, 3}))})
                    .at(0),
                {1, 3}, {1, 2, 3});
  expect_values(direct_schema::call("Resize", {}, {runtime(x), omitted(), constant(f32s({2}, {1, 2}))}).at(0),
                {1, 4}, {1, 1, 3, 3});
  // The same through the pipeline.
  expect_values(run_single_node("Resize", resize_attributes("linear", "align_corners"),
                                {runtime(x), omitted(), omitted(), constant(i64s({2}, {1, 3}))})
                    .at(0),
                {1, 3}, {1, 2, 3});
  expect_values(run_single_node("Resize", {}, {runtime(x), omitted(), constant(f32s({2}, {1, 2}))}).at(0), {1, 4},
                {1, 1, 3, 3});
}

// ---------------------------------------------------------------- against the spec formulas

struct Transform {
  std::string coordinates;
  double scale, length;   // length = input * scale, not floored
  std::int64_t in;
  double operator()(double x) const {
    if (coordinates == "half_pixel") return (x + 0.5) / scale - 0.5;
    if (coordinates == "pytorch_half_pixel") return length > 1 ? (x + 0.5) / scale - 0.5 : 0;
    if (coordinates == "asymmetric") return x / scale;
    return length == 1 ? 0 : x * static_cast<double>(in - 1) / (length - 1);   // align_corners
  }
};

std::int64_t clamp_index(double i, std::int64_t n) {
  return static_cast<std::int64_t>(std::min(std::max(i, 0.0), static_cast<double>(n - 1)));
}

std::int64_t nearest_of(const std::string& mode, double x) {
  const double f = std::floor(x);
  if (mode == "floor") return static_cast<std::int64_t>(f);
  if (mode == "ceil") return static_cast<std::int64_t>(std::ceil(x));
  if (x - f == 0.5) return static_cast<std::int64_t>(mode == "round_prefer_floor" ? f : f + 1);
  return static_cast<std::int64_t>(std::round(x));
}

// The whole 2-D formula per output pixel: four corners and their bilinear weights (or the
// one nearest pixel), with coordinates clamped into the input as ONNX's 'edge' padding does.
double expected_pixel(const Tensor& x, std::int64_t plane, std::int64_t oy, std::int64_t ox, const Transform& ty,
                      const Transform& tx, const std::string& mode, const std::string& nearest) {
  const std::int64_t h = x.shape()[2], w = x.shape()[3];
  auto at = [&](std::int64_t r, std::int64_t c) { return x.value_f64(plane * h * w + r * w + c); };
  const double sy = ty(static_cast<double>(oy)), sx = tx(static_cast<double>(ox));
  if (mode == "nearest") {
    return at(clamp_index(static_cast<double>(nearest_of(nearest, sy)), h),
              clamp_index(static_cast<double>(nearest_of(nearest, sx)), w));
  }
  const double cy = std::min(std::max(sy, 0.0), static_cast<double>(h - 1));
  const double cx = std::min(std::max(sx, 0.0), static_cast<double>(w - 1));
  const std::int64_t r0 = clamp_index(std::floor(cy), h), c0 = clamp_index(std::floor(cx), w);
  const std::int64_t r1 = std::min(r0 + 1, h - 1), c1 = std::min(c0 + 1, w - 1);
  const double wy = cy - static_cast<double>(r0), wx = cx - static_cast<double>(c0);
  return (1 - wy) * ((1 - wx) * at(r0, c0) + wx * at(r0, c1)) + wy * ((1 - wx) * at(r1, c0) + wx * at(r1, c1));
}

TEST(Resize, RandomGridsMatchTheSpecFormulas) {
  std::mt19937 rng(2024);
  const Tensor x = random_tensor(rng, {2, 3, 5, 4}, -2, 2);
  const std::string coordinate_modes[] = {"half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners"};
  const std::string nearest_modes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  // Scales exact in float32. 5 * 0.25 = 1.25 and 4 * 0.25 = 1 both give one row or column;
  // only the second takes the length-1 paths of pytorch_half_pixel and align_corners.
  const std::pair<double, double> scales[] = {{2, 1.5}, {0.5, 0.75}, {1.25, 2.5}, {0.25, 0.25}};
  int checked = 0;
  for (const std::string& coordinates : coordinate_modes) {
    for (const auto& [sh, sw] : scales) {
      for (int variant = 0; variant < 5; ++variant) {
        const std::string mode = variant == 4 ? "linear" : "nearest";
        const std::string nearest = nearest_modes[variant % 4];
        const Tensor y = resize_scales(x, {1, 1, sh, sw}, resize_attributes(mode, coordinates, nearest));
        const Transform ty{coordinates, sh, 5 * sh, 5}, tx{coordinates, sw, 4 * sw, 4};
        ASSERT_EQ(y.shape(), (Shape{2, 3, static_cast<std::int64_t>(std::floor(5 * sh)),
                                    static_cast<std::int64_t>(std::floor(4 * sw))}));
        const std::int64_t oh = y.shape()[2], ow = y.shape()[3];
        for (std::int64_t i = 0; i < y.numel(); ++i) {
          const double expected = expected_pixel(x, i / (oh * ow), (i / ow) % oh, i % ow, ty, tx, mode, nearest);
          ASSERT_NEAR(y.value_f64(i), expected, kTolerance)
              << mode << " " << coordinates << " " << nearest << " scales " << sh << "," << sw << " element " << i;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 2000);
}

// Linear on every axis at once is trilinear: eight corners, weights multiplied per axis.
TEST(Resize, LinearOnAllAxesIsMultilinear) {
  std::mt19937 rng(77);
  const Tensor x = random_tensor(rng, {3, 4, 5});
  const Tensor y = resize_sizes(x, {5, 4, 2}, resize_attributes("linear", "half_pixel"));
  ASSERT_EQ(y.shape(), (Shape{5, 4, 2}));
  const Shape in = x.shape(), out = y.shape();
  for (std::int64_t i = 0; i < y.numel(); ++i) {
    const std::int64_t p[3] = {i / 8, (i / 2) % 4, i % 2};
    std::int64_t lo[3], hi[3];
    double w[3];
    for (int d = 0; d < 3; ++d) {
      const double scale = static_cast<double>(out[d]) / static_cast<double>(in[d]);
      const double s = std::min(std::max((static_cast<double>(p[d]) + 0.5) / scale - 0.5, 0.0),
                                static_cast<double>(in[d] - 1));
      lo[d] = static_cast<std::int64_t>(std::floor(s));
      hi[d] = std::min(lo[d] + 1, in[d] - 1);
      w[d] = s - static_cast<double>(lo[d]);
    }
    double expected = 0;
    for (int corner = 0; corner < 8; ++corner) {
      double weight = 1;
      std::int64_t q[3];
      for (int d = 0; d < 3; ++d) {
        const bool upper = (corner >> d) & 1;
        q[d] = upper ? hi[d] : lo[d];
        weight *= upper ? w[d] : 1 - w[d];
      }
      expected += weight * x.value_f64((q[0] * 4 + q[1]) * 5 + q[2]);
    }
    ASSERT_NEAR(y.value_f64(i), expected, kTolerance) << "element " << i;
  }
}

// ---------------------------------------------------------------- what is refused

TEST(Resize, UnsupportedFeaturesAndBadInputs) {
  const Tensor x = f64({1, 1, 2, 2}, {1, 2, 3, 4});
  auto with = [&](Attributes attributes) { return resize_scales(x, {1, 1, 2, 2}, attributes); };
  expect_error([&] { with(make_attributes({{"mode", std::string("cubic")}})); }, "mode 'cubic' is not supported", true);
  expect_error([&] { with(make_attributes({{"coordinate_transformation_mode", std::string("tf_crop_and_resize")}})); },
               "'tf_crop_and_resize' is not supported", true);
  expect_error([&] { with(make_attributes({{"antialias", std::int64_t{1}}})); }, "antialias", true);
  expect_error([&] { with(make_attributes({{"keep_aspect_ratio_policy", std::string("not_larger")}})); },
               "'not_larger' is not supported", true);
  expect_error([&] { with(make_attributes({{"mode", std::string("bilinear")}})); }, "mode 'bilinear' is unknown");
  expect_error([&] { with(make_attributes({{"nearest_mode", std::string("nearest")}})); }, "'nearest' is unknown");
  expect_error([&] { resize_scales(x, {2, 2}, {}); }, "scales has 2 values for input shape [1, 1, 2, 2]");
  expect_error([&] { resize_scales(x, {1, 1, -2, 2}, {}); }, "must be positive");
  expect_error([&] { resize_sizes(x, {1, 1, 0, 2}, {}); }, "cannot resize");
  expect_error([&] {
    run_single_node("Resize", {}, {runtime(x), constant(empty_f32()), constant(f32s({4}, {1, 1, 2, 2})),
                                   constant(i64s({4}, {1, 1, 4, 4}))});
  }, "exactly one of scales and sizes");
  expect_error([&] { run_single_node("Resize", {}, {runtime(x), constant(empty_f32()), constant(empty_f32())}); },
               "exactly one of scales and sizes");
  expect_error([&] {
    run_single_node("Resize", {}, {runtime(x), constant(empty_f32()), runtime(f32s({4}, {1, 1, 2, 2}))});
  }, "must be a constant");
  expect_error([&] { resize_scales(i64s({1, 2}, {1, 2}), {1, 2}, {}); }, "int64 inputs are not supported", true);
}

}  // namespace
}  // namespace tandem
