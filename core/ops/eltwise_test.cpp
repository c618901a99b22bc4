#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "core/ops/direct_schema_call.h"
#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

void expect_values(const Tensor& actual, const std::vector<double>& expected, double tolerance = 0) {
  ASSERT_EQ(actual.numel(), static_cast<std::int64_t>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double a = actual.value_f64(static_cast<std::int64_t>(i));
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(a)) << "element " << i << " is " << a << ", expected NaN";
    } else if (std::isinf(expected[i]) || tolerance == 0) {
      EXPECT_EQ(a, expected[i]) << "element " << i;
    } else {
      EXPECT_NEAR(a, expected[i], tolerance) << "element " << i;
    }
  }
}

// ---------------------------------------------------------------- binary ops

TEST(Eltwise, AddBroadcastsRowAgainstMatrixByHand) {
  const Tensor out = run1("Add", {runtime(f64({2, 3}, {1, 2, 3, 4, 5, 6})), runtime(f64({3}, {10, 20, 30}))});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(out.dtype(), DType::F64);
  expect_values(out, {11, 22, 33, 14, 25, 36});
}

TEST(Eltwise, SubMulDivPowByHand) {
  const NodeInput a = runtime(f64({2, 2}, {8, -6, 2.5, 9}));
  const NodeInput b = runtime(f64({2, 1}, {2, -3}));
  expect_values(run1("Sub", {a, b}), {6, -8, 5.5, 12});
  expect_values(run1("Mul", {a, b}), {16, -12, -7.5, -27});
  expect_values(run1("Div", {a, b}), {4, -3, 2.5 / -3, -3});
  expect_values(run1("Pow", {a, b}), {64, 36, 1 / 15.625, 1.0 / 729}, 1e-15);
}

TEST(Eltwise, ScalarAndBothSidesBroadcast) {
  // [2,1] with [1,3] grows both ways; a rank-0 scalar broadcasts to anything.
  expect_values(run1("Mul", {runtime(f64({2, 1}, {2, 3})), runtime(f64({1, 3}, {1, 10, 100}))}),
                {2, 20, 200, 3, 30, 300});
  const Tensor scaled = run1("Mul", {runtime(f64({}, {0.5})), runtime(f64({2, 2}, {2, 4, 6, 8}))});
  EXPECT_EQ(scaled.shape(), (Shape{2, 2}));
  expect_values(scaled, {1, 2, 3, 4});
}

TEST(Eltwise, ZeroSizedDimensionBroadcastsToZero) {
  const Tensor out = run1("Add", {runtime(Tensor(DType::F64, {0, 3})), runtime(f64({1, 3}, {1, 2, 3}))});
  EXPECT_EQ(out.shape(), (Shape{0, 3}));
}

// The test's own broadcast: explicit index arithmetic on [2,1,4] and [3,1].
TEST(Eltwise, RandomBroadcastMatchesExplicitIndexMath) {
  std::mt19937 rng(1234);
  const Tensor a = random_tensor(rng, {2, 1, 4}, 0.5, 2.0);
  const Tensor b = random_tensor(rng, {3, 1}, 0.5, 2.0);
  struct Case { const char* op; double (*fn)(double, double); double tolerance; };
  const Case cases[] = {{"Add", [](double x, double y) { return x + y; }, 0},
                        {"Sub", [](double x, double y) { return x - y; }, 0},
                        {"Mul", [](double x, double y) { return x * y; }, 0},
                        {"Div", [](double x, double y) { return x / y; }, 0},
                        {"Pow", [](double x, double y) { return std::exp(y * std::log(x)); }, 1e-14}};
  for (const Case& c : cases) {
    const Tensor out = run1(c.op, {runtime(a), runtime(b)});
    ASSERT_EQ(out.shape(), (Shape{2, 3, 4})) << c.op;
    for (std::int64_t i = 0; i < 2; ++i) {
      for (std::int64_t j = 0; j < 3; ++j) {
        for (std::int64_t k = 0; k < 4; ++k) {
          const double expected = c.fn(a.value_f64(i * 4 + k), b.value_f64(j));
          EXPECT_NEAR(out.value_f64((i * 3 + j) * 4 + k), expected, c.tolerance * std::abs(expected))
              << c.op << " at " << i << "," << j << "," << k;
        }
      }
    }
  }
}

