#include "core/passes/passes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "core/onnx/onnx_test_model.h"
#include "core/op_registry.h"
#include "core/reference_backend.h"

namespace tandem {
namespace {

using onnx_test::plan_folding;
using onnx_test::plan_unoptimized;

Value named(const std::string& name) {
  Value value;
  value.name = name;
  return value;
}

// Builds IR graphs by value name; a name first seen as an output becomes a new value.
struct IrBuilder {
  Graph graph;
  std::map<std::string, ValueId> ids;

  ValueId input(const std::string& name, DType dtype, Shape shape) {
    Value value{name, dtype, shape, std::vector<std::string>(shape.size()), {}};
    ids[name] = graph.add_value(value);
    graph.inputs().push_back(ids[name]);
    return ids[name];
  }
  ValueId constant(const std::string& name, Tensor tensor) {
    return ids[name] = graph.add_constant(name, std::move(tensor));
  }
  Node& node(const std::string& op, const std::vector<std::string>& inputs,
             const std::vector<std::string>& outputs, Attributes attributes = {}) {
    Node node{op + "_" + std::to_string(graph.nodes().size()), op, {}, {}, std::move(attributes)};
    for (const auto& name : inputs) node.inputs.push_back(name.empty() ? kNoValue : ids.at(name));
    for (const auto& name : outputs) ids[name] = node.outputs.emplace_back(graph.add_value(named(name)));
    return graph.add_node(std::move(node));
  }
  void output(const std::string& name) { graph.outputs().push_back(ids.at(name)); }
};

Attributes attrs(std::initializer_list<std::pair<const std::string, Attribute>> list) {
  Attributes result;
  for (const auto& [name, value] : list) result.set(name, value);
  return result;
}

Tensor random_tensor(std::mt19937& random, Shape shape, double low = -1.0, double high = 1.0) {
  std::uniform_real_distribution<double> uniform(low, high);
  std::vector<double> values(static_cast<std::size_t>(shape_numel(shape)));
  for (double& v : values) v = uniform(random);
  return Tensor::from(DType::F32, std::move(shape), values);
}

std::map<std::string, int> op_counts(const Graph& graph) {
  std::map<std::string, int> counts;
  for (const Node& node : graph.nodes()) ++counts[node.op_type];
  return counts;
}

// Norm-wise relative error: every |actual - expected| within 1e-5 of the largest |expected|.
// The folded weights are stored in float32 (relative rounding 6e-8), so 1e-5 leaves room
// for sums of a few dozen products while still catching any wrong channel or offset.
constexpr double kRelativeTolerance = 1e-5;

void expect_close(const Tensor& actual, const Tensor& expected) {
  ASSERT_EQ(actual.shape(), expected.shape());
  double scale = 0.0;
  for (std::int64_t i = 0; i < expected.numel(); ++i) scale = std::max(scale, std::abs(expected.value_f64(i)));
  ASSERT_GT(scale, 0.0) << "expected output is all zeros: the comparison would prove nothing";
  for (std::int64_t i = 0; i < expected.numel(); ++i) {
    ASSERT_NEAR(actual.value_f64(i), expected.value_f64(i), kRelativeTolerance * scale) << "element " << i;
  }
}

// ------------------------------------------------------------------ constant folding

TEST(ConstantFolding, ShapeGatherUnsqueezeConcatChainBecomesAConstantShape) {
  IrBuilder b;
  b.input("x", DType::F32, {2, 3, 4});
  b.constant("index", Tensor::from(DType::I64, {}, std::vector<std::int64_t>{0}));
  b.constant("axes", Tensor::from(DType::I64, {1}, std::vector<std::int64_t>{0}));
  b.constant("rest", Tensor::from(DType::I64, {1}, std::vector<std::int64_t>{-1}));
  b.node("Shape", {"x"}, {"shape"});
  b.node("Gather", {"shape", "index"}, {"batch"}, attrs({{"axis", std::int64_t{0}}}));
  b.node("Unsqueeze", {"batch", "axes"}, {"batch1"});
  b.node("Concat", {"batch1", "rest"}, {"target"}, attrs({{"axis", std::int64_t{0}}}));
  b.node("Reshape", {"x", "target"}, {"flat"});
  b.node("Relu", {"flat"}, {"y"});
  b.output("y");
  Graph graph = b.graph;
  const auto info = infer_shapes_folding_constants(graph, {{DType::F32, {2, 3, 4}}});
  ASSERT_EQ(graph.nodes().size(), 2u);
  const Node& reshape = graph.nodes()[0];
  EXPECT_EQ(reshape.op_type, "Reshape");
  const Value& target = graph.value(reshape.inputs[1]);
  ASSERT_TRUE(target.constant.has_value());
  EXPECT_EQ(target.constant->dtype(), DType::I64);
  EXPECT_EQ(target.constant->to_i64_vector(), (std::vector<std::int64_t>{2, -1}));
  EXPECT_EQ(info[static_cast<std::size_t>(b.ids["y"])].shape, (Shape{2, 12}));

  std::mt19937 random(11);
  const Tensor x = random_tensor(random, {2, 3, 4});
  const Tensor y = run_reference(plan_folding(b.graph, {x.info()}), {x}).at(0);
  for (std::int64_t i = 0; i < 24; ++i) EXPECT_EQ(y.value_f64(i), std::max(0.0, x.value_f64(i)));
}

TEST(ConstantFolding, ShapeOfAKnownShapeFoldsAndFloatResultsKeepTheirDtype) {
  IrBuilder b;
  b.input("x", DType::F32, {2, 3});
  b.input("z", DType::F32, {2});
  b.node("Shape", {"x"}, {"shape"});
  b.node("Cast", {"shape"}, {"shape_f"}, attrs({{"to", std::int64_t{1}}}));   // to float32
  b.node("Add", {"shape_f", "z"}, {"y"});
  b.output("y");
  Graph graph = b.graph;
  fold_constants(graph, infer_shapes(graph, {{DType::F32, {2, 3}}, {DType::F32, {2}}}));
  ASSERT_EQ(graph.nodes().size(), 1u);
  const Value& folded = graph.value(graph.nodes()[0].inputs[0]);
  ASSERT_TRUE(folded.constant.has_value());
  EXPECT_EQ(folded.constant->dtype(), DType::F32);
  EXPECT_EQ(folded.constant->value_f64(0), 2.0);
  EXPECT_EQ(folded.constant->value_f64(1), 3.0);
}

TEST(ConstantFolding, ConstantWeightTransformsFoldAndComputedValuesStay) {
  IrBuilder b;
  std::mt19937 random(5);
  const Tensor w = random_tensor(random, {3, 4});
  b.input("x", DType::F32, {4, 3});
  b.constant("w", w);
  b.node("Transpose", {"w"}, {"wt"}, attrs({{"perm", std::vector<std::int64_t>{1, 0}}}));
  b.node("Relu", {"x"}, {"r"});
  b.node("Add", {"r", "wt"}, {"y"});
  b.output("y");
  Graph graph = b.graph;
  fold_constants(graph, infer_shapes(graph, {{DType::F32, {4, 3}}}));
  EXPECT_EQ(op_counts(graph), (std::map<std::string, int>{{"Add", 1}, {"Relu", 1}}));
  const Value& wt = graph.value(b.ids["wt"]);
  ASSERT_TRUE(wt.constant.has_value());
  EXPECT_EQ(wt.constant->dtype(), DType::F32);
  EXPECT_EQ(wt.constant->shape(), (Shape{4, 3}));
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 3; ++c) EXPECT_EQ(wt.constant->value_f64(r * 3 + c), w.value_f64(c * 4 + r));
  }
}

