// Gemm and MatMul on the device against the float64 reference: transposes, alpha/beta, C
// broadcasting, 1-D operands, batch broadcasting, prime and unit sizes.
#include <random>

#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class GemmTest : public VulkanTest {};

// Each output sums K float32 products of values in [-1, 1): rounding grows with K (<= 257
// here); 1e-4 relative to the output's magnitude covers it with a wide margin.
constexpr double kTolerance = 1e-4;

TEST_F(GemmTest, GemmTransposesAlphaBeta) {
  std::mt19937 rng(31);
  struct Case {
    Shape a, b, c;
    std::int64_t trans_a, trans_b;
  };
  const std::vector<Case> cases = {
      {{13, 7}, {7, 31}, {31}, 0, 0},    {{7, 13}, {7, 31}, {13, 31}, 1, 0},
      {{13, 7}, {31, 7}, {13, 1}, 0, 1}, {{7, 13}, {31, 7}, {1, 1}, 1, 1},
      {{1, 67}, {67, 1}, {}, 0, 0},      {{5, 3}, {3, 4}, {}, 0, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("A " + shape_to_string(c.a) + " B " + shape_to_string(c.b));
    std::vector<NodeInput> inputs{runtime(random_tensor(rng, c.a)),
                                  constant(random_tensor(rng, c.b))};
    if (!c.c.empty()) inputs.push_back(constant(random_tensor(rng, c.c)));
    expect_matches_reference(
        "Gemm",
        attrs({{"transA", c.trans_a}, {"transB", c.trans_b}, {"alpha", 0.75}, {"beta", 1.5}}),
        inputs, kTolerance);
  }
}

TEST_F(GemmTest, MatMulShapes) {
  std::mt19937 rng(32);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{13, 17}, {17, 5}},
      {{17}, {17, 5}},
      {{13, 17}, {17}},
      {{17}, {17}},
      {{2, 3, 13, 7}, {7, 11}},
      {{3, 1, 4, 6}, {2, 6, 5}},
      {{2, 1, 5, 3}, {1, 4, 3, 2}},
      {{1, 16, 64}, {64, 64}},
      {{65, 3}, {3, 67}},
  };
  for (const auto& [a, b] : cases) {
    SCOPED_TRACE("A " + shape_to_string(a) + " B " + shape_to_string(b));
    expect_matches_reference(
        "MatMul", {}, {runtime(random_tensor(rng, a)), runtime(random_tensor(rng, b))}, kTolerance);
  }
}

// Products of at least 16 in M, N and K take the shared-memory tiled variant: sizes just
// under, at and over multiples of the 16-wide tile, transposes and broadcast batches.
TEST_F(GemmTest, TiledVariant) {
  std::mt19937 rng(33);
  const std::vector<std::pair<Shape, Shape>> matmuls = {
      {{16, 16}, {16, 16}},          {{17, 31}, {31, 33}},     {{2, 47, 65}, {65, 70}},
      {{3, 1, 32, 16}, {2, 16, 48}}, {{1, 257, 64}, {64, 17}}, {{64, 257}, {257, 16}},
  };
  for (const auto& [a, b] : matmuls) {
    SCOPED_TRACE("A " + shape_to_string(a) + " B " + shape_to_string(b));
    expect_matches_reference("MatMul", {},
                             {runtime(random_tensor(rng, a)), constant(random_tensor(rng, b))},
                             kTolerance);
  }
  expect_matches_reference(
      "Gemm", attrs({{"transA", std::int64_t{1}}, {"transB", std::int64_t{1}}, {"beta", 0.5}}),
      {runtime(random_tensor(rng, {40, 33})), constant(random_tensor(rng, {19, 40})),
       constant(random_tensor(rng, {19}))},
      kTolerance);
}

}  // namespace
}  // namespace tandem::vulkan::testing
