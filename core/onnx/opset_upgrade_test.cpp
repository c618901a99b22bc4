// Older op forms read from hand-built models come out in the opset-17 form, and compute
// what the old opset meant (checked against values worked out by hand).
#include "core/onnx/opset_upgrade.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/onnx/onnx_test_model.h"
#include "core/reference_backend.h"

namespace tandem {
namespace {

using namespace onnx_test;

constexpr double kTolerance = 1e-12;   // float64 reference on a handful of operations

const Tensor& constant_input(const Graph& graph, const Node& node, std::size_t index) {
  EXPECT_LT(index, node.inputs.size());
  const Value& value = graph.value(node.inputs.at(index));
  EXPECT_TRUE(value.constant.has_value()) << "input " << index << " of " << node.label();
  return *value.constant;
}

Tensor run_one(const Graph& graph, const Tensor& x) {
  return run_reference(plan_folding(graph, {x.info()}), {x}).at(0);
}

Tensor sequence(DType dtype, Shape shape, double start = 0.0, double step = 1.0) {
  std::vector<double> values(static_cast<std::size_t>(shape_numel(shape)));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = start + step * static_cast<double>(i);
  return Tensor::from(dtype, std::move(shape), values);
}

void expect_values(const Tensor& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.numel(), static_cast<std::int64_t>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual.value_f64(static_cast<std::int64_t>(i)), expected[i], kTolerance) << "element " << i;
  }
}

TEST(OpsetUpgrade, ClipAttributesBecomeInputs) {
  ModelBuilder m(10);
  m.input("x", {5});
  auto* clip = m.node("Clip", {"x"}, {"y"}, "clip");
  set_float(clip, "min", -1.0f);
  set_float(clip, "max", 1.5f);
  m.output("y");
  const Graph graph = m.import();
  const Node& node = graph.nodes().at(0);
  EXPECT_TRUE(node.attributes.all().empty());
  EXPECT_EQ(constant_input(graph, node, 1).value_f64(0), -1.0);
  EXPECT_EQ(constant_input(graph, node, 2).value_f64(0), 1.5);
  const Tensor x = Tensor::from(DType::F32, {5}, std::vector<float>{-3.0f, -0.5f, 0.25f, 1.5f, 7.0f});
  expect_values(run_one(graph, x), {-1.0, -0.5, 0.25, 1.5, 1.5});
}

TEST(OpsetUpgrade, ClipWithOnlyMaxLeavesMinOmitted) {
  ModelBuilder m(9);
  m.input("x", {3});
  set_float(m.node("Clip", {"x"}, {"y"}, "clip"), "max", 0.0f);
  m.output("y");
  const Graph graph = m.import();
  const Node& node = graph.nodes().at(0);
  ASSERT_EQ(node.inputs.size(), 3u);
  EXPECT_EQ(node.inputs[1], kNoValue);
  const Tensor x = Tensor::from(DType::F32, {3}, std::vector<float>{-65536.0f, 2.0f, -4.0f});
  expect_values(run_one(graph, x), {-65536.0, 0.0, -4.0});
}

TEST(OpsetUpgrade, SliceAttributesBecomeInputs) {
  ModelBuilder m(9);
  m.input("x", {3, 4});
  auto* slice = m.node("Slice", {"x"}, {"y"}, "slice");
  set_ints(slice, "starts", {1, -3});
  set_ints(slice, "ends", {3, 100});
  set_ints(slice, "axes", {0, 1});
  m.output("y");
  const Graph graph = m.import();
  const Node& node = graph.nodes().at(0);
  ASSERT_EQ(node.inputs.size(), 4u);
  EXPECT_EQ(constant_input(graph, node, 1).to_i64_vector(), (std::vector<std::int64_t>{1, -3}));
  EXPECT_EQ(constant_input(graph, node, 3).to_i64_vector(), (std::vector<std::int64_t>{0, 1}));
  // x = 0..11 as 3x4; rows 1..2, columns 1..3.
  const Tensor y = run_one(graph, sequence(DType::F32, {3, 4}));
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  expect_values(y, {5, 6, 7, 9, 10, 11});
}