// ------------------------------------------------------------------ BatchNormalization folding

IrBuilder conv_bn_graph(std::mt19937& random, std::int64_t channels, std::int64_t group, bool bias) {
  IrBuilder b;
  b.input("x", DType::F32, {2, 4, 6, 5});
  b.constant("w", random_tensor(random, {channels, 4 / group, 3, 3}));
  if (bias) b.constant("b", random_tensor(random, {channels}));
  b.constant("scale", random_tensor(random, {channels}, 0.5, 2.0));
  b.constant("shift", random_tensor(random, {channels}));
  b.constant("mean", random_tensor(random, {channels}));
  b.constant("var", random_tensor(random, {channels}, 0.1, 3.0));
  const std::vector<std::string> conv_inputs = bias ? std::vector<std::string>{"x", "w", "b"}
                                                   : std::vector<std::string>{"x", "w"};
  b.node("Conv", conv_inputs, {"c"},
         attrs({{"pads", std::vector<std::int64_t>{1, 1, 1, 1}}, {"group", group}}));
  b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"y"},
         attrs({{"epsilon", 1e-3}}));
  b.output("y");
  return b;
}

TEST(FoldBatchnorm, FoldedConvComputesWhatConvThenBatchnormDid) {
  for (const auto& [channels, group, bias] : {std::tuple{8, 1, true}, std::tuple{5, 1, false},
                                              std::tuple{4, 4, true}, std::tuple{8, 2, false}}) {
    std::mt19937 random(100 + channels * 10 + group);
    const IrBuilder b = conv_bn_graph(random, channels, group, bias);
    const Tensor x = random_tensor(random, {2, 4, 6, 5});
    const Tensor expected = run_reference(plan_unoptimized(b.graph, {x.info()}), {x}).at(0);
    const Plan folded = plan_folding(b.graph, {x.info()});
    EXPECT_EQ(op_counts(folded.graph), (std::map<std::string, int>{{"Conv", 1}}));
    const Node& conv = folded.graph.nodes()[0];
    ASSERT_EQ(conv.inputs.size(), 3u);
    EXPECT_EQ(folded.graph.value(conv.inputs[1]).constant->dtype(), DType::F32);
    expect_close(run_reference(folded, {x}).at(0), expected);
  }
}

