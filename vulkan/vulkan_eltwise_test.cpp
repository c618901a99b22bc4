// Elementwise ops on the device against the float64 reference, on seeded random inputs with
// awkward shapes (1, primes, just past the workgroup size of 64) and broadcasting.
#include <random>

#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class EltwiseTest : public VulkanTest {};

// float32 transcendental functions on lavapipe are within a few ulp; 1e-5 relative to the
// output's magnitude leaves room for that and for the erf approximation (< 2e-7 absolute).
constexpr double kUnaryTolerance = 1e-5;

TEST_F(EltwiseTest, UnaryOpsMatchReference) {
  std::mt19937 rng(11);
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "Exp", "Erf", "HardSwish"}) {
    for (const Shape& shape : {Shape{1}, Shape{13}, Shape{65}, Shape{2, 31, 3}}) {
      SCOPED_TRACE(std::string(op) + " " + shape_to_string(shape));
      Tensor x = random_tensor(rng, shape, -4.0f, 4.0f);
      x.data<float>()[0] = 1.5f;  // so Relu of a single element is not all zeros
      expect_matches_reference(op, {}, {runtime(x)}, kUnaryTolerance);
    }
  }
}

TEST_F(EltwiseTest, SqrtOfPositiveValues) {
  std::mt19937 rng(12);
  expect_matches_reference("Sqrt", {}, {runtime(random_tensor(rng, {7, 13}, 0.0f, 9.0f))},
                           kUnaryTolerance);
}

TEST_F(EltwiseTest, ParameterisedActivations) {
  std::mt19937 rng(13);
  const Tensor x = random_tensor(rng, {3, 5, 7}, -3.0f, 3.0f);
  expect_matches_reference("LeakyRelu", attrs({{"alpha", 0.3}}), {runtime(x)}, kUnaryTolerance);
  expect_matches_reference("HardSigmoid", attrs({{"alpha", 0.25}, {"beta", 0.4}}), {runtime(x)},
                           kUnaryTolerance);
  const Tensor low = Tensor::from<float>(DType::F32, {}, {-0.5f});
  const Tensor high = Tensor::from<float>(DType::F32, {}, {1.25f});
  expect_matches_reference("Clip", {}, {runtime(x), constant(low), constant(high)}, 0.0);
  expect_matches_reference("Clip", {}, {runtime(x), constant(low)}, 0.0);
  expect_matches_reference("Clip", {}, {runtime(x), omitted(), constant(high)}, 0.0);
}

// One float32 rounding per add/sub/mul/div: 1e-6 relative covers it.
TEST_F(EltwiseTest, BinaryOpsBroadcast) {
  std::mt19937 rng(14);
  const std::vector<std::pair<Shape, Shape>> shapes = {{{13}, {13}},
                                                       {{2, 3, 5}, {5}},
                                                       {{2, 1, 5}, {1, 3, 1}},
                                                       {{1}, {4, 31}},
                                                       {{2, 3, 4, 5, 6}, {3, 1, 5, 1}},
                                                       {{65, 1}, {1, 67}}};
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    for (const auto& [a, b] : shapes) {
      SCOPED_TRACE(std::string(op) + " " + shape_to_string(a) + " " + shape_to_string(b));
      expect_matches_reference(
          op, {},
          {runtime(random_tensor(rng, a, 0.5f, 2.0f)), runtime(random_tensor(rng, b, 0.5f, 2.0f))},
          1e-6);
    }
  }
}

TEST_F(EltwiseTest, BinaryWithConstantOperand) {
  std::mt19937 rng(15);
  expect_matches_reference(
      "Mul", {}, {runtime(random_tensor(rng, {2, 7, 3})), constant(random_tensor(rng, {7, 1}))},
      1e-6);
}

// Pow: exact repeated multiplication for small integer exponents, exp2/log2 otherwise
// (relative error a few ulp times |y log2 x| <= ~6 here): 1e-5.
TEST_F(EltwiseTest, PowIntegerAndFractionalExponents) {
  std::mt19937 rng(16);
  expect_matches_reference("Pow", {},
                           {runtime(random_tensor(rng, {5, 13}, 0.1f, 3.0f)),
                            runtime(random_tensor(rng, {13}, -2.5f, 2.5f))},
                           1e-5);
  const Tensor exponents = Tensor::from<float>(DType::F32, {4}, {2.0f, 3.0f, -1.0f, 0.0f});
  expect_matches_reference(
      "Pow", {}, {runtime(random_tensor(rng, {3, 4}, -2.0f, 2.0f)), constant(exponents)}, 1e-6);
}

}  // namespace
}  // namespace tandem::vulkan::testing