TEST(Eltwise, Float32InputsKeepTheirTypeAndComputeInDouble) {
  const Tensor a = Tensor::from(DType::F32, {2}, std::vector<double>{0.1, 1e8});
  const Tensor b = Tensor::from(DType::F32, {2}, std::vector<double>{0.2, 1});
  const SingleNodeGraph graph = make_single_node_graph("Add", {}, {runtime(a), runtime(b)});
  const Plan plan = plan_single_node(graph);
  EXPECT_EQ(plan.info_of(graph.graph.outputs()[0]).dtype, DType::F32);
  const Tensor out = run_reference(plan, graph.runtime_inputs).at(0);
  ASSERT_EQ(out.dtype(), DType::F64);
  // The float32 inputs, widened exactly, then summed in double: 1e8 + 1 is not rounded away.
  expect_values(out, {double{0.1f} + double{0.2f}, 100000001.0});
}

TEST(Eltwise, IncompatibleBroadcastIsAnError) {
  expect_error([] { run1("Add", {runtime(f64({2, 3}, {1, 2, 3, 4, 5, 6})), runtime(f64({2}, {1, 2}))}); },
               "cannot broadcast [2, 3] with [2]");
  expect_error([] { run1("Mul", {runtime(Tensor(DType::F64, {4, 1})), runtime(Tensor(DType::F64, {3, 2}))}); },
               "cannot broadcast");
}

TEST(Eltwise, MixedDtypesAreAnError) {
  expect_error([] { run1("Add", {runtime(f64({1}, {1})), runtime(i64s({1}, {1}))}); },
               "different dtypes");
}

// ---------------------------------------------------------------- integers

TEST(Eltwise, Int64ArithmeticByHand) {
  const NodeInput a = runtime(i64s({4}, {7, -7, 7, -7}));
  const NodeInput b = runtime(i64s({4}, {2, 2, -2, -2}));
  const Tensor sum = run1("Add", {a, b});
  EXPECT_EQ(sum.dtype(), DType::I64);
  EXPECT_EQ(sum.to_i64_vector(), (std::vector<std::int64_t>{9, -5, 5, -9}));
  EXPECT_EQ(run1("Sub", {a, b}).to_i64_vector(), (std::vector<std::int64_t>{5, -9, 9, -5}));
  EXPECT_EQ(run1("Mul", {a, b}).to_i64_vector(), (std::vector<std::int64_t>{14, -14, -14, 14}));
  // Integer division truncates toward zero (C, onnxruntime), not toward -inf (Python //).
  EXPECT_EQ(run1("Div", {a, b}).to_i64_vector(), (std::vector<std::int64_t>{3, -3, -3, 3}));
  EXPECT_EQ(run1("Pow", {runtime(i64s({3}, {2, -3, 5})), runtime(i64s({3}, {10, 3, 0}))}).to_i64_vector(),
            (std::vector<std::int64_t>{1024, -27, 1}));
  // Negative exponents truncate toward zero: only a base of 1 or -1 survives.
  EXPECT_EQ(run1("Pow", {runtime(i64s({4}, {2, -1, -1, 1})), runtime(i64s({4}, {-1, -3, -2, -5}))}).to_i64_vector(),
            (std::vector<std::int64_t>{0, -1, 1, 1}));
}

TEST(Eltwise, Int64BeyondDoublePrecisionIsExact) {
  // 2^53 + 1 is not a double; an integer path that went through double would lose the 1.
  const std::int64_t big = (std::int64_t{1} << 53) + 1;
  EXPECT_EQ(run1("Add", {runtime(i64s({1}, {big})), runtime(i64s({1}, {2}))}).to_i64_vector(),
            (std::vector<std::int64_t>{big + 2}));
  EXPECT_EQ(run1("Mul", {runtime(i64s({1}, {big})), runtime(i64s({1}, {3}))}).to_i64_vector(),
            (std::vector<std::int64_t>{3 * big}));
}

TEST(Eltwise, Int32ArithmeticKeepsInt32) {
  const Tensor a = Tensor::from(DType::I32, {3}, std::vector<std::int32_t>{100, -9, 6});
  const Tensor b = Tensor::from(DType::I32, {1}, std::vector<std::int32_t>{4});
  const Tensor quotient = run1("Div", {runtime(a), runtime(b)});
  ASSERT_EQ(quotient.dtype(), DType::I32);
  EXPECT_EQ(quotient.to_i64_vector(), (std::vector<std::int64_t>{25, -2, 1}));
  EXPECT_EQ(run1("Mul", {runtime(a), runtime(b)}).to_i64_vector(), (std::vector<std::int64_t>{400, -36, 24}));
}

TEST(Eltwise, ShapeArithmeticChainOnConstants) {
  // The folding pattern: a shape [2, 3, 4] times [1, 1, 2], then divided by [1, 3, 8].
  const Tensor product = run1("Mul", {runtime(i64s({3}, {2, 3, 4})), constant(i64s({3}, {1, 1, 2}))});
  const Tensor quotient = run1("Div", {runtime(product), constant(i64s({3}, {1, 3, 8}))});
  EXPECT_EQ(quotient.to_i64_vector(), (std::vector<std::int64_t>{2, 1, 1}));
}

