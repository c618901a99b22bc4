#version 450
// Depthwise Conv layers on GPUs, where conv_depthwise_quad.comp does not take the layer
// (vulkan/conv_depthwise.cpp): one output an invocation, the window in specialization
// constants. A warp's load of a tap then covers its outputs' neighbouring input columns;
// 4 outputs an invocation (conv_depthwise.comp) spread each load over 4 times the lines.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 1) const int ACTIVATION = 0;  // vulkan/activation.h codes
layout(constant_id = 2) const uint KH = 3;
layout(constant_id = 3) const uint KW = 3;
layout(constant_id = 4) const uint IN_H = 1;
layout(constant_id = 5) const uint IN_W = 1;
layout(constant_id = 6) const uint OUT_H = 1;
layout(constant_id = 7) const uint OUT_W = 1;
layout(constant_id = 8) const int STRIDE_H = 1;
layout(constant_id = 9) const int STRIDE_W = 1;
layout(constant_id = 10) const int PAD_H = 0;
layout(constant_id = 11) const int PAD_W = 0;
layout(constant_id = 12) const int DILATION_H = 1;
layout(constant_id = 13) const int DILATION_W = 1;

const uint kInPlane = IN_H * IN_W;
const uint kOutPlane = OUT_H * OUT_W;

layout(std430, binding = 0) writeonly buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };
layout(std430, binding = 2) readonly buffer W { float w_data[]; };
layout(std430, binding = 3) readonly buffer B { float b_data[]; };

layout(push_constant) uniform Params {
  uint count;  // outputs: batch x C x OH x OW
  uint out_offset;  // in floats
  uint x_offset;
  uint w_offset;
  uint b_offset;
  uint has_bias;
  uint channels;
  float alpha;
  float beta;
} p;

void main() {
  const uint o = invocation_index();
  if (o >= p.count) return;
  const uint plane = o / kOutPlane;  // image x C + channel
  const int oh = int((o - plane * kOutPlane) / OUT_W);
  const int ow = int(o - plane * kOutPlane) - oh * int(OUT_W);
  const uint channel = plane % p.channels;
  const uint x_plane = p.x_offset + plane * kInPlane;
  const uint taps = p.w_offset + channel * KH * KW;
  float sum = p.has_bias != 0 ? b_data[p.b_offset + channel] : 0.0;
  [[unroll]] for (uint kh = 0; kh < KH; ++kh) {
    const int ih = oh * STRIDE_H - PAD_H + int(kh) * DILATION_H;
    [[unroll]] for (uint kw = 0; kw < KW; ++kw) {
      const int iw = ow * STRIDE_W - PAD_W + int(kw) * DILATION_W;
      // Negative coordinates wrap to large unsigned ones: one comparison per bound.
      if (uint(ih) < IN_H && uint(iw) < IN_W) {
        sum = fma(x_data[x_plane + uint(ih) * IN_W + uint(iw)], w_data[taps + kh * KW + kw], sum);
      }
    }
  }
  out_data[p.out_offset + o] = apply_activation(ACTIVATION, sum, p.alpha, p.beta);
}
