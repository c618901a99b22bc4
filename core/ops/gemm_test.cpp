#include <gtest/gtest.h>

#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;

TEST(Gemm, HandComputed) {
  // A = [[1, 2, 3], [4, 5, 6]], B = [[1, 0], [0, 1], [1, 1]]: A B = [[4, 5], [10, 11]].
  const Tensor a = f64({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = f64({3, 2}, {1, 0, 0, 1, 1, 1});
  const Tensor c = f64({2}, {100, 200});
  const auto y = run_single_node("Gemm", make_attributes({{"alpha", 2.0}, {"beta", 0.5}}),
                                 {runtime(a), constant(b), constant(c)});
  expect_near_all(y[0], f64({2, 2}, {58, 110, 70, 122}));
  // Transposed operands given as their transposes give the same product.
  const auto t = run_single_node(
      "Gemm", make_attributes({{"transA", std::int64_t{1}}, {"transB", std::int64_t{1}}}),
      {runtime(f64({3, 2}, {1, 4, 2, 5, 3, 6})), constant(f64({2, 3}, {1, 0, 1, 0, 1, 1}))});
  expect_near_all(t[0], f64({2, 2}, {4, 5, 10, 11}));
}

// The test's own Gemm: a naive triple loop with explicit index arithmetic.
Tensor naive_gemm(const Tensor& a, const Tensor& b, const Tensor* c, bool trans_a, bool trans_b,
                  double alpha, double beta) {
  const std::int64_t m = trans_a ? a.shape()[1] : a.shape()[0];
  const std::int64_t k = trans_a ? a.shape()[0] : a.shape()[1];
  const std::int64_t n = trans_b ? b.shape()[0] : b.shape()[1];
  Tensor y(DType::F64, {m, n});
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::int64_t p = 0; p < k; ++p) {
        sum += a.value_f64(trans_a ? p * m + i : i * k + p) * b.value_f64(trans_b ? j * k + p : p * n + j);
      }
      double bias = 0;
      if (c) {
        const Shape& cs = c->shape();
        const std::int64_t rows = cs.size() == 2 ? cs[0] : 1;
        const std::int64_t cols = cs.empty() ? 1 : cs.back();
        bias = c->value_f64((rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j));
      }
      y.data<double>()[static_cast<std::size_t>(i * n + j)] = alpha * sum + beta * bias;
    }
  }
  return y;
}

TEST(Gemm, MatchesNaiveLoopsForTranspositionsAndBroadcastC) {
  std::mt19937 rng(31);
  const std::int64_t m = 5, k = 7, n = 3;
  const std::vector<Shape> c_shapes = {{m, n}, {n}, {1, n}, {m, 1}, {1}, {}, {1, 1}};
  for (int trans_a = 0; trans_a < 2; ++trans_a) {
    for (int trans_b = 0; trans_b < 2; ++trans_b) {
      for (const Shape& c_shape : c_shapes) {
        const Tensor a = random_tensor(rng, trans_a ? Shape{k, m} : Shape{m, k});
        const Tensor b = random_tensor(rng, trans_b ? Shape{n, k} : Shape{k, n});
        const Tensor c = random_tensor(rng, c_shape);
        const Attributes attributes = make_attributes(
            {{"transA", std::int64_t{trans_a}}, {"transB", std::int64_t{trans_b}},
             {"alpha", 0.75}, {"beta", -1.5}});
        const auto y = run_single_node("Gemm", attributes, {runtime(a), runtime(b), runtime(c)});
        expect_near_all(y[0], naive_gemm(a, b, &c, trans_a, trans_b, 0.75, -1.5));
      }
      const Tensor a = random_tensor(rng, trans_a ? Shape{k, m} : Shape{m, k});
      const Tensor b = random_tensor(rng, trans_b ? Shape{n, k} : Shape{k, n});
      const auto y = run_single_node(
          "Gemm", make_attributes({{"transA", std::int64_t{trans_a}}, {"transB", std::int64_t{trans_b}}}),
          {runtime(a), constant(b)});
      expect_near_all(y[0], naive_gemm(a, b, nullptr, trans_a, trans_b, 1.0, 1.0));
    }
  }
}

TEST(Gemm, RejectsBadShapesAndAttributes) {
  std::mt19937 rng(1);
  const NodeInput a = runtime(random_tensor(rng, {2, 3}));
  const NodeInput b = constant(random_tensor(rng, {3, 4}));
  expect_plan_error("Gemm", {}, {a, constant(random_tensor(rng, {4, 3}))}, "inner dimensions");
  expect_plan_error("Gemm", {}, {runtime(random_tensor(rng, {1, 2, 3})), b}, "must be a matrix");
  expect_plan_error("Gemm", {}, {a, b, constant(random_tensor(rng, {3}))}, "does not broadcast");
  expect_plan_error("Gemm", {}, {a, b, constant(random_tensor(rng, {2, 4, 1}))}, "does not broadcast");
  expect_plan_error("Gemm", make_attributes({{"transA", std::int64_t{2}}}), {a, b}, "transA");
  expect_plan_error("Gemm", {}, {a}, "inputs");
  expect_plan_error("Gemm", make_attributes({{"broadcast", std::int64_t{1}}}), {a, b}, "broadcast",
                    /*unsupported=*/true);
}

