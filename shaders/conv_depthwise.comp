#version 450
// Depthwise Conv (group = C = M; 2-D, or 1-D as H = 1): each invocation computes kOutputs
// neighbouring outputs of one output row of one channel, with the KH x KW taps unrolled
// (specialization constants) and the channel's weights read once into registers. The
// direct kernel (conv.comp) spends most of its time on the index arithmetic and loop
// control of one output's nine taps; here one split of the invocation index serves
// kOutputs outputs, and every tap is a multiply-add guarded by two comparisons.
// Chosen by vulkan/conv_depthwise.cpp for kernels of up to 49 taps on CPU devices, where
// conv_depthwise_quad.comp does not take the layer.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 1) const int ACTIVATION = 0;  // vulkan/activation.h codes
layout(constant_id = 2) const uint KH = 3;
layout(constant_id = 3) const uint KW = 3;

const uint kOutputs = 4;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };
layout(std430, binding = 2) readonly buffer W { float w_data[]; };
layout(std430, binding = 3) readonly buffer B { float b_data[]; };

#include "depthwise_rows.glsl"

void main() {
  const uint item = invocation_index();
  if (item >= p.count) return;
  const DepthwiseItem it = depthwise_item(item, kOutputs);
  const uint row = it.row, ow0 = it.ow0, channel = it.channel, x_plane = it.x_plane;
  const int ih0 = it.ih0;
  const int iw0 = int(ow0) * p.stride_w - p.pad_w;

  float weights[KH * KW];
  [[unroll]] for (uint t = 0; t < KH * KW; ++t) weights[t] = w_data[p.w_offset + channel * KH * KW + t];
  float acc[kOutputs];
  [[unroll]] for (uint j = 0; j < kOutputs; ++j) acc[j] = 0.0;
  [[unroll]] for (uint kh = 0; kh < KH; ++kh) {
    const int ih = ih0 + int(kh) * p.dilation_h;
    // Negative coordinates wrap to large unsigned ones: one comparison per bound.
    if (uint(ih) >= p.in_h) continue;
    const uint x_row = x_plane + uint(ih) * p.in_w;
    [[unroll]] for (uint j = 0; j < kOutputs; ++j) {
      [[unroll]] for (uint kw = 0; kw < KW; ++kw) {
        const int iw = iw0 + int(j) * p.stride_w + int(kw) * p.dilation_w;
        if (uint(iw) < p.in_w) acc[j] += x_data[x_row + uint(iw)] * weights[kh * KW + kw];
      }
    }
  }
  const float bias = p.has_bias != 0 ? b_data[p.b_offset + channel] : 0.0;
  const uint out_row = p.out_offset + row * p.out_w;
  [[unroll]] for (uint j = 0; j < kOutputs; ++j) {
    if (ow0 + j < p.out_w) {
      out_data[out_row + ow0 + j] = apply_activation(ACTIVATION, acc[j] + bias, p.alpha, p.beta);
    }
  }
}
