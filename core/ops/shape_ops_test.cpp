#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"
#include "core/passes/passes.h"

namespace tandem {
namespace {

using namespace op_test;

const double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// The op only relabels the shape: every element must come back in the same order.
void expect_same_elements(const Tensor& actual, const Tensor& expected) {
  ASSERT_EQ(actual.numel(), expected.numel());
  ASSERT_EQ(actual.dtype(), expected.dtype());
  for (std::int64_t i = 0; i < actual.numel(); ++i) {
    ASSERT_EQ(actual.value_f64(i), expected.value_f64(i)) << "element " << i;
  }
}

// ---------------------------------------------------------------- Reshape

Shape reshaped(const Shape& input, const Ints& shape, std::int64_t allow_zero = 0) {
  return infer_single_node("Reshape", make_attributes({{"allowzero", allow_zero}}),
                           {runtime(Tensor(DType::F64, input)), constant(i64s({static_cast<std::int64_t>(shape.size())}, shape))});
}

TEST(ShapeOps, ReshapeZeroAndMinusOne) {
  EXPECT_EQ(reshaped({2, 3, 4}, {0, -1}), (Shape{2, 12}));
  EXPECT_EQ(reshaped({2, 3, 4}, {-1}), (Shape{24}));
  EXPECT_EQ(reshaped({2, 3, 4}, {4, 0, 2}), (Shape{4, 3, 2}));   // 0 copies input dim 1
  EXPECT_EQ(reshaped({2, 3, 4}, {-1, 0, 0}), (Shape{2, 3, 4}));
  EXPECT_EQ(reshaped({2, 3, 4}, {1, 1, 24, 1}), (Shape{1, 1, 24, 1}));
  EXPECT_EQ(reshaped({1}, {}), (Shape{}));   // to a scalar
  // allowzero: 0 is a real zero-sized dimension, legal when the input is empty.
  EXPECT_EQ(reshaped({0, 4}, {3, 0}, 1), (Shape{3, 0}));
  EXPECT_EQ(reshaped({0, 4}, {0, 4}), (Shape{0, 4}));
}

TEST(ShapeOps, ReshapeKeepsElementsInOrder) {
  std::mt19937 rng(11);
  const Tensor x = random_tensor(rng, {2, 3, 4});
  const Tensor y = run1("Reshape", {runtime(x), constant(i64s({3}, {4, -1, 2}))});
  EXPECT_EQ(y.shape(), (Shape{4, 3, 2}));
  expect_same_elements(y, x);
  const Tensor ints = run1("Reshape", {runtime(i64s({2, 2}, {5, -6, 7, 1LL << 60})), constant(i64s({1}, {-1}))});
  EXPECT_EQ(ints.dtype(), DType::I64);
  EXPECT_EQ(ints.to_i64_vector(), (Ints{5, -6, 7, 1LL << 60}));
}

TEST(ShapeOps, BadReshapesAreErrors) {
  expect_error([] { reshaped({2, 3, 4}, {5, 5}); }, "cannot reshape [2, 3, 4] to [5, 5]");
  expect_error([] { reshaped({2, 3, 4}, {-1, -1}); }, "more than one -1");
  expect_error([] { reshaped({2, 3, 4}, {5, -1}); }, "cannot be inferred");
  expect_error([] { reshaped({2, 3, 4}, {-2, 12}); }, "dimension -2 is invalid");
  expect_error([] { reshaped({2, 3}, {1, 1, 0}); }, "0 at position 2");
  expect_error([] { reshaped({0, 4}, {0, -1}, 1); }, "allowzero");
  expect_error([] { reshaped({2, 3}, {3, 0}, 1); }, "element counts differ");
  expect_error([] { run1("Reshape", {runtime(f64({2}, {1, 2})), runtime(i64s({1}, {2}))}); },
               "must be a constant");
}

// ---------------------------------------------------------------- Flatten

TEST(ShapeOps, FlattenAtEveryAxis) {
  const Tensor x(DType::F64, {2, 3, 4});
  auto flatten = [&](std::int64_t axis) {
    return infer_single_node("Flatten", make_attributes({{"axis", axis}}), {runtime(x)});
  };
  EXPECT_EQ(flatten(0), (Shape{1, 24}));
  EXPECT_EQ(flatten(1), (Shape{2, 12}));
  EXPECT_EQ(flatten(2), (Shape{6, 4}));
  EXPECT_EQ(flatten(3), (Shape{24, 1}));
  EXPECT_EQ(flatten(-1), (Shape{6, 4}));
  EXPECT_EQ(flatten(-3), (Shape{1, 24}));
  EXPECT_EQ(infer_single_node("Flatten", {}, {runtime(x)}), (Shape{2, 12}));   // default axis 1
  expect_error([&] { flatten(4); }, "axis 4 is out of range");
  expect_error([&] { flatten(-4); }, "out of range");
  std::mt19937 rng(3);
  const Tensor data = random_tensor(rng, {2, 3, 4});
  expect_same_elements(run1("Flatten", {runtime(data)}, make_attributes({{"axis", std::int64_t{2}}})), data);
}

// ---------------------------------------------------------------- Squeeze, Unsqueeze

TEST(ShapeOps, SqueezeWithAndWithoutAxes) {
  const Tensor x = Tensor::from(DType::F64, {1, 3, 1, 2}, std::vector<double>{1, 2, 3, 4, 5, 6});
  const Tensor y = run1("Squeeze", {runtime(x), constant(i64s({2}, {0, -2}))});
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  expect_same_elements(y, x);
  EXPECT_EQ(run1("Squeeze", {runtime(x), constant(i64s({1}, {2}))}).shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(run1("Squeeze", {runtime(x)}).shape(), (Shape{3, 2}));
  EXPECT_EQ(run1("Squeeze", {runtime(i64s({1}, {9}))}).to_i64_vector(), (Ints{9}));   // to a scalar
  expect_error([&] { run1("Squeeze", {runtime(x), constant(i64s({1}, {1}))}); }, "it is not 1");
  expect_error([&] { run1("Squeeze", {runtime(x), constant(i64s({1}, {4}))}); }, "axis 4 is out of range");
  expect_error([&] { run1("Squeeze", {runtime(x), constant(i64s({2}, {0, -4}))}); }, "is repeated");
}

TEST(ShapeOps, UnsqueezeAxesIndexTheOutput) {
  const Tensor x = i64s({3, 2}, {1, 2, 3, 4, 5, 6});
  const Tensor y = run1("Unsqueeze", {runtime(x), constant(i64s({2}, {0, 3}))});
  EXPECT_EQ(y.shape(), (Shape{1, 3, 2, 1}));
  EXPECT_EQ(y.to_i64_vector(), x.to_i64_vector());
  EXPECT_EQ(run1("Unsqueeze", {runtime(x), constant(i64s({1}, {-1}))}).shape(), (Shape{3, 2, 1}));
  EXPECT_EQ(run1("Unsqueeze", {runtime(x), constant(i64s({2}, {-1, 1}))}).shape(), (Shape{3, 1, 2, 1}));
  EXPECT_EQ(run1("Unsqueeze", {runtime(i64s({}, {7})), constant(i64s({1}, {0}))}).shape(), (Shape{1}));
  expect_error([&] { run1("Unsqueeze", {runtime(x), constant(i64s({2}, {1, 1}))}); }, "is repeated");
  expect_error([&] { run1("Unsqueeze", {runtime(x), constant(i64s({1}, {3}))}); }, "axis 3 is out of range");
  expect_error([&] { run1("Unsqueeze", {runtime(x), runtime(i64s({1}, {0}))}); }, "must be a constant");
}

// ---------------------------------------------------------------- Shape

TEST(ShapeOps, ShapeWithStartAndEnd) {
  const Tensor x(DType::F64, {2, 3, 4, 5});
  auto shape = [&](Attributes attributes) { return run1("Shape", {runtime(x)}, attributes).to_i64_vector(); };
  EXPECT_EQ(shape({}), (Ints{2, 3, 4, 5}));
  EXPECT_EQ(shape(make_attributes({{"start", std::int64_t{1}}})), (Ints{3, 4, 5}));
  EXPECT_EQ(shape(make_attributes({{"start", std::int64_t{-2}}, {"end", std::int64_t{-1}}})), (Ints{4}));
  EXPECT_EQ(shape(make_attributes({{"end", std::int64_t{2}}})), (Ints{2, 3}));
  EXPECT_EQ(shape(make_attributes({{"start", std::int64_t{10}}})), (Ints{}));   // clamped to rank
  EXPECT_EQ(shape(make_attributes({{"start", std::int64_t{-10}}, {"end", std::int64_t{1}}})), (Ints{2}));
  EXPECT_EQ(shape(make_attributes({{"start", std::int64_t{3}}, {"end", std::int64_t{1}}})), (Ints{}));
  const Tensor out = run1("Shape", {runtime(x)});
  EXPECT_EQ(out.dtype(), DType::I64);
  EXPECT_EQ(out.shape(), (Shape{4}));
}

// ---------------------------------------------------------------- Cast

Tensor cast_to(const Tensor& x, std::int64_t onnx_type) {
  return run1("Cast", {runtime(x)}, make_attributes({{"to", onnx_type}}));
}

TEST(ShapeOps, CastFloatToIntegersTruncatesTowardZero) {
  const Tensor x = f64({7}, {1.5, -1.5, 2.9, -2.9, kNaN, 1e20, -1e20});
  const Tensor to_i64 = cast_to(x, 7);
  ASSERT_EQ(to_i64.dtype(), DType::I64);
  // NaN and out-of-range are undefined in ONNX; we saturate, NaN to 0.
  EXPECT_EQ(to_i64.to_i64_vector(), (Ints{1, -1, 2, -2, 0, kInt64Max, std::numeric_limits<std::int64_t>::min()}));
  const Tensor to_i32 = cast_to(x, 6);
  ASSERT_EQ(to_i32.dtype(), DType::I32);
  EXPECT_EQ(to_i32.to_i64_vector(), (Ints{1, -1, 2, -2, 0, 2147483647, -2147483648LL}));
}

TEST(ShapeOps, CastToFloatRoundsThroughTheTargetPrecision) {
  const Tensor x = f64({4}, {0.1, 16777217.0, 1.0 / 3, -0.0});
  const Tensor single = cast_to(x, 1);
  ASSERT_EQ(single.dtype(), DType::F64);   // the reference holds float32 values in double
  EXPECT_EQ(single.value_f64(0), double{0.1f});
  EXPECT_EQ(single.value_f64(1), 16777216.0);   // 2^24 + 1 is not a float32
  EXPECT_EQ(single.value_f64(2), double{1.0f / 3});
  EXPECT_TRUE(std::signbit(single.value_f64(3)));
  // float16: 0.1 is 0x2E66 = 0.0999755859375; 65520 rounds to infinity; 2049 to 2048.
  const Tensor half = cast_to(f64({3}, {0.1, 65520, 2049}), 10);
  EXPECT_EQ(half.value_f64(0), 0.0999755859375);
  EXPECT_TRUE(std::isinf(half.value_f64(1)));
  EXPECT_EQ(half.value_f64(2), 2048.0);
  const Tensor same = cast_to(f64({1}, {0.1}), 11);
  EXPECT_EQ(same.value_f64(0), 0.1);
  const SingleNodeGraph graph = make_single_node_graph("Cast", make_attributes({{"to", std::int64_t{1}}}), {runtime(x)});
  EXPECT_EQ(plan_single_node(graph).info_of(graph.graph.outputs()[0]).dtype, DType::F32);
}

TEST(ShapeOps, CastBetweenIntegersAndBool) {
  const std::int64_t big = (std::int64_t{1} << 53) + 1;
  const Tensor ints = i64s({4}, {big, (std::int64_t{1} << 32) + 5, -3, 0});
  EXPECT_EQ(cast_to(ints, 1).value_f64(0), 9007199254740992.0);   // nearest float32
  EXPECT_EQ(cast_to(ints, 11).value_f64(2), -3.0);
  EXPECT_EQ(cast_to(ints, 6).to_i64_vector(), (Ints{1, 5, -3, 0}));   // wraps modulo 2^32
  const Tensor flags = cast_to(f64({5}, {0, -0.0, kNaN, 2, -0.5}), 9);
  ASSERT_EQ(flags.dtype(), DType::Bool);
  EXPECT_EQ(flags.to_i64_vector(), (Ints{0, 0, 1, 1, 1}));
  EXPECT_EQ(cast_to(flags, 7).to_i64_vector(), (Ints{0, 0, 1, 1, 1}));
  EXPECT_EQ(cast_to(ints, 9).to_i64_vector(), (Ints{1, 1, 1, 0}));
}

TEST(ShapeOps, CastToAnUnknownTypeIsUnsupported) {
  expect_error([] { cast_to(f64({1}, {1}), 8); }, "under_test", true);   // 8 = string
  expect_error([] { run1("Cast", {runtime(f64({1}, {1}))}); }, "required attribute 'to'");
}

// ---------------------------------------------------------------- Constant

TEST(ShapeOps, ConstantFromEachAttribute) {
  const Tensor tensor = run1("Constant", {}, make_attributes({{"value", i64s({2}, {4, -5})}}));
  EXPECT_EQ(tensor.dtype(), DType::I64);
  EXPECT_EQ(tensor.to_i64_vector(), (Ints{4, -5}));
  const Tensor weights = run1("Constant", {}, make_attributes({{"value", f64({2, 1}, {0.25, -1})}}));
  EXPECT_EQ(weights.shape(), (Shape{2, 1}));
  EXPECT_EQ(weights.value_f64(1), -1.0);
  const Tensor one_float = run1("Constant", {}, make_attributes({{"value_float", 0.1}}));
  EXPECT_EQ(one_float.shape(), (Shape{}));
  EXPECT_EQ(one_float.value_f64(0), double{0.1f});   // ONNX float attributes are float32
  const Tensor floats = run1("Constant", {}, make_attributes({{"value_floats", std::vector<double>{1.5, 0.2}}}));
  EXPECT_EQ(floats.shape(), (Shape{2}));
  EXPECT_EQ(floats.value_f64(1), double{0.2f});
  const Tensor one_int = run1("Constant", {}, make_attributes({{"value_int", std::int64_t{-7}}}));
  EXPECT_EQ(one_int.shape(), (Shape{}));
  EXPECT_EQ(one_int.to_i64_vector(), (Ints{-7}));
  EXPECT_EQ(run1("Constant", {}, make_attributes({{"value_ints", Ints{3, 1, 2}}})).to_i64_vector(), (Ints{3, 1, 2}));
}

TEST(ShapeOps, ConstantNeedsExactlyOneValue) {
  expect_error([] { run1("Constant", {}); }, "exactly one value attribute, has 0");
  expect_error([] { run1("Constant", {}, make_attributes({{"value_int", std::int64_t{1}}, {"value_float", 1.0}})); },
               "has 2");
  expect_error([] { run1("Constant", {}, make_attributes({{"value_string", std::string("x")}})); },
               "attribute 'value_string' is not supported", true);
}

// ---------------------------------------------------------------- an int64 shape chain

// x -> Shape -> Gather([-1, 0]) -> Mul([1, 3]) -> Concat([-1], .) -> Reshape: the pattern
// exported models use to compute a shape. [2, 3, 4] gives [4, 2], then [4, 6], then
// [-1, 4, 6], so x becomes [1, 4, 6].
struct ShapeChain {
  Graph graph;
  ValueId x = 0, target = 0, y = 0;

  ValueId value(const std::string& name) {
    Value v;
    v.name = name;
    return graph.add_value(v);
  }
  void node(const std::string& op, std::vector<ValueId> inputs, ValueId output, Attributes attributes = {}) {
    Node n;
    n.name = op + "_" + std::to_string(graph.nodes().size());
    n.op_type = op;
    n.inputs = std::move(inputs);
    n.outputs = {output};
    n.attributes = std::move(attributes);
    graph.add_node(std::move(n));
  }
  explicit ShapeChain(bool with_reshape) {
    Value input;
    input.name = "x";
    input.dtype = DType::F64;
    input.dims = {2, 3, 4};
    x = graph.add_value(input);
    graph.inputs().push_back(x);
    const ValueId shape = value("shape"), dims = value("dims"), scaled = value("scaled");
    target = value("target");
    node("Shape", {x}, shape);
    node("Gather", {shape, graph.add_constant("which", i64s({2}, {-1, 0}))}, dims);
    node("Mul", {dims, graph.add_constant("factor", i64s({2}, {1, 3}))}, scaled);
    node("Concat", {graph.add_constant("lead", i64s({1}, {-1})), scaled}, target,
         make_attributes({{"axis", std::int64_t{0}}}));
    if (!with_reshape) {
      graph.outputs().push_back(target);
      return;
    }
    y = value("y");
    node("Reshape", {x, target}, y);
    graph.outputs().push_back(y);
  }
};

TEST(ShapeOps, Int64ShapeChainRunsThroughTheReferenceKernels) {
  const ShapeChain chain(false);
  PlanOptions options;
  options.optimize = false;   // every node runs as a kernel, none is folded
  std::mt19937 rng(5);
  const Tensor x = random_tensor(rng, {2, 3, 4});
  const Plan plan = make_plan(chain.graph, {x.info()}, options);
  const Tensor target = run_reference(plan, {x}).at(0);
  EXPECT_EQ(target.dtype(), DType::I64);
  EXPECT_EQ(target.to_i64_vector(), (Ints{-1, 4, 6}));
}

TEST(ShapeOps, Int64ShapeChainFoldsIntoAReshape) {
  ShapeChain chain(true);
  const std::vector<TensorInfo> info = infer_shapes_folding_constants(chain.graph, {{DType::F64, {2, 3, 4}}});
  ASSERT_TRUE(chain.graph.value(chain.target).constant.has_value());
  EXPECT_EQ(chain.graph.value(chain.target).constant->to_i64_vector(), (Ints{-1, 4, 6}));
  EXPECT_EQ(info.at(static_cast<std::size_t>(chain.y)).shape, (Shape{1, 4, 6}));
}

}  // namespace
}  // namespace tandem
