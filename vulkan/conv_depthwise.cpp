#include "vulkan/conv_depthwise.h"

namespace tandem::vulkan {
namespace {

constexpr std::int64_t kMaxDepthwiseTaps = 49;
constexpr std::int64_t kDepthwiseOutputs = 4;  // kOutputs in conv_depthwise.comp

}  // namespace

bool record_conv_depthwise(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                           const WindowDim& w, const std::vector<std::uint32_t>& window,
                           const ConvActivation& activation) {
  if (geometry.group != geometry.in_channels || geometry.out_channels != geometry.in_channels ||
      h.kernel * w.kernel > kMaxDepthwiseTaps) {
    return false;
  }
  auto u32 = [&](std::int64_t value, const char* what) {
    return checked_u32(context, value, what);
  };
  const bool quads = has_quad_columns(w) && io_starts_on(context, 4);
  const std::int64_t row_items = (w.output + kDepthwiseOutputs - 1) / kDepthwiseOutputs;
  const std::int64_t count = geometry.batch * geometry.in_channels * h.output * row_items;
  const Slot weights = context.input_slot(1);
  const bool has_bias = context.has_input(2);
  Dispatch dispatch;
  dispatch.shader = quads ? "conv_depthwise_quad" : "conv_depthwise";
  dispatch.variant = {activation.code, static_cast<std::int32_t>(h.kernel),
                      static_cast<std::int32_t>(quads ? w.stride : w.kernel)};
  dispatch.bindings = {context.output_slot(), context.input_slot(0), weights,
                       has_bias ? context.input_slot(2) : weights};
  dispatch.invocations = static_cast<std::uint64_t>(count);
  dispatch.push = {u32(count, "element count"),
                   dispatch.bindings[0].element_offset(),
                   dispatch.bindings[1].element_offset(),
                   weights.element_offset(),
                   dispatch.bindings[3].element_offset(),
                   has_bias ? 1u : 0u,
                   u32(geometry.in_channels, "channels"),
                   u32(h.input, "height"),
                   u32(w.input, "width"),
                   u32(h.output, "height"),
                   u32(w.output, "width"),
                   u32(row_items, "width")};
  dispatch.push.insert(dispatch.push.end(), window.begin(), window.end());
  dispatch.push.insert(dispatch.push.end(),
                       {float_word(activation.alpha), float_word(activation.beta)});
  if (count > 0) context.dispatch(std::move(dispatch));
  return true;
}

}  // namespace tandem::vulkan