TEST(OpsetUpgrade, SqueezeUnsqueezeAndReduceSumAxesBecomeInputs) {
  ModelBuilder m(11);
  m.input("x", {1, 2, 3});
  set_ints(m.node("Squeeze", {"x"}, {"s"}, "squeeze"), "axes", {0});
  set_ints(m.node("Unsqueeze", {"s"}, {"u"}, "unsqueeze"), "axes", {1});
  auto* reduce = m.node("ReduceSum", {"u"}, {"y"}, "reduce");
  set_ints(reduce, "axes", {1});
  set_int(reduce, "keepdims", 0);
  m.output("y");
  const Graph graph = m.import();
  for (const Node& node : graph.nodes()) {
    EXPECT_FALSE(node.attributes.has("axes")) << node.label();
    ASSERT_EQ(node.inputs.size(), 2u) << node.label();
  }
  EXPECT_EQ(constant_input(graph, graph.nodes()[1], 1).to_i64_vector(), (std::vector<std::int64_t>{1}));
  // x = 0..5 as [1,2,3] -> [2,3] -> [2,1,3] -> sum over axis 1 (size 1) -> [2,3], unchanged.
  const Tensor y = run_one(graph, sequence(DType::F32, {1, 2, 3}, 0.5, 2.0));
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  expect_values(y, {0.5, 2.5, 4.5, 6.5, 8.5, 10.5});
}

TEST(OpsetUpgrade, ReduceSumOverTwoAxes) {
  ModelBuilder m(12);
  m.input("x", {2, 2, 2});
  set_ints(m.node("ReduceSum", {"x"}, {"y"}, "reduce"), "axes", {0, 2});
  m.output("y");
  const Graph graph = m.import();
  // x = 0..7: y[j] = sum over i,k of x[i][j][k]; j=0: 0+1+4+5, j=1: 2+3+6+7 (keepdims 1).
  const Tensor y = run_one(graph, sequence(DType::F32, {2, 2, 2}));
  EXPECT_EQ(y.shape(), (Shape{1, 2, 1}));
  expect_values(y, {10, 18});
}

TEST(OpsetUpgrade, PadAttributesBecomeInputs) {
  ModelBuilder m(10);
  m.input("x", {2, 2});
  auto* pad = m.node("Pad", {"x"}, {"y"}, "pad");
  set_ints(pad, "pads", {0, 1, 1, 0});
  set_float(pad, "value", 9.0f);
  m.output("y");
  const Graph graph = m.import();
  const Node& node = graph.nodes().at(0);
  EXPECT_EQ(constant_input(graph, node, 1).to_i64_vector(), (std::vector<std::int64_t>{0, 1, 1, 0}));
  EXPECT_EQ(constant_input(graph, node, 2).value_f64(0), 9.0);
  EXPECT_EQ(node.attributes.get_string("mode", "constant"), "constant");
  const Tensor y = run_one(graph, sequence(DType::F32, {2, 2}, 1.0));
  EXPECT_EQ(y.shape(), (Shape{3, 3}));
  expect_values(y, {9, 1, 2, 9, 3, 4, 9, 9, 9});
}

TEST(OpsetUpgrade, Resize10BecomesOpset11FormWithItsOldCoordinates) {
  ModelBuilder m(10);
  m.input("x", {1, 1, 2, 2});
  m.initializer_f32("scales", {4}, {1.0f, 1.0f, 2.0f, 1.5f});
  m.node("Resize", {"x", "scales"}, {"y"}, "resize");
  m.output("y");
  const Graph graph = m.import();
  const Node& node = graph.nodes().at(0);
  ASSERT_EQ(node.inputs.size(), 3u);
  EXPECT_EQ(node.inputs[1], kNoValue);
  EXPECT_EQ(node.attributes.get_string("coordinate_transformation_mode"), "asymmetric");
  EXPECT_EQ(node.attributes.get_string("nearest_mode"), "floor");
  // Output 4x3; source index floor(i / scale): rows 0,0,1,1; columns floor(0, 0.67, 1.33) = 0,0,1.
  const Tensor y = run_one(graph, sequence(DType::F32, {1, 1, 2, 2}, 1.0));
  EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 3}));
  expect_values(y, {1, 1, 2, 1, 1, 2, 3, 3, 4, 3, 3, 4});
}

