// Conv and ConvTranspose through shaders/conv.comp: geometry resolved once by
// core/ops/conv_geometry.h, the fused activation (kFusedActivation) baked in as a
// specialization constant.
#include <limits>

#include "core/op_registry.h"
#include "core/ops/conv_geometry.h"
#include "vulkan/activation.h"
#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

struct Activation {
  int code = 0;
  float alpha = 0.0f;
  float beta = 0.0f;
};

// The fused activation with ONNX's defaults where the fusion pass left alpha/beta unset
// (the same defaults the Conv reference kernel applies).
Activation fused_activation(const NodeContext& context) {
  const Attributes& attributes = context.attributes();
  if (!attributes.has(kFusedActivation)) return {};
  const std::string name = attributes.get_string(kFusedActivation);
  Activation activation;
  activation.code = activation_code(name);
  if (activation.code < 0) context.unsupported("fused activation '" + name + "'");
  double alpha = 0.0;
  double beta = 0.0;
  if (name == "LeakyRelu") alpha = 0.01;
  if (name == "HardSigmoid") alpha = 0.2, beta = 0.5;
  if (name == "Clip") {
    alpha = -std::numeric_limits<double>::infinity();
    beta = std::numeric_limits<double>::infinity();
  }
  activation.alpha = static_cast<float>(attributes.get_float(kFusedAlpha, alpha));
  activation.beta = static_cast<float>(attributes.get_float(kFusedBeta, beta));
  return activation;
}

// 1-D windows run as 2-D with a unit leading dimension.
WindowDim unit_dim() {
  WindowDim dim;
  dim.input = 1;
  dim.output = 1;
  return dim;
}

void compile_conv(NodeContext& context, bool transposed) {
  const Shape& x = context.input(0).shape;
  const Shape& w = context.input(1).shape;
  const ConvGeometry geometry = transposed ? resolve_conv_transpose(context.node(), x, w)
                                           : resolve_conv(context.node(), x, w);
  const std::vector<WindowDim>& dims = geometry.window.dims;
  if (dims.empty() || dims.size() > 2) {
    context.unsupported(std::to_string(dims.size()) + "-D convolution (1-D and 2-D only)");
  }
  const WindowDim h = dims.size() == 2 ? dims[0] : unit_dim();
  const WindowDim wd = dims.back();
  const Activation activation = fused_activation(context);
  const Slot out = context.output_slot();
  const Slot in = context.input_slot(0);
  const Slot weights = context.input_slot(1);
  const bool has_bias = context.has_input(2);
  const Slot bias = has_bias ? context.input_slot(2) : weights;
  const std::int64_t count = shape_numel(context.output().shape);
  auto u32 = [&](std::int64_t value, const char* what) {
    return checked_u32(context, value, what);
  };
  auto i32 = [](std::int64_t value) {
    return static_cast<std::uint32_t>(static_cast<std::int32_t>(value));
  };

  Dispatch dispatch;
  dispatch.variant = {activation.code, transposed ? 1 : 0};
  dispatch.bindings = {out, in, weights, bias};
  dispatch.invocations = static_cast<std::uint64_t>(count);
  dispatch.push = {u32(count, "element count"),
                   out.element_offset(),
                   in.element_offset(),
                   weights.element_offset(),
                   bias.element_offset(),
                   has_bias ? 1u : 0u,
                   u32(geometry.in_channels, "channels"),
                   u32(h.input, "height"),
                   u32(wd.input, "width"),
                   u32(geometry.out_channels, "channels"),
                   u32(h.output, "height"),
                   u32(wd.output, "width"),
                   u32(h.kernel, "kernel"),
                   u32(wd.kernel, "kernel"),
                   i32(h.stride),
                   i32(wd.stride),
                   i32(h.pad_begin),
                   i32(wd.pad_begin),
                   i32(h.dilation),
                   i32(wd.dilation),
                   u32(geometry.in_channels_per_group(), "channels"),
                   u32(geometry.out_channels_per_group(), "channels"),
                   float_word(activation.alpha),
                   float_word(activation.beta)};
  context.dispatch(std::move(dispatch));
}

const OpTableRegistration conv_registration({"Conv"},
                                            {"conv", [](NodeContext& c) { compile_conv(c, false); },
                                             fusable_activations()});
const OpTableRegistration conv_transpose_registration(
    {"ConvTranspose"}, {"conv", [](NodeContext& c) { compile_conv(c, true); }, {}});

}  // namespace
}  // namespace tandem::vulkan