TEST(Eltwise, IntegerDivisionByZeroIsAnError) {
  expect_error([] { run1("Div", {runtime(i64s({2}, {4, 5})), runtime(i64s({2}, {1, 0}))}); },
               "integer division by zero");
}

// ---------------------------------------------------------------- special values

TEST(Eltwise, DivisionAndArithmeticFollowIeee) {
  expect_values(run1("Div", {runtime(f64({4}, {1, -1, 0, kInf})), runtime(f64({4}, {0, 0, 0, kInf}))}),
                {kInf, -kInf, kNaN, kNaN});
  expect_values(run1("Add", {runtime(f64({3}, {kNaN, kInf, kInf})), runtime(f64({3}, {1, 1, -kInf}))}),
                {kNaN, kInf, kNaN});
  expect_values(run1("Pow", {runtime(f64({3}, {kNaN, -8, 0})), runtime(f64({3}, {0, 1.0 / 3, -1}))}),
                {1, kNaN, kInf});
}

TEST(Eltwise, NegativeZeroSurvivesWhereIeeeKeepsIt) {
  const Tensor sum = run1("Add", {runtime(f64({1}, {-0.0})), runtime(f64({1}, {-0.0}))});
  EXPECT_TRUE(std::signbit(sum.value_f64(0)));
  const Tensor product = run1("Mul", {runtime(f64({1}, {-0.0})), runtime(f64({1}, {3}))});
  EXPECT_TRUE(std::signbit(product.value_f64(0)));
  const Tensor root = run1("Sqrt", {runtime(f64({1}, {-0.0}))});
  EXPECT_TRUE(std::signbit(root.value_f64(0)));
  EXPECT_EQ(root.value_f64(0), 0.0);
}

// ---------------------------------------------------------------- unary ops

TEST(Eltwise, UnaryFunctionsByHand) {
  const NodeInput x = runtime(f64({5}, {-2, -0.5, 0, 1, 4}));
  expect_values(run1("Relu", {x}), {0, 0, 0, 1, 4});
  expect_values(run1("LeakyRelu", {x}), {-2 * double{0.01f}, -0.5 * double{0.01f}, 0, 1, 4});
  expect_values(run1("LeakyRelu", {x}, make_attributes({{"alpha", 0.5}})), {-1, -0.25, 0, 1, 4});
  expect_values(run1("Sqrt", {x}), {kNaN, kNaN, 0, 1, 2});
  expect_values(run1("Exp", {x}), {std::exp(-2.0), std::exp(-0.5), 1, 2.718281828459045, 54.598150033144236},
                1e-14);
  expect_values(run1("Sigmoid", {x}), {0.11920292202211755, 0.3775406687981454, 0.5, 0.7310585786300049,
                                       0.9820137900379085}, 1e-15);
  expect_values(run1("Tanh", {x}), {-0.9640275800758169, -0.46211715726000974, 0, 0.7615941559557649,
                                    0.999329299739067}, 1e-15);
  expect_values(run1("Erf", {x}), {-0.9953222650189527, -0.5204998778130465, 0, 0.8427007929497149,
                                   0.9999999845827421}, 1e-15);
  // HardSigmoid defaults: alpha 0.2, beta 0.5 (as float32), clamped to [0, 1].
  const double alpha = double{0.2f};
  expect_values(run1("HardSigmoid", {x}), {0.5 - 2 * alpha, 0.5 - 0.5 * alpha, 0.5, 0.5 + alpha, 1}, 1e-15);
  expect_values(run1("HardSigmoid", {x}, make_attributes({{"alpha", 0.25}, {"beta", 0.25}})),
                {0, 0.125, 0.25, 0.5, 1});
  // HardSwish(x) = x * clamp(x / 6 + 1/2, 0, 1).
  expect_values(run1("HardSwish", {x}), {-2.0 / 6, -0.5 * (0.5 - 0.5 / 6), 0, 1.0 * (0.5 + 1.0 / 6), 4},
                1e-15);
}

TEST(Eltwise, UnarySpecialValues) {
  const NodeInput x = runtime(f64({3}, {kNaN, kInf, -kInf}));
  expect_values(run1("Relu", {x}), {kNaN, kInf, 0});
  expect_values(run1("LeakyRelu", {x}), {kNaN, kInf, -kInf});
  expect_values(run1("Sigmoid", {x}), {kNaN, 1, 0});
  expect_values(run1("Tanh", {x}), {kNaN, 1, -1});
  expect_values(run1("Erf", {x}), {kNaN, 1, -1});
  expect_values(run1("Exp", {x}), {kNaN, kInf, 0});
  expect_values(run1("Sqrt", {x}), {kNaN, kInf, kNaN});
  expect_values(run1("HardSigmoid", {x}), {kNaN, 1, 0});
  expect_values(run1("Identity", {x}), {kNaN, kInf, -kInf});
}

