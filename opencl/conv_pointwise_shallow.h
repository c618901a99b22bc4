#pragma once
// Unpadded 1x1 Conv layers with few input channels, which memory bounds, on
// kernels/conv_pointwise_shallow.cl: x read once and y written once, in plain runs of consecutive
// positions, with no tile loop in between. Other layers keep conv_tiled.h's implicit GEMM.
#include "core/ops/conv_geometry.h"
#include "opencl/conv_tiled.h"
#include "opencl/node_context.h"

namespace tandem::opencl {

// Whether the layer runs kernels/conv_pointwise_shallow.cl on the device: a GPU-style device (on
// pocl's CPUs the implicit GEMM ran 1x1 32->64 2.4x faster), group 1, unpadded 1x1, at most
// 32 input channels and a multiple of 4, weights within 16 KiB of local memory (and half the
// device's), an even number of positions per image. TANDEM_OPENCL_SHALLOW_POINTWISE=on or off
// overrides the device's side of it, for tests and measurements; another value is an error.
bool streams_shallow_pointwise(const ClDevice& device, const ConvGeometry& geometry);

// "conv_pointwise_shallow.cl[32x64]": built for the layer's input and output channels.
ProgramRequest shallow_pointwise_program(const ConvGeometry& geometry);

void compile_shallow_pointwise_conv(NodeContext& context, const ConvGeometry& geometry,
                                    const ConvActivation& activation);

}  // namespace tandem::opencl
