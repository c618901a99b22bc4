// Softmax (opset 13: along one axis) through shaders/softmax.comp: one invocation per line
// for short axes, one workgroup per line for long ones (vulkan/loop_limit.h says why).
#include "core/ops/op_util.h"
#include "vulkan/loop_limit.h"
#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

constexpr std::int64_t kPasses = 3;  // max, exp and sum, divide

void compile_softmax(NodeContext& context) {
  const Shape& x = context.input(0).shape;
  const std::int64_t axis = normalize_axis(context.node(), context.attributes().get_int("axis", -1),
                                           static_cast<std::int64_t>(x.size()));
  const std::int64_t length = x[static_cast<std::size_t>(axis)];
  const std::int64_t inner = shape_numel(Shape(x.begin() + axis + 1, x.end()));
  const std::int64_t outer = shape_numel(Shape(x.begin(), x.begin() + axis));
  const std::int64_t lines = length == 0 ? 0 : outer * inner;
  const Slot out = context.output_slot();
  const Slot in = context.input_slot(0);
  auto u32 = [&](std::int64_t value) { return checked_u32(context, value, "size"); };
  Dispatch dispatch;
  dispatch.bindings = {out, in};
  if (length <= kShortLine) {
    dispatch.variant = {0};
    dispatch.invocations = static_cast<std::uint64_t>(lines);
  } else {
    dispatch.variant = {1};
    dispatch.workgroup_size = line_group_size(context, length, kPasses);
    dispatch.invocations = static_cast<std::uint64_t>(lines) * dispatch.workgroup_size;
  }
  dispatch.push = {u32(lines), out.element_offset(), in.element_offset(), u32(length), u32(inner)};
  context.dispatch(std::move(dispatch));
}

const OpTableRegistration registration({"Softmax"}, {"softmax", compile_softmax, {}});

}  // namespace
}  // namespace tandem::vulkan
