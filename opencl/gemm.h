#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "opencl/gemm_tiling.h"
#include "opencl/node_context.h"
#include "opencl/op_codes.h"

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
  // Whether launch_matmul may take the blocked kernel: only an op whose node_programs
  // requested matmul_tiling's program may (a 1x1 Conv reaching the simple path may not).
  bool allow_blocked = true;
};

// Launches the product: the register-blocked kernel of gemm_tiled.cl where the device's
// tiling (opencl/gemm_tiling.h) takes the shape, the calling op having requested that
// program (its node_programs, from matmul_tiling); gemm.cl's simple kernels otherwise (the
// op must list gemm.cl).
void launch_matmul(NodeContext& context, const MatmulProblem& problem);
std::optional<GemmTiling> matmul_tiling(const ClDevice& device, const MatmulProblem& problem);

// The launch of a gemm_tiled.cl kernel over `batches` rows x columns outputs: a group per
// block, blocks along the columns in dim 0, the rows in 1, the batches in 2.
LaunchRange blocked_range(NodeContext& context, const GemmTiling& tiling, std::int64_t rows,
                          std::int64_t columns, std::int64_t batches);

// Bits of the kernels' `flags` argument (VEC_A, VEC_B, VEC_OUT, A_K_MAJOR in
// kernels/gemm_tiled.cl; A_K_MAJOR for conv programs only).
constexpr cl_int kVecA = 1;
constexpr cl_int kVecB = 2;
constexpr cl_int kVecOut = 4;
constexpr cl_int kAKMajor = 8;

}  // namespace tandem::opencl
