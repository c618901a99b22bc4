// MatMul and Gemm (kernels/gemm.cl): both become one strided, batched product; transposes
// and broadcasts are strides, never copies.
#include "opencl/gemm.h"

#include "core/ops/broadcast.h"
#include "opencl/broadcast_layout.h"
#include "opencl/op_table.h"

namespace tandem::opencl {

namespace {

constexpr std::int64_t kTile = 16;  // TILE in kernels/gemm.cl

std::vector<std::int64_t> matmul_params(NodeContext& context, const MatmulProblem& problem) {
  const BroadcastLayout batch =
      merge_dims(problem.batch, {problem.a_batch_strides, problem.b_batch_strides});
  std::vector<std::int64_t> params{problem.rows,     problem.columns,  problem.depth,
                                   problem.a_row,    problem.a_column, problem.b_row,
                                   problem.b_column, problem.c_row,    problem.c_column};
  const std::vector<std::int64_t> layout = layout_params(batch);
  params.insert(params.end(), layout.begin(), layout.end());
  return params;
}

}  // namespace

void launch_matmul(NodeContext& context, const MatmulProblem& problem) {
  const std::int64_t batches = shape_numel(problem.batch);
  const std::int64_t count = batches * problem.rows * problem.columns;
  if (count == 0) return;
  const BufferArg params = context.upload_ints(matmul_params(context, problem));
  const BufferArg c = problem.has_c ? problem.c : problem.a;
  const bool tiled = problem.rows >= kTile && problem.columns >= kTile &&
                     context.limits().max_work_group_size >= kTile * kTile;
  if (!tiled) {
    context.launch_in(
        "gemm.cl", "matmul", LaunchRange{1, {static_cast<std::size_t>(count), 1, 1}, {0, 0, 0}},
        problem.a, problem.b, c, cl_int{problem.has_c}, problem.y, params,
        context.to_int(count, "element count"), problem.alpha, problem.beta,
        static_cast<cl_int>(problem.activation), problem.activation_alpha, problem.activation_beta);
    return;
  }
  LaunchRange range;
  range.dims = 3;
  range.global = {static_cast<std::size_t>(problem.columns), static_cast<std::size_t>(problem.rows),
                  static_cast<std::size_t>(batches)};
  range.local = {kTile, kTile, 1};
  context.launch_in(
      "gemm.cl", "matmul_tiled", range, problem.a, problem.b, c, cl_int{problem.has_c}, problem.y,
      params, context.to_int(batches, "batch count"), problem.alpha, problem.beta,
      static_cast<cl_int>(problem.activation), problem.activation_alpha, problem.activation_beta);
}

namespace {

// Strides with which a contiguous operand with batch dims `own` is read along `batch`,
// each batch step being one whole matrix of `matrix` elements.
std::vector<std::int64_t> batch_strides(const Shape& own, const Shape& batch, std::int64_t matrix) {
  std::vector<std::int64_t> strides = broadcast_strides(own, batch);
  for (std::int64_t& stride : strides) stride *= matrix;
  return strides;
}

// numpy matmul: a 1-D A is a row [1, K], a 1-D B a column [K, 1]; batch dims broadcast.
void compile_matmul(NodeContext& context) {
  Shape a = context.input_info(0).shape;
  Shape b = context.input_info(1).shape;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  MatmulProblem problem;
  problem.rows = a[a.size() - 2];
  problem.depth = a.back();
  problem.columns = b.back();
  const Shape a_batch(a.begin(), a.end() - 2);
  const Shape b_batch(b.begin(), b.end() - 2);
  problem.batch = broadcast_shape(a_batch, b_batch, context.node().label());
  problem.a_batch_strides = batch_strides(a_batch, problem.batch, problem.rows * problem.depth);
  problem.b_batch_strides = batch_strides(b_batch, problem.batch, problem.depth * problem.columns);
  problem.a_row = problem.depth;
  problem.a_column = 1;
  problem.b_row = problem.columns;
  problem.b_column = 1;
  problem.a = context.input(0);
  problem.b = context.input(1);
  problem.y = context.output();
  launch_matmul(context, problem);
}

// Gemm: Y = alpha * A' B' + beta * C, A' and B' optionally transposed, C broadcast to [M, N].
void compile_gemm(NodeContext& context) {
  const Attributes& attributes = context.attributes();
  const bool trans_a = attributes.get_int("transA", 0) != 0;
  const bool trans_b = attributes.get_int("transB", 0) != 0;
  const Shape& a = context.input_info(0).shape;
  const Shape& b = context.input_info(1).shape;
  MatmulProblem problem;
  problem.rows = trans_a ? a[1] : a[0];
  problem.depth = trans_a ? a[0] : a[1];
  problem.columns = trans_b ? b[0] : b[1];
  problem.a_row = trans_a ? 1 : problem.depth;
  problem.a_column = trans_a ? problem.rows : 1;
  problem.b_row = trans_b ? 1 : problem.columns;
  problem.b_column = trans_b ? problem.depth : 1;
  problem.alpha = static_cast<float>(attributes.get_float("alpha", 1.0));
  problem.beta = static_cast<float>(attributes.get_float("beta", 1.0));
  problem.a = context.input(0);
  problem.b = context.input(1);
  problem.y = context.output();
  if (context.has_input(2)) {
    const std::vector<std::int64_t> strides =
        broadcast_strides(context.input_info(2).shape, {problem.rows, problem.columns});
    problem.has_c = true;
    problem.c = context.input(2);
    problem.c_row = strides[0];
    problem.c_column = strides[1];
  }
  launch_matmul(context, problem);
}

const OpTableRegistration matmul_op({"MatMul"}, {{"gemm.cl"}, compile_matmul, {}});
const OpTableRegistration gemm_op({"Gemm"}, {{"gemm.cl"}, compile_gemm, {}});

}  // namespace
}  // namespace tandem::opencl