TEST(OpsetUpgrade, Resize10DownsamplingTakesTheCeiling) {
  // The opset-10 test case resize_downsample_nearest: scales [1, 1, 0.6, 0.6] on 2x4.
  ModelBuilder m(10);
  m.input("x", {1, 1, 2, 4});
  m.initializer_f32("scales", {4}, {1.0f, 1.0f, 0.6f, 0.6f});
  m.node("Resize", {"x", "scales"}, {"y"}, "resize");
  m.output("y");
  const Graph graph = m.import();
  EXPECT_EQ(graph.nodes().at(0).attributes.get_string("nearest_mode"), "ceil");
  const Tensor y = run_one(graph, sequence(DType::F32, {1, 1, 2, 4}, 1.0));
  EXPECT_EQ(y.shape(), (Shape{1, 1, 1, 2}));
  expect_values(y, {1, 3});   // the value the ONNX test data holds
}

TEST(OpsetUpgrade, BatchNormalizationSpatialZeroIsUnsupported) {
  ModelBuilder m(9);
  m.input("x", {1, 2, 1, 1});
  for (const char* p : {"s", "b", "m", "v"}) m.initializer_f32(p, {2}, {1.0f, 1.0f});
  set_int(m.node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y"}, "bn"), "spatial", 0);
  m.output("y");
  try {
    m.import("bn.onnx");
    FAIL() << "no error";
  } catch (const Unsupported& error) {
    EXPECT_STREQ(error.what(), "bn.onnx: node 'bn' (BatchNormalization): attribute 'spatial' = 0 is not supported");
  }
}

// Before opset 13, Softmax(axis=1) on [2,3,4] normalises each batch row of 12 values.
TEST(OpsetUpgrade, OldSoftmaxKeepsItsFlattenedMeaning) {
  ModelBuilder m(11);
  m.input("x", {2, 3, 4});
  set_int(m.node("Softmax", {"x"}, {"y"}, "softmax"), "axis", 1);
  m.output("y");
  const Graph graph = m.import();
  std::mt19937 random(77);
  std::normal_distribution<double> normal(0.0, 2.0);
  std::vector<double> values(24);
  for (double& v : values) v = normal(random);
  const Tensor x = Tensor::from(DType::F64, {2, 3, 4}, values);
  const Plan plan = plan_folding(graph, {{DType::F32, {2, 3, 4}}});
  const Tensor y = run_reference(plan, {x.cast(DType::F32)}).at(0);
  ASSERT_EQ(y.shape(), (Shape{2, 3, 4}));
  const Tensor x32 = x.cast(DType::F32);
  for (int row = 0; row < 2; ++row) {
    double sum = 0.0;
    for (int i = 0; i < 12; ++i) sum += std::exp(x32.value_f64(row * 12 + i));
    for (int i = 0; i < 12; ++i) {
      EXPECT_NEAR(y.value_f64(row * 12 + i), std::exp(x32.value_f64(row * 12 + i)) / sum, 1e-12);
    }
  }
}

TEST(OpsetUpgrade, OldSoftmaxOnTheLastAxisStaysOneNode) {
  ModelBuilder m(12);
  m.input("x", {2, 5});
  m.node("Softmax", {"x"}, {"y"}, "softmax");   // axis defaults to 1 = last
  m.output("y");
  const Graph graph = m.import();
  ASSERT_EQ(graph.nodes().size(), 1u);
  EXPECT_EQ(graph.nodes()[0].attributes.get_int("axis"), -1);
}

TEST(OpsetUpgrade, NewerOpsetsAreLeftAsTheyAre) {
  ModelBuilder m(13);
  m.input("x", {1, 3});
  m.initializer_i64("axes", {1}, {0});
  m.node("Squeeze", {"x", "axes"}, {"y"}, "squeeze");
  m.output("y");
  const Graph graph = m.import();
  ASSERT_EQ(graph.nodes().size(), 1u);
  EXPECT_EQ(graph.nodes()[0].inputs.size(), 2u);
  EXPECT_EQ(graph.value(graph.nodes()[0].inputs[1]).name, "axes");
}

}  // namespace
}  // namespace tandem
