#pragma once
#include <cstdint>
#include <vector>

#include "opencl/node_context.h"
#include "opencl/unary_op.h"

namespace tandem::opencl {

// One batched product y[batch] = act(alpha * A[batch] B[batch] + beta * C) as
// kernels/gemm.cl computes it. A is M x K, B is K x N, both read through row and column
// strides; C (optional) is read at m * c_row + n * c_column, so a bias broadcasts with a
// zero stride. Batch strides are per dim of `batch` (0 where an operand is shared).
struct MatmulProblem {
  BufferArg a, b, c, y;
  bool has_c = false;
  std::int64_t rows = 0, columns = 0, depth = 0;  // M, N, K
  std::int64_t a_row = 0, a_column = 0, b_row = 0, b_column = 0, c_row = 0, c_column = 0;
  Shape batch;
  std::vector<std::int64_t> a_batch_strides, b_batch_strides;
  float alpha = 1.0f, beta = 1.0f;
  UnaryOp activation = UnaryOp::Identity;
  float activation_alpha = 0.0f, activation_beta = 0.0f;
};

// Launches the product from gemm.cl (the calling op must list that program): tiled through
// local memory where the output has at least one whole tile, one item per element otherwise.
void launch_matmul(NodeContext& context, const MatmulProblem& problem);

}  // namespace tandem::opencl
