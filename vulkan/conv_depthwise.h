#pragma once
// Depthwise Conv layers (one input and one output channel per group) with kernels of at most
// 49 taps: 4 neighbouring outputs of a row an invocation, on shaders/conv_depthwise_quad.comp
// where core's has_quad_columns holds and x and y start on 16 bytes (each input row's taps
// read as 3 aligned vec4s, the outputs stored as one); else on GPUs one output an invocation
// (shaders/conv_depthwise_flat.comp), and on CPUs shaders/conv_depthwise.comp.
#include <cstdint>
#include <vector>

#include "core/ops/conv_geometry.h"
#include "vulkan/activation.h"
#include "vulkan/node_context.h"

namespace tandem::vulkan {

// Records the layer and returns true if it is depthwise, else records nothing and returns
// false. `h` and `w` are the window's dims (a unit `h` for 1-D), `window` its words as the
// shaders read them (strides, pads, dilations).
bool record_conv_depthwise(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                           const WindowDim& w, const std::vector<std::uint32_t>& window,
                           const ConvActivation& activation);

}  // namespace tandem::vulkan