TEST(FoldBatchnorm, ConvWithAnOmittedBiasInputFolds) {
  std::mt19937 random(21);
  IrBuilder b = conv_bn_graph(random, 3, 1, false);
  b.graph.nodes()[0].inputs.push_back(kNoValue);   // bias named "" in the file
  const Tensor x = random_tensor(random, {2, 4, 6, 5});
  const Tensor expected = run_reference(plan_unoptimized(b.graph, {x.info()}), {x}).at(0);
  const Plan folded = plan_folding(b.graph, {x.info()});
  ASSERT_EQ(folded.graph.nodes().size(), 1u);
  EXPECT_NE(folded.graph.nodes()[0].inputs.at(2), kNoValue);
  expect_close(run_reference(folded, {x}).at(0), expected);
}

TEST(FoldBatchnorm, ConvOutputReadTwiceIsNotFolded) {
  std::mt19937 random(3);
  IrBuilder b = conv_bn_graph(random, 4, 1, true);
  b.node("Relu", {"c"}, {"other"});
  b.output("other");
  Graph graph = b.graph;
  fold_batchnorm_into_conv(graph);
  EXPECT_EQ(op_counts(graph), (std::map<std::string, int>{{"BatchNormalization", 1}, {"Conv", 1}, {"Relu", 1}}));
}

// ------------------------------------------------------------------ activation fusion

struct ActivationCase {
  std::string op;
  Attributes attributes;
  std::vector<double> bounds;   // Clip's min and max, as constant inputs
};

IrBuilder conv_activation_graph(std::mt19937& random, const ActivationCase& activation) {
  IrBuilder b;
  b.input("x", DType::F32, {1, 3, 7, 7});
  b.constant("w", random_tensor(random, {6, 3, 3, 3}));
  b.constant("b", random_tensor(random, {6}));
  b.node("Conv", {"x", "w", "b"}, {"c"}, attrs({{"strides", std::vector<std::int64_t>{2, 2}}}));
  std::vector<std::string> inputs = {"c"};
  for (std::size_t i = 0; i < activation.bounds.size(); ++i) {
    inputs.push_back("bound" + std::to_string(i));
    b.constant(inputs.back(), Tensor::from(DType::F32, {}, std::vector<double>{activation.bounds[i]}));
  }
  b.node(activation.op, inputs, {"y"}, activation.attributes);
  b.output("y");
  return b;
}

TEST(FuseActivation, FusedConvComputesWhatConvThenActivationDid) {
  const std::vector<ActivationCase> cases = {
      {"Relu", {}, {}},
      {"LeakyRelu", attrs({{"alpha", 0.1}}), {}},
      {"Clip", {}, {-0.5, 0.75}},
      {"Sigmoid", {}, {}},
      {"HardSigmoid", attrs({{"alpha", 0.3}, {"beta", 0.4}}), {}},
      {"HardSwish", {}, {}},
      {"Tanh", {}, {}},
  };
  const FusionQuery all = [](const std::string&, const std::string&) { return true; };
  for (const ActivationCase& activation : cases) {
    SCOPED_TRACE(activation.op);
    std::mt19937 random(42);
    const IrBuilder b = conv_activation_graph(random, activation);
    const Tensor x = random_tensor(random, {1, 3, 7, 7}, -2.0, 2.0);
    const Tensor expected = run_reference(plan_unoptimized(b.graph, {x.info()}), {x}).at(0);
    const Plan fused = plan_folding(b.graph, {x.info()}, all);
    ASSERT_EQ(fused.graph.nodes().size(), 1u);
    const Node& conv = fused.graph.nodes()[0];
    EXPECT_EQ(conv.attributes.get_string(kFusedActivation), activation.op);
    if (activation.op == "Clip") {
      EXPECT_EQ(conv.attributes.get_float(kFusedAlpha), -0.5);
      EXPECT_EQ(conv.attributes.get_float(kFusedBeta), 0.75);
    }
    expect_close(run_reference(fused, {x}).at(0), expected);
  }
}

