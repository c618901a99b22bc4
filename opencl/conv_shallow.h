#pragma once
// Conv layers with few inputs per output (C x taps at most 32), which memory bounds, on
// kernels/conv_shallow.cl: x read about once and y written once, in plain runs of
// neighbouring positions, with no tile loop in between. Other layers keep conv_tiled.h's
// implicit GEMM.
#include <string>

#include "core/ops/conv_geometry.h"
#include "opencl/conv_tiled.h"
#include "opencl/node_context.h"

namespace tandem::opencl {

enum class ShallowConv {
  None,
  Pointwise,   // conv_pointwise_shallow: unpadded 1x1, C a multiple of 4, even positions
  Window,      // conv_window_shallow: any other 1-D or 2-D layer
  QuadWindow,  // conv_window_shallow with 4 outputs an item, reading each row's taps as a
               // scalar and two float4s: core's has_quad_rows, x and y 16-byte aligned
};

// The kernel that runs the layer on the device, if any: on a GPU-style device (on pocl's CPUs
// the implicit GEMM ran 1x1 32->64 2.4x faster), a shallow layer (core's is_shallow_conv,
// with the device's local memory), paired pointwise or else 1-D or 2-D, with quad rows where
// `io_aligned` (x and y start on 16 bytes).
// TANDEM_OPENCL_SHALLOW_CONV=on or off overrides the device's side of it, for tests and
// measurements; another value is an error.
ShallowConv choose_shallow_conv(const ClDevice& device, const ConvGeometry& geometry,
                                bool io_aligned);

// "conv_shallow.cl[32x64]" (pointwise, C x M), "conv_shallow.cl[3x32/3x3]" (window) or
// "conv_shallow.cl[3x32/3x3q]" (quad window).
ProgramRequest shallow_conv_program(const ConvGeometry& geometry, ShallowConv kind);

void compile_shallow_conv(NodeContext& context, const ConvGeometry& geometry, ShallowConv kind,
                          const ConvActivation& activation);

}  // namespace tandem::opencl
