#include "vulkan/conv_depthwise.h"

#include "core/config.h"

namespace tandem::vulkan {
namespace {

constexpr std::int64_t kMaxDepthwiseTaps = 49;
constexpr std::int64_t kDepthwiseOutputs = 4;  // kOutputs in conv_depthwise.comp
// The flat and quad shaders' workgroups. Their invocations are short: with 64 the H100 ran the
// flat shader 10-39% slower, and the quad one 1-4% (r201, r202); 512 and 1024 lost 2-12%.
constexpr std::uint32_t kGroupInvocations = 256;
// Outputs of a column an invocation in conv_depthwise_column.comp. On the H100 (r208), 3 gained
// the most on dw 3x3 512 @14 (+21-29% over one output an invocation); on 1024 @7, 4 gained more
// at batch 64 (+20-23% against +16-17%) and 2 at batch 16 (+2.6% against -0.5%).
constexpr std::int64_t kColumnOutputs = 3;

// One output an invocation (or a column of them, flat_dispatch) on GPUs, where 4 outputs of a
// row an invocation spread each load of a warp over 4 times the lines: on the H100 (r201) dw 3x3 s2
// 256 @28, 512 @14 and 1024 @7 ran 3-62% faster than on the row shader. CPU devices keep rows: on
// pocl, OpenCL's build of the same code ran 1.5-3x slower. TANDEM_VULKAN_DEPTHWISE_FLAT=on or off
// overrides the device's side of it, for tests and measurements; another value is an error.
bool takes_flat(const NodeContext& context) {
  return environment_switch("TANDEM_VULKAN_DEPTHWISE_FLAT").value_or(!context.cpu_device());
}

Dispatch depthwise_dispatch(NodeContext& context) {
  const Slot weights = context.input_slot(1);
  Dispatch dispatch;
  dispatch.bindings = {context.output_slot(), context.input_slot(0), weights,
                       context.has_input(2) ? context.input_slot(2) : weights};
  return dispatch;
}

// conv_depthwise_column.comp where the layer has stride 1 along h and more than one output
// row, else conv_depthwise_flat.comp; the window's dims are specialization constants.
Dispatch flat_dispatch(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                       const WindowDim& w, const ConvActivation& activation) {
  const bool columns = h.stride == 1 && h.output > 1;
  const std::int64_t rows = columns ? kColumnOutputs : 1;
  const std::int64_t count =
      geometry.batch * geometry.in_channels * ((h.output + rows - 1) / rows) * w.output;
  Dispatch dispatch = depthwise_dispatch(context);
  dispatch.shader = columns ? "conv_depthwise_column" : "conv_depthwise_flat";
  dispatch.variant = {activation.code};
  for (const std::int64_t value :
       {h.kernel, w.kernel, h.input, w.input, h.output, w.output, h.stride, w.stride, h.pad_begin,
        w.pad_begin, h.dilation, w.dilation}) {
    dispatch.variant.push_back(static_cast<std::int32_t>(value));
  }
  if (columns) dispatch.variant.push_back(static_cast<std::int32_t>(rows));
  dispatch.invocations = static_cast<std::uint64_t>(count);
  dispatch.workgroup_size = kGroupInvocations;
  dispatch.push = {checked_u32(context, count, "invocation count"),
                   dispatch.bindings[0].element_offset(),
                   dispatch.bindings[1].element_offset(),
                   dispatch.bindings[2].element_offset(),
                   dispatch.bindings[3].element_offset(),
                   context.has_input(2) ? 1u : 0u,
                   checked_u32(context, geometry.in_channels, "channels"),
                   float_word(activation.alpha),
                   float_word(activation.beta)};
  return dispatch;
}

// conv_depthwise_quad.comp or conv_depthwise.comp: 4 neighbouring outputs of a row an
// invocation, the window's strides, pads and dilations pushed (`window`).
Dispatch row_dispatch(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                      const WindowDim& w, const std::vector<std::uint32_t>& window,
                      const ConvActivation& activation, bool quads) {
  auto u32 = [&](std::int64_t value, const char* what) {
    return checked_u32(context, value, what);
  };
  const std::int64_t row_items = (w.output + kDepthwiseOutputs - 1) / kDepthwiseOutputs;
  const std::int64_t count = geometry.batch * geometry.in_channels * h.output * row_items;
  Dispatch dispatch = depthwise_dispatch(context);
  dispatch.shader = quads ? "conv_depthwise_quad" : "conv_depthwise";
  dispatch.variant = {activation.code, static_cast<std::int32_t>(h.kernel),
                      static_cast<std::int32_t>(quads ? w.stride : w.kernel)};
  dispatch.invocations = static_cast<std::uint64_t>(count);
  if (quads) dispatch.workgroup_size = kGroupInvocations;
  dispatch.push = {u32(count, "element count"),
                   dispatch.bindings[0].element_offset(),
                   dispatch.bindings[1].element_offset(),
                   dispatch.bindings[2].element_offset(),
                   dispatch.bindings[3].element_offset(),
                   context.has_input(2) ? 1u : 0u,
                   u32(geometry.in_channels, "channels"),
                   u32(h.input, "height"),
                   u32(w.input, "width"),
                   u32(h.output, "height"),
                   u32(w.output, "width"),
                   u32(row_items, "width")};
  dispatch.push.insert(dispatch.push.end(), window.begin(), window.end());
  dispatch.push.insert(dispatch.push.end(),
                       {float_word(activation.alpha), float_word(activation.beta)});
  return dispatch;
}

}  // namespace

bool record_conv_depthwise(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                           const WindowDim& w, const std::vector<std::uint32_t>& window,
                           const ConvActivation& activation) {
  if (geometry.group != geometry.in_channels || geometry.out_channels != geometry.in_channels ||
      h.kernel * w.kernel > kMaxDepthwiseTaps) {
    return false;
  }
  if (geometry.batch * geometry.in_channels * h.output * w.output == 0) return true;
  const bool quads = has_quad_columns(w) && io_starts_on(context, 4);
  context.dispatch(!quads && takes_flat(context)
                       ? flat_dispatch(context, geometry, h, w, activation)
                       : row_dispatch(context, geometry, h, w, window, activation, quads));
  return true;
}

}  // namespace tandem::vulkan
