#pragma once
// Conv layers with few inputs per output (C x taps at most 32), which memory bounds, on
// shaders/conv_pointwise_shallow.comp (unpadded 1x1), conv_window_quad.comp (the RGB stem)
// and conv_window_shallow.comp (other windows): x read about once and y written once, in plain runs
// of neighbouring positions, with no tile loop in between (shaders/shallow_conv.glsl).
#include <cstdint>
#include <vector>

#include "core/ops/conv_geometry.h"
#include "vulkan/activation.h"
#include "vulkan/node_context.h"

namespace tandem::vulkan {

// Records the layer and returns true where a shallow shader takes it: on a GPU (on lavapipe
// conv_pointwise.comp ran 1x1 32->64 1.7x faster), a 1-D or 2-D shallow layer (core's
// is_shallow_conv, with the device's shared memory). Paired pointwise layers (core's
// is_paired_pointwise) with even x and output offsets take the pointwise shader; layers where
// core's has_quad_rows holds, with x and output offsets multiples of 4, the quad shader; the
// rest the window shader. Else records nothing and returns false. `h` and `w` are the
// window's dims (a unit `h` for 1-D), `window` its words as conv.comp reads them (strides,
// pads, dilations). TANDEM_VULKAN_SHALLOW_CONV=on or off overrides the device's side of it,
// for tests and measurements; another value is an error.
bool record_conv_shallow(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                         const WindowDim& w, const std::vector<std::uint32_t>& window,
                         const ConvActivation& activation);

}  // namespace tandem::vulkan
