// ReduceSum, ReduceMean, ReduceMax and ReduceMin (kernels/reduce.cl) over any set of axes,
// from the axes attribute or a constant axes input.
#include "core/ops/op_util.h"
#include "opencl/broadcast_layout.h"
#include "opencl/group_reduce.h"
#include "opencl/op_table.h"

namespace tandem::opencl {
namespace {

enum class ReduceOp : cl_int { Sum = 0, Max = 1, Min = 2 };  // REDUCE_* in kernels/common.cl

// Per input dim, whether it is reduced; empty axes reduce everything unless
// noop_with_empty_axes, which makes the node a copy (every dim kept).
std::vector<bool> reduced_dims(NodeContext& context, std::size_t rank) {
  std::vector<std::int64_t> axes = context.attributes().get_ints("axes", {});
  if (context.has_input(1)) axes = context.constant_input(1, "the axes input").to_i64_vector();
  if (axes.empty()) {
    const bool noop = context.attributes().get_int("noop_with_empty_axes", 0) != 0;
    return std::vector<bool>(rank, !noop);
  }
  std::vector<bool> reduced(rank, false);
  for (std::int64_t axis : axes) {
    reduced[static_cast<std::size_t>(
        normalize_axis(context.node(), axis, static_cast<std::int64_t>(rank)))] = true;
  }
  return reduced;
}

// [rank, shape..., strides...] of the dims selected by `pick`, merged where contiguous.
std::vector<std::int64_t> walk_params(const Shape& shape, const std::vector<std::int64_t>& strides,
                                      const std::vector<bool>& reduced, bool pick) {
  Shape walk;
  std::vector<std::int64_t> walk_strides;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (reduced[d] != pick) continue;
    walk.push_back(shape[d]);
    walk_strides.push_back(strides[d]);
  }
  return layout_params(merge_dims(walk, {walk_strides}));
}

void compile_reduce(NodeContext& context) {
  const std::string& op_type = context.node().op_type;
  const Shape& x = context.input_info(0).shape;
  const std::vector<bool> reduced = reduced_dims(context, x.size());
  const std::vector<std::int64_t> strides = strides_of(x);
  std::vector<std::int64_t> params = walk_params(x, strides, reduced, false);
  const std::vector<std::int64_t> reduced_walk = walk_params(x, strides, reduced, true);
  params.insert(params.end(), reduced_walk.begin(), reduced_walk.end());
  std::int64_t reduced_count = 1;
  for (std::size_t d = 0; d < x.size(); ++d) {
    if (reduced[d]) reduced_count *= x[d];
  }
  const std::int64_t outputs = context.output_info().numel();
  if (outputs == 0) return;
  ReduceOp op = ReduceOp::Sum;
  if (op_type == "ReduceMax") op = ReduceOp::Max;
  if (op_type == "ReduceMin") op = ReduceOp::Min;
  const float scale = op_type == "ReduceMean" ? 1.0f / static_cast<float>(reduced_count) : 1.0f;
  const LaunchRange range = group_per_row(context.device(), outputs, reduced_count);
  context.launch(row_kernel("reduce", range).c_str(), range, context.input(0), context.output(),
                 context.upload_ints(params), context.to_int(outputs, "output count"),
                 context.to_int(reduced_count, "reduced count"), static_cast<cl_int>(op), scale);
}

const OpTableRegistration reduce_ops({"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin"},
                                     {{"reduce.cl"}, compile_reduce, {}});

}  // namespace
}  // namespace tandem::opencl
