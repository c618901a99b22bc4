// The example models end to end through the reference backend, against values computed
// independently by examples/numpy_forward.py (numpy, float64) for the input
// x[i] = float32(sin(0.37 i)).
#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "core/onnx/onnx_test_model.h"
#include "core/planner.h"
#include "core/reference_backend.h"

namespace tandem {
namespace {

struct Expected {
  std::vector<std::pair<std::int64_t, double>> picks;   // flat index, value
  double sum_of_squares;
  double cosine_weighted_sum;                           // sum of cos(0.1 i) * out[i]
};

Tensor sine_input(const Shape& shape) {
  std::vector<float> values(static_cast<std::size_t>(shape_numel(shape)));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)));
  return Tensor::from(DType::F32, shape, values);
}

// `tolerance` is relative to each compared quantity's magnitude (at least 1).
void expect_matches(const Tensor& out, const Expected& expected, double tolerance) {
  for (const auto& [index, value] : expected.picks) {
    EXPECT_NEAR(out.value_f64(index), value, tolerance * std::max(1.0, std::abs(value))) << "element " << index;
  }
  double squares = 0.0;
  double weighted = 0.0;
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    squares += out.value_f64(i) * out.value_f64(i);
    weighted += std::cos(0.1 * static_cast<double>(i)) * out.value_f64(i);
  }
  EXPECT_NEAR(squares, expected.sum_of_squares, tolerance * std::max(1.0, expected.sum_of_squares));
  EXPECT_NEAR(weighted, expected.cosine_weighted_sum, tolerance * std::max(1.0, std::abs(expected.cosine_weighted_sum)));
}

const Expected kMobilenet = {
    {{0, 0.0028014726943102536}, {1, 0.00598550671509525}, {2, 0.013172421953150734},
     {3, 0.02635128930213747}, {4, 0.15517328657347287}, {5, 0.6875509754617231},
     {6, 0.030542096021883507}, {7, 0.07493734980872255}, {8, 0.0020699387746418484},
     {9, 0.0014156626948624812}, {10, 0.0030360501794613496}, {11, 0.005995181016485879},
     {12, 0.014240169806346846}, {13, 0.02792267912910268}, {14, 0.15548667315945813},
     {15, 0.677846669385894}, {16, 0.03047650344784211}, {17, 0.08151542939164359},
     {18, 0.0020515829304491927}, {19, 0.0014290615533162708}},
    0.9965310498559041,
    0.9570377995628238};

const Expected kTransformer = {
    {{0, 1.0070052905744373}, {1, 1.0754458397747364}, {63, 0.03859308362915326},
     {64, 0.1818012619306515}, {500, 1.8164349491839897}, {777, 1.118102301152475},
     {1023, 4.337294218983754}},
    4889.480670144486,
    145.86348707276704};

// Unoptimised, the reference computes what numpy does up to summation order (1e-9).
// Optimised, BatchNormalization is folded into float32 weights (rounding 6e-8 relative
// per weight), so 1e-5 relative.
constexpr double kSameMath = 1e-9;
constexpr double kFoldedWeights = 1e-5;

const FusionQuery kFuseAll = [](const std::string&, const std::string&) { return true; };

TEST(ExampleModels, MobilenetTinyMatchesNumpy) {
  const Graph graph = import_onnx_file(onnx_test::example_path("mobilenet_tiny.onnx"));
  const Tensor x = sine_input({2, 3, 32, 32});
  expect_matches(run_reference(onnx_test::plan_unoptimized(graph, {x.info()}), {x}).at(0), kMobilenet, kSameMath);
  expect_matches(run_reference(onnx_test::plan_folding(graph, {x.info()}, kFuseAll), {x}).at(0), kMobilenet,
                 kFoldedWeights);
}

TEST(ExampleModels, TransformerBlockMatchesNumpy) {
  const Graph graph = import_onnx_file(onnx_test::example_path("transformer_block.onnx"));
  const Tensor x = sine_input({1, 16, 64});
  expect_matches(run_reference(onnx_test::plan_folding(graph, {x.info()}), {x}).at(0), kTransformer, kSameMath);
}

// The same through the library's own pipeline (core/planner.cpp), as `tandem run` uses it.
TEST(ExampleModels, MakePlanRunsBothExamples) {
  const Graph mobilenet = import_onnx_file(onnx_test::example_path("mobilenet_tiny.onnx"));
  const Tensor image = sine_input({2, 3, 32, 32});
  PlanOptions options;
  options.fuses = kFuseAll;
  expect_matches(run_reference(make_plan(mobilenet, {image.info()}, options), {image}).at(0), kMobilenet,
                 kFoldedWeights);
  const Graph transformer = import_onnx_file(onnx_test::example_path("transformer_block.onnx"));
  const Tensor tokens = sine_input({1, 16, 64});
  expect_matches(run_reference(make_plan(transformer, {tokens.info()}, options), {tokens}).at(0), kTransformer,
                 kSameMath);
}

}  // namespace
}  // namespace tandem
