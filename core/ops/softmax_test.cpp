#include <gtest/gtest.h>

#include <cmath>

#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;

constexpr double kTolerance = 1e-14;   // probabilities are O(1); a few ulps of slack

Tensor softmax(const Tensor& x, std::int64_t axis) {
  return run_single_node("Softmax", make_attributes({{"axis", axis}}), {runtime(x)})[0];
}

TEST(Softmax, HandComputed) {
  // exp(0) : exp(ln 2) : exp(ln 5) = 1 : 2 : 5.
  const Tensor y = softmax(f64({1, 3}, {0, std::log(2.0), std::log(5.0)}), -1);
  EXPECT_NEAR(y.value_f64(0), 1.0 / 8, kTolerance);
  EXPECT_NEAR(y.value_f64(1), 2.0 / 8, kTolerance);
  EXPECT_NEAR(y.value_f64(2), 5.0 / 8, kTolerance);
  // Along axis 0 of a 2x2: columns [0, ln 3] and [7, 7].
  const Tensor columns = softmax(f64({2, 2}, {0, 7, std::log(3.0), 7}), 0);
  EXPECT_NEAR(columns.value_f64(0), 0.25, kTolerance);
  EXPECT_NEAR(columns.value_f64(2), 0.75, kTolerance);
  EXPECT_NEAR(columns.value_f64(1), 0.5, kTolerance);
}

TEST(Softmax, LargeInputsDoNotOverflow) {
  const Tensor y = softmax(f64({3}, {1000, 1000, 1000 - std::log(2.0)}), 0);
  EXPECT_NEAR(y.value_f64(0), 0.4, kTolerance);
  EXPECT_NEAR(y.value_f64(2), 0.2, kTolerance);
}

TEST(Softmax, EachAxisSumsToOneAndMatchesTheFormula) {
  std::mt19937 rng(50);
  const Shape shape = {3, 4, 5};
  const Tensor x = random_tensor(rng, shape, -4.0, 4.0);
  for (std::int64_t axis = -3; axis < 3; ++axis) {
    const Tensor y = softmax(x, axis);
    ASSERT_EQ(y.shape(), shape);
    const std::size_t a = static_cast<std::size_t>(axis < 0 ? axis + 3 : axis);
    const Ints strides = {20, 5, 1};
    for (std::int64_t flat = 0; flat < 60; ++flat) {
      const Ints index = {flat / 20, flat / 5 % 4, flat % 5};
      if (index[a] != 0) continue;   // one line per position with index 0 on the axis
      double max = -INFINITY, sum_exp = 0, sum_y = 0;
      for (std::int64_t k = 0; k < shape[a]; ++k) max = std::max(max, x.value_f64(flat + k * strides[a]));
      for (std::int64_t k = 0; k < shape[a]; ++k) sum_exp += std::exp(x.value_f64(flat + k * strides[a]) - max);
      for (std::int64_t k = 0; k < shape[a]; ++k) {
        const std::int64_t at = flat + k * strides[a];
        EXPECT_NEAR(y.value_f64(at), std::exp(x.value_f64(at) - max) / sum_exp, kTolerance);
        EXPECT_GT(y.value_f64(at), 0.0);
        sum_y += y.value_f64(at);
      }
      EXPECT_NEAR(sum_y, 1.0, kTolerance);
    }
  }
}

TEST(Softmax, RejectsBadAxisAndIntegerInput) {
  std::mt19937 rng(51);
  try {
    softmax(random_tensor(rng, {2, 3}), 2);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("node 'under_test' (Softmax): axis 2"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(infer_single_node("Softmax", {}, {runtime(Tensor(DType::I64, {2, 3}))}), Unsupported);
}

}  // namespace
}  // namespace tandem
