#pragma once
// Depthwise Conv layers (one input and one output channel per group; 1-D and 2-D) with kernels
// of at most 49 taps, on kernels/conv_depthwise.cl. Where core's has_quad_columns holds and x
// and y start on 16 bytes, conv_depthwise_quads (a program per kernel size and stride): each
// item takes 4 neighbouring outputs of a row, reads each input row's taps as 3 aligned float4s
// and stores its outputs as one. Else, on GPU-style devices, conv_depthwise_flat (a program per
// window): one output an item, so that a warp's loads and stores cover neighbouring columns.
// Else (CPUs) conv_depthwise, 4 outputs of a row an item (a program per kernel size).
// TANDEM_OPENCL_DEPTHWISE_FLAT=on or off overrides the device's side of that choice.
#include "core/ops/conv_geometry.h"
#include "opencl/conv_tiled.h"
#include "opencl/node_context.h"

namespace tandem::opencl {

bool is_depthwise(const ConvGeometry& geometry);

// "conv_depthwise.cl[3x3]"; with quad columns "conv_depthwise.cl[3x3q1]" (stride 1) and
// "[3x3q2]" (stride 2); one output an item "conv_depthwise.cl[3x3f,14,14,...]" (the window's
// sizes, strides, pads and dilations). `io_aligned`: x and y start on 16 bytes.
ProgramRequest depthwise_program(const ClDevice& device, const ConvGeometry& geometry,
                                 bool io_aligned);

void compile_depthwise_conv(NodeContext& context, const ConvGeometry& geometry, bool io_aligned,
                            const ConvActivation& activation);

}  // namespace tandem::opencl
