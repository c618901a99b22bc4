// ReduceSum and ReduceMean through shaders/reduce.comp. The reduced axes come from the
// attribute (ReduceMean, opset <= 17) or the constant input 1, as the schema reads them.
//
// Why no invocation walks a long reduction alone: see vulkan/loop_limit.h. One invocation per
// output walking 2^20 elements, at 3 iterations per element with the dims walk, summed the
// first 21845 and stopped. So a long reduction gets a workgroup per output, sized so that no
// invocation takes more than kMaxStepsPerInvocation steps, and a shared-memory tree.
#include "vulkan/reduce.h"

#include "core/ops/op_util.h"
#include "vulkan/broadcast_layout.h"
#include "vulkan/loop_limit.h"
#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

// Per input dimension, whether it is reduced; empty axes reduce everything unless
// noop_with_empty_axes makes the op a copy (all false).
std::vector<bool> reduced_dims(NodeContext& context, std::size_t rank) {
  std::vector<std::int64_t> axes = context.attributes().get_ints("axes", {});
  if (context.has_input(1)) {
    const Tensor* given = context.constant(1);
    if (given == nullptr) context.unsupported("axes must be a constant");
    axes = given->to_i64_vector();
  }
  if (axes.empty()) {
    const bool noop = context.attributes().get_int("noop_with_empty_axes", 0) == 1;
    return std::vector<bool>(rank, !noop);
  }
  std::vector<bool> reduced(rank, false);
  for (std::int64_t axis : axes) {
    reduced[static_cast<std::size_t>(
        normalize_axis(context.node(), axis, static_cast<std::int64_t>(rank)))] = true;
  }
  return reduced;
}

void compile_reduce(NodeContext& context, bool mean) {
  record_reduction(context, reduced_dims(context, context.input(0).shape.size()), mean);
}

const OpTableRegistration sum_registration(
    {"ReduceSum"}, {"reduce", [](NodeContext& c) { compile_reduce(c, false); }, {}});
const OpTableRegistration mean_registration(
    {"ReduceMean"}, {"reduce", [](NodeContext& c) { compile_reduce(c, true); }, {}});

}  // namespace

void record_reduction(NodeContext& context, const std::vector<bool>& reduced, bool mean) {
  const Shape& x = context.input(0).shape;
  const std::vector<std::int64_t> strides = strides_of(x);
  Shape kept_shape, reduced_shape;
  std::vector<std::int64_t> kept_strides, reduced_strides;
  for (std::size_t d = 0; d < x.size(); ++d) {
    (reduced[d] ? reduced_shape : kept_shape).push_back(x[d]);
    (reduced[d] ? reduced_strides : kept_strides).push_back(strides[d]);
  }
  // Merging keeps each list's row-major order, so output indices are unchanged.
  const BroadcastLayout kept = collapse_layout(kept_shape, {kept_strides});
  const BroadcastLayout walked = collapse_layout(reduced_shape, {reduced_strides});
  if (kept.shape.size() > kMaxRank || walked.shape.size() > kMaxRank) {
    context.unsupported("reducing a tensor of " + std::to_string(x.size()) + " non-mergeable dims");
  }
  const Slot out = context.output_slot();
  const Slot in = context.input_slot(0);
  const std::int64_t count = shape_numel(context.output().shape);
  const std::int64_t reduced_count = shape_numel(reduced_shape);
  auto u32 = [&](std::int64_t value) { return checked_u32(context, value, "size"); };
  Dispatch dispatch;
  dispatch.shader = "reduce";
  dispatch.bindings = {out, in};
  if (reduced_count <= kShortLine) {
    dispatch.variant = {mean ? 1 : 0, 0};
    dispatch.invocations = static_cast<std::uint64_t>(count);
  } else {
    dispatch.variant = {mean ? 1 : 0, 1};
    dispatch.workgroup_size = line_group_size(context, reduced_count);
    dispatch.invocations = static_cast<std::uint64_t>(count) * dispatch.workgroup_size;
  }
  dispatch.push = {u32(count),
                   u32(reduced_count),
                   out.element_offset(),
                   in.element_offset(),
                   static_cast<std::uint32_t>(kept.shape.size()),
                   static_cast<std::uint32_t>(walked.shape.size())};
  const std::size_t at = dispatch.push.size();
  dispatch.push.resize(at + 4 * kMaxRank, 0);
  for (std::size_t d = 0; d < kept.shape.size(); ++d) {
    dispatch.push[at + d] = u32(kept.shape[d]);
    dispatch.push[at + kMaxRank + d] = u32(kept.strides[0][d]);
  }
  for (std::size_t d = 0; d < walked.shape.size(); ++d) {
    dispatch.push[at + 2 * kMaxRank + d] = u32(walked.shape[d]);
    dispatch.push[at + 3 * kMaxRank + d] = u32(walked.strides[0][d]);
  }
  context.dispatch(std::move(dispatch));
}

}  // namespace tandem::vulkan
