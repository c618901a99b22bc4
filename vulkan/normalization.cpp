// BatchNormalization (inference) and LayerNormalization through shaders/normalization.comp.
// A LayerNormalization row goes to one invocation when short, to a workgroup when long
// (vulkan/loop_limit.h says why).
#include "core/ops/op_util.h"
#include "vulkan/broadcast_layout.h"
#include "vulkan/loop_limit.h"
#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

constexpr int kBatchNormalization = 0;
constexpr int kLayerNormalization = 1;                 // a row per invocation
constexpr int kLayerNormalizationGroup = 2;            // a row per workgroup
constexpr std::int64_t kLayerNormalizationPasses = 3;  // sum, squares, normalize
constexpr std::size_t kHeaderWords = 12;  // the push words before dims[]

std::vector<std::uint32_t> header(NodeContext& context, std::int64_t count,
                                  const std::vector<Slot>& slots, std::int64_t channels,
                                  std::int64_t plane, bool has_bias) {
  auto u32 = [&](std::int64_t value) { return checked_u32(context, value, "size"); };
  const float epsilon = static_cast<float>(context.attributes().get_float("epsilon", 1e-5));
  std::vector<std::uint32_t> push = {u32(count)};
  for (const Slot& slot : slots)
    push.push_back(slot.element_offset());  // out, x, scale, bias, mean, var
  push.insert(push.end(), {u32(channels), u32(plane), float_word(epsilon), has_bias ? 1u : 0u, 0u});
  push.resize(kHeaderWords + 3 * kMaxRank, 0);
  return push;
}

void compile_batch_normalization(NodeContext& context) {
  const Shape& x = context.input(0).shape;
  const std::int64_t plane = shape_numel(Shape(x.begin() + 2, x.end()));
  std::vector<Slot> slots{context.output_slot()};
  for (std::size_t i = 0; i < 5; ++i) slots.push_back(context.input_slot(i));
  const std::int64_t count = shape_numel(x);
  Dispatch dispatch;
  dispatch.variant = {kBatchNormalization};
  dispatch.bindings = slots;
  dispatch.invocations = static_cast<std::uint64_t>(count);
  dispatch.push = header(context, count, slots, x[1], plane, true);
  context.dispatch(std::move(dispatch));
}

void compile_layer_normalization(NodeContext& context) {
  const Shape& x = context.input(0).shape;
  const std::int64_t axis = normalize_axis(context.node(), context.attributes().get_int("axis", -1),
                                           static_cast<std::int64_t>(x.size()));
  const std::int64_t row = shape_numel(Shape(x.begin() + axis, x.end()));
  const bool has_bias = context.has_input(2);
  std::vector<Shape> operands{context.input(1).shape};
  operands.push_back(has_bias ? context.input(2).shape : Shape{});
  const BroadcastLayout layout = broadcast_layout(x, operands);
  if (layout.shape.size() > kMaxRank)
    context.unsupported("Scale/B broadcast over more than 6 dims");
  const Slot out = context.output_slot();
  const Slot in = context.input_slot(0);
  const Slot scale = context.input_slot(1);
  const Slot bias = has_bias ? context.input_slot(2) : scale;
  const std::vector<Slot> slots{out, in, scale, bias, in, in};
  const std::int64_t rows = row == 0 ? 0 : shape_numel(x) / row;
  Dispatch dispatch;
  dispatch.bindings = slots;
  if (row <= kShortLine) {
    dispatch.variant = {kLayerNormalization};
    dispatch.invocations = static_cast<std::uint64_t>(rows);
  } else {
    dispatch.variant = {kLayerNormalizationGroup};
    dispatch.workgroup_size = line_group_size(context, row, kLayerNormalizationPasses);
    dispatch.invocations = static_cast<std::uint64_t>(rows) * dispatch.workgroup_size;
  }
  dispatch.push = header(context, rows, slots, 0, row, has_bias);
  dispatch.push[kHeaderWords - 1] = static_cast<std::uint32_t>(layout.shape.size());
  for (std::size_t d = 0; d < layout.shape.size(); ++d) {
    dispatch.push[kHeaderWords + d] = checked_u32(context, layout.shape[d], "size");
    dispatch.push[kHeaderWords + kMaxRank + d] =
        checked_u32(context, layout.strides[0][d], "stride");
    dispatch.push[kHeaderWords + 2 * kMaxRank + d] =
        checked_u32(context, layout.strides[1][d], "stride");
  }
  context.dispatch(std::move(dispatch));
}

const OpTableRegistration batch_registration({"BatchNormalization"},
                                             {"normalization", compile_batch_normalization, {}});
const OpTableRegistration layer_registration({"LayerNormalization"},
                                             {"normalization", compile_layer_normalization, {}});

}  // namespace
}  // namespace tandem::vulkan
