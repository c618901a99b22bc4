// Elementwise ops on pocl against the float64 reference. Tolerance 1e-5 * (1 + max|ref|):
// each output is one float32 operation on float32 inputs, within a few ULP (OpenCL allows
// up to 4 ULP for exp/tanh, 16 for pow), i.e. a relative error of about 1e-6.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/op_registry.h"
#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;
constexpr double kTolerance = 1e-5;

bool core_has(const char* op_type) { return OpRegistry::instance().find(op_type) != nullptr; }

TEST(EltwiseOpenCl, UnaryFunctions) {
  ReferenceBatch batch;
  std::mt19937 rng(11);
  for (const char* op : {"Relu", "Sigmoid", "HardSwish", "Tanh", "Exp", "Erf", "Abs", "Neg",
                         "Floor", "Ceil", "Sin", "Cos", "Softsign", "Softplus", "Identity"}) {
    if (!core_has(op)) continue;
    batch.add(op, {runtime(random_tensor(rng, {2, 13, 7}, -3.0f, 3.0f))}, {}, kTolerance);
  }
  for (const char* op : {"Sqrt", "Log", "Reciprocal"}) {
    if (!core_has(op)) continue;
    batch.add(op, {runtime(random_tensor(rng, {31}, 0.1f, 4.0f))}, {}, kTolerance);
  }
  batch.expect_all_match();
}

TEST(EltwiseOpenCl, UnaryWithAttributes) {
  ReferenceBatch batch;
  std::mt19937 rng(12);
  const Tensor x = random_tensor(rng, {3, 1, 13}, -4.0f, 4.0f);
  batch.add("LeakyRelu", {runtime(x)}, attrs({{"alpha", 0.3}}), kTolerance);
  batch.add("LeakyRelu", {runtime(x)}, {}, kTolerance);
  batch.add("HardSigmoid", {runtime(x)}, attrs({{"alpha", 0.25}, {"beta", 0.4}}), kTolerance);
  if (core_has("Elu")) batch.add("Elu", {runtime(x)}, attrs({{"alpha", 0.7}}), kTolerance);
  batch.expect_all_match();
}

// NaN passes through every activation as in the reference; infinities saturate.
TEST(EltwiseOpenCl, SpecialValues) {
  ReferenceBatch batch;
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor x =
      Tensor::from<float>(DType::F32, {8}, {NAN, inf, -inf, 0.0f, -0.0f, 1.5f, -2.5f, 40.0f});
  for (const char* op :
       {"Relu", "LeakyRelu", "HardSigmoid", "HardSwish", "Sigmoid", "Tanh", "Clip"}) {
    batch.add(op, {runtime(x)}, {}, 1e-5);
  }
  batch.expect_all_match();
}

TEST(EltwiseOpenCl, ClipWithConstantBounds) {
  ReferenceBatch batch;
  std::mt19937 rng(13);
  const Tensor x = random_tensor(rng, {5, 17}, -2.0f, 2.0f);
  const Tensor low = Tensor::from<float>(DType::F32, {}, {-0.5f});
  const Tensor high = Tensor::from<float>(DType::F32, {}, {0.75f});
  batch.add("Clip", {runtime(x), weight(low), weight(high)}, {}, kTolerance);
  batch.add("Clip", {runtime(x), omitted(), weight(high)}, {}, kTolerance);
  batch.add("Clip", {runtime(x), weight(low)}, {}, kTolerance);
  batch.expect_all_match();
}

TEST(EltwiseOpenCl, BinaryBroadcasting) {
  ReferenceBatch batch;
  std::mt19937 rng(14);
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{2, 3, 13, 31}, {13, 1}}, {{1}, {5, 7}},      {{3, 1, 5}, {1, 4, 1}},
      {{6, 13}, {6, 13}},        {{}, {2, 3}},       {{1, 1, 1}, {1}},
      {{4, 1, 3, 1}, {2, 1, 5}}, {{7, 1}, {1, 1, 9}}};
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    for (const auto& [a, b] : shapes) {
      batch.add(op, {runtime(random_tensor(rng, a)), runtime(random_tensor(rng, b, 0.5f, 2.0f))},
                {}, kTolerance);
    }
  }
  batch.expect_all_match();
}

TEST(EltwiseOpenCl, BinaryWithConstantOperand) {
  ReferenceBatch batch;
  std::mt19937 rng(15);
  const Tensor x = random_tensor(rng, {2, 13, 5, 5});
  const Tensor bias = random_tensor(rng, {13, 1, 1});
  batch.add("Add", {runtime(x), weight(bias)}, {}, kTolerance);
  batch.add("Mul", {weight(bias), runtime(x)}, {}, kTolerance);
  const Tensor base = random_tensor(rng, {3, 7}, 0.2f, 3.0f);
  const Tensor exponent = random_tensor(rng, {7}, -2.0f, 2.0f);
  batch.add("Pow", {runtime(base), weight(exponent)}, {}, kTolerance);
  batch.expect_all_match();
}

TEST(EltwiseOpenCl, VariadicAndSelect) {
  ReferenceBatch batch;
  std::mt19937 rng(16);
  for (const char* op : {"Sum", "Mean", "Max", "Min"}) {
    if (!core_has(op)) continue;
    batch.add(op,
              {runtime(random_tensor(rng, {3, 5})), runtime(random_tensor(rng, {5})),
               runtime(random_tensor(rng, {1, 1})), runtime(random_tensor(rng, {3, 1}))},
              {}, kTolerance);
    batch.add(op, {runtime(random_tensor(rng, {4, 2}))}, {}, kTolerance);
  }
  if (core_has("PRelu")) {
    batch.add("PRelu", {runtime(random_tensor(rng, {2, 3, 4})), weight(random_tensor(rng, {3, 1}))},
              {}, kTolerance);
  }
  if (core_has("Where")) {
    Tensor condition(DType::Bool, {3, 1});
    condition.raw()[0] = 1;
    condition.raw()[2] = 1;
    batch.add(
        "Where",
        {weight(condition), runtime(random_tensor(rng, {3, 4})), runtime(random_tensor(rng, {4}))},
        {}, kTolerance);
  }
  batch.expect_all_match();
}

TEST(EltwiseOpenCl, ComputedIntegerInputIsUnsupported) {
  std::unique_ptr<Backend> backend = BackendRegistry::instance().create("opencl");
  Graph graph = single_node_graph(
      "Add", {runtime(int_tensor({3}, {1, 2, 3})), runtime(int_tensor({3}, {4, 5, 6}))}, {});
  PlanOptions options;
  options.optimize = false;
  const Plan plan = make_plan(graph, {{DType::I64, {3}}, {DType::I64, {3}}}, options);
  CompileOptions compile_options;
  compile_options.cache.mode = CacheMode::Off;
  try {
    backend->compile(plan, test_device(), compile_options);
    FAIL() << "int64 Add compiled";
  } catch (const Unsupported& error) {
    EXPECT_NE(std::string(error.what()).find("in0"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("int64"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace tandem::opencl