TEST(FuseActivation, FusesOnlyWhatTheBackendAcceptsAndWhereItIsSafe) {
  std::mt19937 random(8);
  const FusionQuery relu_only = [](const std::string& op, const std::string& activation) {
    return op == "Conv" && activation == "Relu";
  };
  Graph tanh = conv_activation_graph(random, {"Tanh", {}, {}}).graph;
  fuse_conv_activation(tanh, relu_only);
  EXPECT_EQ(tanh.nodes().size(), 2u);

  IrBuilder shared = conv_activation_graph(random, {"Relu", {}, {}});
  shared.output("c");   // the Conv's own output is wanted too
  fuse_conv_activation(shared.graph, relu_only);
  EXPECT_EQ(shared.graph.nodes().size(), 2u);

  IrBuilder computed_bound;
  computed_bound.input("x", DType::F32, {1, 1, 3, 3});
  computed_bound.input("low", DType::F32, {});
  computed_bound.constant("w", random_tensor(random, {1, 1, 1, 1}));
  computed_bound.node("Conv", {"x", "w"}, {"c"});
  computed_bound.node("Clip", {"c", "low"}, {"y"});
  computed_bound.output("y");
  fuse_conv_activation(computed_bound.graph, [](const std::string&, const std::string&) { return true; });
  EXPECT_EQ(computed_bound.graph.nodes().size(), 2u);

  Graph relu = conv_activation_graph(random, {"Relu", {}, {}}).graph;
  fuse_conv_activation(relu, relu_only);
  ASSERT_EQ(relu.nodes().size(), 1u);
  EXPECT_EQ(relu.nodes()[0].attributes.get_string(kFusedActivation), "Relu");
}

// ------------------------------------------------------------------ dead nodes

TEST(DeadNodes, UnreadNodesAndUnusedConstantsGoInputsStay) {
  IrBuilder b;
  b.input("x", DType::F32, {4});
  b.input("unused_input", DType::F32, {4});
  b.constant("unused_weight", Tensor::from(DType::F32, {2}, std::vector<double>{1, 2}));
  b.constant("one", Tensor::from(DType::F32, {}, std::vector<double>{1}));
  b.node("Relu", {"x"}, {"r"});
  b.node("Tanh", {"r"}, {"dead1"});
  b.node("Sigmoid", {"dead1"}, {"dead2"});
  b.node("Add", {"r", "one"}, {"y"});
  b.output("y");
  Graph graph = b.graph;
  eliminate_dead_nodes(graph);
  EXPECT_EQ(op_counts(graph), (std::map<std::string, int>{{"Add", 1}, {"Relu", 1}}));
  EXPECT_EQ(graph.value_count(), 5u);   // x, unused_input, one, r, y
  ASSERT_EQ(graph.inputs().size(), 2u);
  EXPECT_EQ(graph.value(graph.inputs()[1]).name, "unused_input");
  EXPECT_FALSE(graph.find_value("unused_weight").has_value());
  EXPECT_EQ(graph.value(graph.outputs()[0]).name, "y");
  graph.validate_topology();
  const Tensor x = Tensor::from(DType::F32, {4}, std::vector<double>{-2, -0.5, 0.5, 3});
  const Tensor y = run_reference(plan_unoptimized(graph, {x.info(), x.info()}), {x, x}).at(0);
  const std::vector<double> expected = {1, 1, 1.5, 4};
  for (std::int64_t i = 0; i < 4; ++i) EXPECT_EQ(y.value_f64(i), expected[static_cast<std::size_t>(i)]);
}

// ------------------------------------------------------------------ the example models

TEST(Passes, MobilenetTinyFoldsEveryBatchnormAndFusesItsActivations) {
  const Graph graph = import_onnx_file(onnx_test::example_path("mobilenet_tiny.onnx"));
  std::mt19937 random(2024);
  const Tensor x = random_tensor(random, {2, 3, 32, 32});
  const Tensor expected = run_reference(plan_unoptimized(graph, {x.info()}), {x}).at(0);
  const FusionQuery all = [](const std::string&, const std::string&) { return true; };
  const Plan plan = plan_folding(graph, {x.info()}, all);
  const auto counts = op_counts(plan.graph);
  EXPECT_EQ(counts.count("BatchNormalization"), 0u);
  EXPECT_EQ(counts.at("Conv"), 14);
  EXPECT_EQ(counts.count("Relu"), 0u);           // every Relu follows a Conv (+BN)
  EXPECT_EQ(counts.count("HardSigmoid"), 0u);    // the SE gates: fused into their Conv
  int fused = 0;
  for (const Node& node : plan.graph.nodes()) fused += node.attributes.has(kFusedActivation) ? 1 : 0;
  EXPECT_EQ(fused, 5 + 4 + 2);
  expect_close(run_reference(plan, {x}).at(0), expected);
}

}  // namespace
}  // namespace tandem
