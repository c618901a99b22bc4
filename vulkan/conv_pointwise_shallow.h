#pragma once
// Unpadded 1x1 Conv layers with few input channels, which memory bounds, on
// shaders/conv_pointwise_shallow.comp: x read once and y written once, in plain runs of
// neighbouring positions, with no tile loop in between.
#include "core/ops/conv_geometry.h"
#include "vulkan/activation.h"
#include "vulkan/node_context.h"

namespace tandem::vulkan {

// Records the layer and returns true where the shader takes it: a GPU (on lavapipe
// conv_pointwise.comp ran 1x1 32->64 1.7x faster), group 1, unpadded 1x1, at most 32 input
// channels and a multiple of 4, weights within 16 KiB of shared memory (and half the
// device's), an even number of positions per image, even x and output offsets. Else records
// nothing and returns false. TANDEM_VULKAN_SHALLOW_POINTWISE=on or off overrides the
// device's side of it, for tests and measurements; another value is an error.
bool record_conv_pointwise_shallow(NodeContext& context, const ConvGeometry& geometry,
                                   const ConvActivation& activation);

}  // namespace tandem::vulkan
