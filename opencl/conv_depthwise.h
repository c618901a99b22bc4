#pragma once
// Depthwise Conv layers (one input and one output channel per group; 1-D and 2-D) with kernels
// of at most 49 taps, on kernels/conv_depthwise.cl, a program per kernel size: each item takes
// 4 neighbouring outputs of a row. Where core's has_quad_columns holds and x and y start on 16
// bytes, conv_depthwise_quads reads each input row's taps as 3 aligned float4s and stores the
// 4 outputs as one.
#include "core/ops/conv_geometry.h"
#include "opencl/conv_tiled.h"
#include "opencl/node_context.h"

namespace tandem::opencl {

bool is_depthwise(const ConvGeometry& geometry);

// "conv_depthwise.cl[3x3]", or with quad columns "conv_depthwise.cl[3x3q1]" (stride 1) and
// "[3x3q2]" (stride 2). `io_aligned`: x and y start on 16 bytes.
ProgramRequest depthwise_program(const ConvGeometry& geometry, bool io_aligned);

void compile_depthwise_conv(NodeContext& context, const ConvGeometry& geometry, bool io_aligned,
                            const ConvActivation& activation);

}  // namespace tandem::opencl