// The test's own MatMul: numpy rules spelled out per output element.
Tensor naive_matmul(const Tensor& a, const Tensor& b) {
  Shape as = a.shape(), bs = b.shape();
  const bool a_vector = as.size() == 1, b_vector = bs.size() == 1;
  if (a_vector) as.insert(as.begin(), 1);
  if (b_vector) bs.push_back(1);
  const std::size_t rank = std::max(as.size(), bs.size());
  while (as.size() < rank) as.insert(as.begin(), 1);
  while (bs.size() < rank) bs.insert(bs.begin(), 1);
  Shape full(rank);
  for (std::size_t d = 0; d + 2 < rank; ++d) full[d] = std::max(as[d], bs[d]);
  const std::int64_t m = as[rank - 2], k = as[rank - 1], n = bs[rank - 1];
  full[rank - 2] = m;
  full[rank - 1] = n;
  Tensor y(DType::F64, full);
  for (std::int64_t flat = 0; flat < y.numel(); ++flat) {
    std::vector<std::int64_t> index(rank);
    std::int64_t rest = flat;
    for (std::size_t d = rank; d-- > 0;) index[d] = rest % full[d], rest /= full[d];
    std::int64_t a_base = 0, b_base = 0;
    for (std::size_t d = 0; d + 2 < rank; ++d) {
      a_base = a_base * as[d] + (as[d] == 1 ? 0 : index[d]);
      b_base = b_base * bs[d] + (bs[d] == 1 ? 0 : index[d]);
    }
    double sum = 0;
    for (std::int64_t p = 0; p < k; ++p) {
      sum += a.value_f64((a_base * m + index[rank - 2]) * k + p) *
             b.value_f64((b_base * k + p) * n + index[rank - 1]);
    }
    y.data<double>()[static_cast<std::size_t>(flat)] = sum;
  }
  Shape out(full.begin(), full.end() - 2);
  if (!a_vector) out.push_back(m);
  if (!b_vector) out.push_back(n);
  return y.reshaped(out);
}

TEST(MatMul, HandComputed) {
  const auto y = run_single_node("MatMul", {}, {runtime(f64({2, 2}, {1, 2, 3, 4})),
                                               runtime(f64({2, 2}, {5, 6, 7, 8}))});
  expect_near_all(y[0], f64({2, 2}, {19, 22, 43, 50}));
  const auto dot = run_single_node("MatMul", {}, {runtime(f64({3}, {1, 2, 3})),
                                                 runtime(f64({3}, {4, 5, 6}))});
  expect_near_all(dot[0], f64({}, {32}));
}

TEST(MatMul, MatchesNaiveLoopsWithBatchBroadcastingAndVectors) {
  std::mt19937 rng(77);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{4, 6}, {6, 3}},          {{2, 1, 3, 4}, {5, 4, 2}}, {{3, 4}, {2, 3, 4, 5}},
      {{2, 3, 4}, {2, 4, 5}},    {{4}, {2, 4, 3}},          {{2, 3, 4}, {4}},
      {{7}, {7}},                {{1, 3, 5}, {4, 1, 5, 2}}, {{6}, {6, 1}},
  };
  for (const auto& [a_shape, b_shape] : cases) {
    const Tensor a = random_tensor(rng, a_shape);
    const Tensor b = random_tensor(rng, b_shape);
    const auto y = run_single_node("MatMul", {}, {runtime(a), constant(b)});
    expect_near_all(y[0], naive_matmul(a, b));
  }
}

TEST(MatMul, ShapeInference) {
  std::mt19937 rng(2);
  auto shape_of = [&](Shape a, Shape b) {
    return infer_single_node("MatMul", {}, {runtime(random_tensor(rng, a)), runtime(random_tensor(rng, b))});
  };
  EXPECT_EQ(shape_of({3}, {2, 3, 4}), (Shape{2, 4}));
  EXPECT_EQ(shape_of({2, 1, 5, 3}, {3}), (Shape{2, 1, 5}));
  EXPECT_EQ(shape_of({6, 1, 2, 3}, {5, 3, 4}), (Shape{6, 5, 2, 4}));
}

TEST(MatMul, RejectsMismatchedShapes) {
  std::mt19937 rng(3);
  expect_plan_error("MatMul", {}, {runtime(random_tensor(rng, {2, 3})), runtime(random_tensor(rng, {4, 2}))},
               "inner dimensions");
  expect_plan_error("MatMul", {}, {runtime(random_tensor(rng, {2, 2, 3})), runtime(random_tensor(rng, {3, 3, 2}))},
               "cannot broadcast");
  expect_plan_error("MatMul", {}, {runtime(random_tensor(rng, {2, 3}))}, "inputs");
  EXPECT_THROW(infer_with_schema("MatMul", {}, {std::nullopt, TensorInfo{DType::F32, {2, 3}}}), Error);
}

}  // namespace
}  // namespace tandem
