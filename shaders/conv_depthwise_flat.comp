#version 450
// Depthwise Conv layers on GPUs, where conv_depthwise_quad.comp does not take the layer
// (vulkan/conv_depthwise.cpp): one output an invocation, the window in specialization
// constants. A warp's load of a tap then covers its outputs' neighbouring input columns;
// 4 outputs an invocation (conv_depthwise.comp) spread each load over 4 times the lines.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

#include "depthwise_window.glsl"

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