// Each activation against a formulation of its own: sigmoid via tanh, tanh via exp, erf
// via its Maclaurin series, HardSwish as PyTorch writes it (relu6(x + 3) / 6).
TEST(Eltwise, RandomUnaryMatchesIndependentFormulas) {
  std::mt19937 rng(42);
  const Tensor x = random_tensor(rng, {3, 7}, -1.5, 1.5);
  const Tensor sigmoid = run1("Sigmoid", {runtime(x)});
  const Tensor tanh = run1("Tanh", {runtime(x)});
  const Tensor erf = run1("Erf", {runtime(x)});
  const Tensor swish = run1("HardSwish", {runtime(x)});
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const double v = x.value_f64(i);
    EXPECT_NEAR(sigmoid.value_f64(i), 0.5 * (1 + std::tanh(v / 2)), 1e-15);
    EXPECT_NEAR(tanh.value_f64(i), (std::exp(2 * v) - 1) / (std::exp(2 * v) + 1), 1e-14);
    double series = 0, term = v;   // term = (-1)^n v^(2n+1) / n!
    for (int n = 0; n < 40; ++n) {
      series += term / (2 * n + 1);
      term *= -v * v / (n + 1);
    }
    EXPECT_NEAR(erf.value_f64(i), 2 / std::sqrt(std::numbers::pi) * series, 1e-14);
    EXPECT_NEAR(swish.value_f64(i), v * std::min(std::max(v + 3, 0.0), 6.0) / 6, 1e-15);
  }
}

TEST(Eltwise, FloatOnlyOpsRejectIntegersAsUnsupported) {
  expect_error([] { run1("Sqrt", {runtime(i64s({1}, {4}))}); }, "int64 inputs are not supported", true);
  expect_error([] { run1("Clip", {runtime(i64s({1}, {4}))}); }, "int64 inputs are not supported", true);
}

TEST(Eltwise, UnknownAttributeIsUnsupported) {
  expect_error([] { run1("Relu", {runtime(f64({1}, {1}))}, make_attributes({{"alpha", 0.1}})); },
               "attribute 'alpha' is not supported", true);
}

// ---------------------------------------------------------------- Clip, Identity

TEST(Eltwise, ClipWithConstantBounds) {
  const NodeInput x = runtime(f64({6}, {-3, -1, 0, 0.5, 2, kNaN}));
  expect_values(run1("Clip", {x, constant(f64({}, {-1})), constant(f64({}, {1}))}), {-1, -1, 0, 0.5, 1, kNaN});
  expect_values(run1("Clip", {x, constant(f64({}, {0}))}), {0, 0, 0, 0.5, 2, kNaN});
  // An omitted min, through the pipeline and on the schema alone.
  expect_values(run1("Clip", {x, omitted(), constant(f64({1}, {0.25}))}), {-3, -1, 0, 0.25, 0.25, kNaN});
  expect_values(direct_schema::call("Clip", {}, {x, omitted(), constant(f64({1}, {0.25}))}).at(0),
                {-3, -1, 0, 0.25, 0.25, kNaN});
  expect_values(run1("Clip", {x}), {-3, -1, 0, 0.5, 2, kNaN});
  // min > max: every value becomes max (ONNX: min(max(x, min), max)).
  expect_values(run1("Clip", {x, constant(f64({}, {2})), constant(f64({}, {1}))}), {1, 1, 1, 1, 1, kNaN});
}

TEST(Eltwise, ClipBoundsMustBeConstantScalars) {
  expect_error([] { run1("Clip", {runtime(f64({2}, {1, 2})), runtime(f64({}, {0}))}); },
               "must be a constant");
  expect_error([] { run1("Clip", {runtime(f64({2}, {1, 2})), constant(f64({2}, {0, 1}))}); },
               "min must be a scalar");
}

TEST(Eltwise, IdentityCopiesAnyDtype) {
  const Tensor ints = run1("Identity", {runtime(i64s({2, 2}, {1, -2, 3, std::int64_t{1} << 60}))});
  EXPECT_EQ(ints.dtype(), DType::I64);
  EXPECT_EQ(ints.shape(), (Shape{2, 2}));
  EXPECT_EQ(ints.to_i64_vector(), (std::vector<std::int64_t>{1, -2, 3, std::int64_t{1} << 60}));
  const Tensor floats = run1("Identity", {runtime(f64({2}, {-0.0, 1.5}))});
  EXPECT_TRUE(std::signbit(floats.value_f64(0)));
  EXPECT_EQ(floats.value_f64(1), 1.5);
}

}  // namespace
}  // namespace tandem
