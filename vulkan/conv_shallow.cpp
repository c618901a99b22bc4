#include "vulkan/conv_shallow.h"

#include "core/config.h"

namespace tandem::vulkan {
namespace {

// The window shaders' workgroups: 256 lost (the stem at batch 16, r164). The pointwise shader
// takes core's pointwise_shallow_group over the device's multiprocessors, or an H100's where
// no extension counts them.
constexpr std::uint32_t kInvocations = 128;

bool takes(const NodeContext& context, const ConvGeometry& geometry) {
  return environment_switch("TANDEM_VULKAN_SHALLOW_CONV").value_or(!context.cpu_device()) &&
         geometry.window.dims.size() <= 2 &&
         is_shallow_conv(geometry, context.limits().maxComputeSharedMemorySize);
}

Dispatch shallow_dispatch(NodeContext& context, const ConvGeometry& geometry, const Slot& in,
                          const ConvActivation& activation) {
  const Slot weights = context.input_slot(1);
  const bool has_bias = context.has_input(2);
  Dispatch dispatch;
  dispatch.variant = {activation.code, static_cast<std::int32_t>(geometry.inputs_per_output()),
                      static_cast<std::int32_t>(geometry.out_channels)};
  dispatch.bindings = {context.output_slot(), in, weights,
                       has_bias ? context.input_slot(2) : weights};
  dispatch.workgroup_size = kInvocations;
  dispatch.push = {0,
                   dispatch.bindings[0].element_offset(),
                   in.element_offset(),
                   weights.element_offset(),
                   dispatch.bindings[3].element_offset(),
                   has_bias ? 1u : 0u};
  return dispatch;
}

// Unpadded 1x1 with C a multiple of 4, even positions, even x and output offsets.
bool record_pointwise(NodeContext& context, const ConvGeometry& geometry,
                      const ConvActivation& activation) {
  const std::int64_t positions = shape_numel(geometry.window.output_spatial());
  if (!is_paired_pointwise(geometry) || !io_starts_on(context, 2)) return false;
  const Slot in = context.input_slot(0);
  Dispatch dispatch = shallow_dispatch(context, geometry, in, activation);
  dispatch.shader = "conv_pointwise_shallow";
  const std::int64_t pairs = geometry.batch * positions / 2;
  dispatch.workgroup_size = static_cast<std::uint32_t>(
      pointwise_shallow_group(pairs, units_or_h100(context.compute_units())));
  dispatch.invocations = static_cast<std::uint64_t>(pairs);
  dispatch.push[0] = checked_u32(context, pairs, "position pairs");
  dispatch.push.insert(dispatch.push.end(),
                       {checked_u32(context, positions, "positions"), float_word(activation.alpha),
                        float_word(activation.beta)});
  if (pairs > 0) context.dispatch(std::move(dispatch));
  return true;
}

// conv_window_quad.comp takes 4 outputs of a row an invocation where core's has_quad_rows
// holds and x and y start on 16 bytes; conv_window_shallow.comp 2 elsewhere.
void record_window(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                   const WindowDim& w, const std::vector<std::uint32_t>& window,
                   const ConvActivation& activation) {
  auto u32 = [&](std::int64_t value, const char* what) {
    return checked_u32(context, value, what);
  };
  const bool quad_rows = has_quad_rows(w) && io_starts_on(context, 4);
  const std::int64_t row_items = quad_rows ? w.output / 4 : (w.output + 1) / 2;
  const std::int64_t count = geometry.batch * h.output * row_items;
  Dispatch dispatch = shallow_dispatch(context, geometry, context.input_slot(0), activation);
  dispatch.shader = quad_rows ? "conv_window_quad" : "conv_window_shallow";
  dispatch.variant.push_back(static_cast<std::int32_t>(h.kernel));
  if (!quad_rows) dispatch.variant.push_back(static_cast<std::int32_t>(w.kernel));
  dispatch.invocations = static_cast<std::uint64_t>(count);
  dispatch.push[0] = u32(count, "work items");
  dispatch.push.insert(dispatch.push.end(),
                       {u32(h.input, "height"), u32(w.input, "width"), u32(h.output, "height"),
                        u32(w.output, "width"), u32(row_items, "width")});
  dispatch.push.insert(dispatch.push.end(), window.begin(), window.end());
  dispatch.push.insert(dispatch.push.end(),
                       {float_word(activation.alpha), float_word(activation.beta)});
  if (count > 0) context.dispatch(std::move(dispatch));
}

}  // namespace

bool record_conv_shallow(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                         const WindowDim& w, const std::vector<std::uint32_t>& window,
                         const ConvActivation& activation) {
  if (!takes(context, geometry)) return false;
  if (!record_pointwise(context, geometry, activation)) {
    record_window(context, geometry, h, w, window, activation);
  }
  return true;
}

}  // namespace tandem::vulkan
