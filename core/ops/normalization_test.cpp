#include <gtest/gtest.h>

#include <cmath>

#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;

constexpr double kTolerance = 1e-12;

TEST(BatchNormalization, HandComputed) {
  const auto y = run_single_node(
      "BatchNormalization", make_attributes({{"epsilon", 0.0}}),
      {runtime(f64({1, 2, 1, 2}, {1, 2, 3, 4})), constant(f64({2}, {1, 2})), constant(f64({2}, {0, 1})),
       constant(f64({2}, {1, 2})), constant(f64({2}, {4, 1}))});
  expect_near_all(y[0], f64({1, 2, 1, 2}, {0, 0.5, 3, 5}));
}

TEST(BatchNormalization, MatchesTheFormulaPerChannel) {
  std::mt19937 rng(40);
  for (const Shape& shape : {Shape{2, 3, 4, 5}, Shape{4, 3}, Shape{1, 3, 7}}) {
    const Tensor x = random_tensor(rng, shape);
    const Tensor scale = random_tensor(rng, {3});
    const Tensor bias = random_tensor(rng, {3});
    const Tensor mean = random_tensor(rng, {3});
    const Tensor variance = random_tensor(rng, {3}, 0.1, 2.0);
    const Tensor y = run_single_node(
        "BatchNormalization", make_attributes({{"epsilon", 1e-3}, {"momentum", 0.8}}),
        {runtime(x), constant(scale), constant(bias), constant(mean), constant(variance)})[0];
    ASSERT_EQ(y.shape(), shape);
    const std::int64_t plane = x.numel() / (shape[0] * 3);
    for (std::int64_t n = 0; n < shape[0]; ++n) {
      for (std::int64_t c = 0; c < 3; ++c) {
        for (std::int64_t i = 0; i < plane; ++i) {
          const std::int64_t at = (n * 3 + c) * plane + i;
          const double expected = scale.value_f64(c) * (x.value_f64(at) - mean.value_f64(c)) /
                                      std::sqrt(variance.value_f64(c) + 1e-3) +
                                  bias.value_f64(c);
          ASSERT_NEAR(y.value_f64(at), expected, kTolerance);
        }
      }
    }
  }
}

TEST(BatchNormalization, RejectsTrainingModeAndBadParameters) {
  std::mt19937 rng(41);
  const Tensor p = random_tensor(rng, {3}, 0.5, 1.0);
  const NodeInput x = runtime(random_tensor(rng, {1, 3, 2, 2}));
  const std::vector<NodeInput> inputs = {x, constant(p), constant(p), constant(p), constant(p)};
  expect_plan_error("BatchNormalization", make_attributes({{"training_mode", std::int64_t{1}}}), inputs,
               "training_mode", true);
  expect_plan_error("BatchNormalization", {}, inputs, "running_mean", true, 3);
  expect_plan_error("BatchNormalization", {}, {x, constant(p), constant(p), constant(p)}, "inputs");
  expect_plan_error("BatchNormalization", {},
               {x, constant(p), constant(p), constant(random_tensor(rng, {4})), constant(p)},
               "input_mean");
  expect_plan_error("BatchNormalization", {},
               {runtime(random_tensor(rng, {3})), constant(p), constant(p), constant(p), constant(p)},
               "[N, C");
}

TEST(LayerNormalization, HandComputed) {
  const auto y = run_single_node("LayerNormalization", make_attributes({{"epsilon", 0.0}}),
                                 {runtime(f64({1, 3}, {1, 2, 3})), constant(f64({3}, {1, 1, 2})),
                                  constant(f64({3}, {0, 10, 0}))});
  const double unit = 1.0 / std::sqrt(2.0 / 3.0);   // mean 2, variance 2/3
  expect_near_all(y[0], f64({1, 3}, {-unit, 10, 2 * unit}));
}

TEST(LayerNormalization, NormalizedRowsHaveMeanZeroAndVarianceOneBeforeScale) {
  std::mt19937 rng(42);
  const Shape shape = {2, 3, 4, 5};
  const Tensor x = random_tensor(rng, shape, -3.0, 5.0);
  const Tensor ones = f64({4, 5}, std::vector<double>(20, 1.0));
  const Tensor plain = run_single_node("LayerNormalization",
                                       make_attributes({{"axis", std::int64_t{-2}}, {"epsilon", 1e-14}}),
                                       {runtime(x), constant(ones)})[0];
  for (std::int64_t row = 0; row < 6; ++row) {
    double mean = 0, square = 0;
    for (std::int64_t i = 0; i < 20; ++i) mean += plain.value_f64(row * 20 + i) / 20;
    for (std::int64_t i = 0; i < 20; ++i) square += std::pow(plain.value_f64(row * 20 + i) - mean, 2) / 20;
    EXPECT_NEAR(mean, 0.0, 1e-12);
    EXPECT_NEAR(square, 1.0, 1e-9);
  }
  // Scale [4, 5] and bias [5] broadcast over the normalized block.
  const Tensor scale = random_tensor(rng, {4, 5});
  const Tensor bias = random_tensor(rng, {5});
  const Tensor y = run_single_node("LayerNormalization",
                                   make_attributes({{"axis", std::int64_t{2}}, {"epsilon", 1e-14}}),
                                   {runtime(x), constant(scale), constant(bias)})[0];
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    ASSERT_NEAR(y.value_f64(i), plain.value_f64(i) * scale.value_f64(i % 20) + bias.value_f64(i % 5),
                kTolerance);
  }
}

TEST(LayerNormalization, AxisZeroNormalizesEverything) {
  std::mt19937 rng(43);
  const Tensor x = random_tensor(rng, {3, 4});
  const Tensor y = run_single_node("LayerNormalization",
                                   make_attributes({{"axis", std::int64_t{0}}, {"epsilon", 0.0}}),
                                   {runtime(x), constant(f64({1}, {1.0}))})[0];
  double mean = 0, variance = 0;
  for (std::int64_t i = 0; i < 12; ++i) mean += x.value_f64(i) / 12;
  for (std::int64_t i = 0; i < 12; ++i) variance += std::pow(x.value_f64(i) - mean, 2) / 12;
  for (std::int64_t i = 0; i < 12; ++i) {
    ASSERT_NEAR(y.value_f64(i), (x.value_f64(i) - mean) / std::sqrt(variance), kTolerance);
  }
}

TEST(LayerNormalization, RejectsExtraOutputsAndBadShapes) {
  std::mt19937 rng(44);
  const NodeInput x = runtime(random_tensor(rng, {2, 3, 4}));
  const NodeInput scale = constant(random_tensor(rng, {4}));
  expect_plan_error("LayerNormalization", {}, {x, scale}, "Mean", true, 2);
  expect_plan_error("LayerNormalization", {}, {x, constant(random_tensor(rng, {3}))}, "Scale");
  expect_plan_error("LayerNormalization", {}, {x, scale, constant(random_tensor(rng, {2}))}, "B [2]");
  expect_plan_error("LayerNormalization", make_attributes({{"axis", std::int64_t{3}}}), {x, scale}, "axis");
  expect_plan_error("LayerNormalization", make_attributes({{"stash_type", std::int64_t{7}}}), {x, scale},
               "stash_type");
  expect_plan_error("LayerNormalization", {}, {x}, "inputs");
}

}  // namespace
}  // namespace tandem
