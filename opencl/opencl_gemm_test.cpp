// MatMul and Gemm on pocl against the float64 reference. Each output is a float32 dot
// product of length K <= 257 over inputs in [-1, 1]: rounding error ~ sqrt(K) * 6e-8 *
// max|partial sum| < 1e-5, so 1e-4 * (1 + max|ref|) leaves a 10x margin and still catches
// a single wrong term. Shapes cover both kernels: the tiled one (M, N >= 16, with partial
// edge tiles: 31, 33, 257) and the per-element one (thin or 1-D operands).
#include <gtest/gtest.h>

#include "core/op_registry.h"
#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;
constexpr double kTolerance = 1e-4;

void skip_unless(const char* op_type) {
  if (!OpRegistry::instance().find(op_type)) GTEST_SKIP() << "core has no " << op_type << " yet";
}

TEST(GemmOpenCl, MatMulShapes) {
  skip_unless("MatMul");
  ReferenceBatch batch;
  std::mt19937 rng(41);
  const std::vector<std::pair<Shape, Shape>> shapes = {{{13, 31}, {31, 17}},
                                                       {{31, 257}, {257, 33}},
                                                       {{1, 64}, {64, 1}},
                                                       {{2, 3, 13, 7}, {7, 5}},
                                                       {{4, 1, 17, 9}, {3, 9, 16}},
                                                       {{31}, {31, 19}},
                                                       {{5, 7}, {7}},
                                                       {{19}, {19}},
                                                       {{2, 20, 18}, {2, 18, 40}}};
  for (const auto& [a, b] : shapes) {
    batch.add("MatMul", {runtime(random_tensor(rng, a)), runtime(random_tensor(rng, b))}, {},
              kTolerance);
  }
  batch.add("MatMul",
            {runtime(random_tensor(rng, {3, 40, 24})), weight(random_tensor(rng, {24, 20}))}, {},
            kTolerance);
  batch.expect_all_match();
}

TEST(GemmOpenCl, GemmTransposesAlphaBetaAndBiasBroadcast) {
  skip_unless("Gemm");
  ReferenceBatch batch;
  std::mt19937 rng(42);
  const std::int64_t m = 19, k = 23, n = 37;
  for (int trans_a = 0; trans_a < 2; ++trans_a) {
    for (int trans_b = 0; trans_b < 2; ++trans_b) {
      const Tensor a = random_tensor(rng, trans_a ? Shape{k, m} : Shape{m, k});
      const Tensor b = random_tensor(rng, trans_b ? Shape{n, k} : Shape{k, n});
      for (const Shape& c : {Shape{n}, Shape{m, 1}, Shape{m, n}, Shape{}, Shape{1, n}}) {
        batch.add("Gemm", {runtime(a), weight(b), weight(random_tensor(rng, c))},
                  attrs({{"transA", std::int64_t{trans_a}},
                         {"transB", std::int64_t{trans_b}},
                         {"alpha", 0.75},
                         {"beta", -1.5}}),
                  kTolerance);
      }
    }
  }
  batch.add("Gemm", {runtime(random_tensor(rng, {1, 13})), weight(random_tensor(rng, {7, 13}))},
            attrs({{"transB", std::int64_t{1}}}), kTolerance);
  batch.expect_all_match();
}

}  // namespace
}  // namespace tandem::opencl
