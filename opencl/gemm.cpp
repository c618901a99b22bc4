// MatMul and Gemm: both become one strided, batched product; transposes and broadcasts
// are strides, never copies. Products that fill blocks of the device's tiling run the
// register-blocked kernels/gemm_tiled.cl; the rest run kernels/gemm.cl's simple kernels.
#include "opencl/gemm.h"

#include <initializer_list>

#include "core/ops/broadcast.h"
#include "opencl/broadcast_layout.h"
#include "opencl/gemm_tiling.h"
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

bool all_multiples_of_4(std::initializer_list<std::int64_t> values) {
  for (std::int64_t value : values) {
    if (value % 4 != 0) return false;
  }
  return true;
}

bool all_multiples_of_4(const std::vector<std::int64_t>& values) {
  for (std::int64_t value : values) {
    if (value % 4 != 0) return false;
  }
  return true;
}

// VEC_A / VEC_B / VEC_OUT of kernels/gemm_tiled.cl: float4 loads and stores where rows are
// contiguous and every address stays 16-byte aligned (buffers start at least that aligned).
cl_int vector_flags(const MatmulProblem& problem) {
  cl_int flags = 0;
  if (problem.a_column == 1 && problem.a.offset % 4 == 0 &&
      all_multiples_of_4({problem.depth, problem.a_row}) &&
      all_multiples_of_4(problem.a_batch_strides)) {
    flags |= kVecA;
  }
  if (problem.b_column == 1 && problem.b.offset % 4 == 0 &&
      all_multiples_of_4({problem.columns, problem.b_row}) &&
      all_multiples_of_4(problem.b_batch_strides)) {
    flags |= kVecB;
  }
  if (problem.columns % 4 == 0 && problem.y.offset % 4 == 0) flags |= kVecOut;
  return flags;
}

}  // namespace

std::optional<GemmTiling> matmul_tiling(const ClDevice& device, const MatmulProblem& problem) {
  const bool vector_operands = (vector_flags(problem) & (kVecA | kVecB)) == (kVecA | kVecB);
  return choose_gemm_tiling(device, problem.rows, problem.columns, problem.depth,
                            shape_numel(problem.batch), vector_operands);
}

namespace {

void launch_blocked_matmul(NodeContext& context, const MatmulProblem& problem,
                           const GemmTiling& tiling) {
  const std::int64_t batches = shape_numel(problem.batch);
  const BufferArg c = problem.has_c ? problem.c : problem.a;
  context.launch_in(blocked_program_name(tiling), "matmul_blocked",
                    blocked_range(context, tiling, problem.rows, problem.columns, batches),
                    problem.a, problem.b, c, cl_int{problem.has_c}, problem.y,
                    context.upload_ints(matmul_params(context, problem)), vector_flags(problem),
                    problem.alpha, problem.beta, problem.activation,
                    problem.activation_alpha, problem.activation_beta);
}

}  // namespace

LaunchRange blocked_range(NodeContext& context, const GemmTiling& tiling, std::int64_t rows,
                          std::int64_t columns, std::int64_t batches) {
  LaunchRange range;
  range.dims = 3;
  const std::int64_t column_blocks = (columns + tiling.bn - 1) / tiling.bn;
  range.global = {static_cast<std::size_t>(context.to_int(
                      column_blocks * tiling.work_items(), "work items along the columns")),
                  static_cast<std::size_t>((rows + tiling.bm - 1) / tiling.bm),
                  static_cast<std::size_t>(context.to_int(batches, "batch count"))};
  range.local = {static_cast<std::size_t>(tiling.work_items()), 1, 1};
  return range;
}

void launch_matmul(NodeContext& context, const MatmulProblem& problem) {
  const std::int64_t batches = shape_numel(problem.batch);
  const std::int64_t count = batches * problem.rows * problem.columns;
  if (count == 0) return;
  const std::optional<GemmTiling> tiling =
      problem.allow_blocked ? matmul_tiling(context.device(), problem) : std::nullopt;
  if (tiling) {
    launch_blocked_matmul(context, problem, *tiling);
    return;
  }
  const BufferArg params = context.upload_ints(matmul_params(context, problem));
  const BufferArg c = problem.has_c ? problem.c : problem.a;
  const bool tiled = problem.rows >= kTile && problem.columns >= kTile &&
                     context.limits().max_work_group_size >= kTile * kTile;
  if (!tiled) {
    context.launch_in(
        "gemm.cl", "matmul", LaunchRange{1, {static_cast<std::size_t>(count), 1, 1}, {0, 0, 0}},
        problem.a, problem.b, c, cl_int{problem.has_c}, problem.y, params,
        context.to_int(count, "element count"), problem.alpha, problem.beta,
        problem.activation, problem.activation_alpha, problem.activation_beta);
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
      problem.activation, problem.activation_alpha, problem.activation_beta);
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
// Shapes and strides only: what the program request needs before buffers exist.
MatmulProblem describe_matmul(const Node& node, Shape a, Shape b) {
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  MatmulProblem problem;
  problem.rows = a[a.size() - 2];
  problem.depth = a.back();
  problem.columns = b.back();
  const Shape a_batch(a.begin(), a.end() - 2);
  const Shape b_batch(b.begin(), b.end() - 2);
  problem.batch = broadcast_shape(a_batch, b_batch, node.label());
  problem.a_batch_strides = batch_strides(a_batch, problem.batch, problem.rows * problem.depth);
  problem.b_batch_strides = batch_strides(b_batch, problem.batch, problem.depth * problem.columns);
  problem.a_row = problem.depth;
  problem.a_column = 1;
  problem.b_row = problem.columns;
  problem.b_column = 1;
  return problem;
}

// Gemm: Y = alpha * A' B' + beta * C, A' and B' optionally transposed, C broadcast to [M, N].
MatmulProblem describe_gemm(const Node& node, const Shape& a, const Shape& b) {
  const Attributes& attributes = node.attributes;
  const bool trans_a = attributes.get_int("transA", 0) != 0;
  const bool trans_b = attributes.get_int("transB", 0) != 0;
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
  return problem;
}

MatmulProblem describe_node(const Plan& plan, const Node& node) {
  const Shape& a = plan.info_of(node.inputs.at(0)).shape;
  const Shape& b = plan.info_of(node.inputs.at(1)).shape;
  return node.op_type == "Gemm" ? describe_gemm(node, a, b) : describe_matmul(node, a, b);
}

void compile_product(NodeContext& context) {
  MatmulProblem problem = describe_node(context.plan(), context.node());
  problem.a = context.input(0);
  problem.b = context.input(1);
  problem.y = context.output();
  if (context.node().op_type == "Gemm" && context.has_input(2)) {
    const std::vector<std::int64_t> strides =
        broadcast_strides(context.input_info(2).shape, {problem.rows, problem.columns});
    problem.has_c = true;
    problem.c = context.input(2);
    problem.c_row = strides[0];
    problem.c_column = strides[1];
  }
  launch_matmul(context, problem);
}

std::vector<ProgramRequest> product_programs(const Plan& plan, const Node& node,
                                             const ClDevice& device) {
  const std::optional<GemmTiling> tiling = matmul_tiling(device, describe_node(plan, node));
  if (!tiling) return {};
  return {blocked_program(*tiling)};
}

const OpTableRegistration matmul_op({"MatMul", "Gemm"},
                                    {{"gemm.cl"}, compile_product, {}, product_programs});

}  // namespace
}  // namespace tandem::opencl
