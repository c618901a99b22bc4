#version 450
// Depthwise Conv layers where core's has_quad_columns holds and x and y start on 16 bytes
// (3 wide along w, pad 1 at the start, dilation 1, stride STRIDE_W 1 or 2, both widths
// multiples of 4), as conv_depthwise.comp lays them out: each invocation takes 4 neighbouring
// outputs of a row and reads the taps of each input row from the 3 aligned vec4s from column
// 4 x STRIDE_W x t - 4 on (t: its run of 4 in the output row), 3 vector loads where
// conv_depthwise.comp makes 12 scalar ones, and stores its outputs as one vec4. Columns outside
// the row read zero; with widths multiples of 4 a vec4 lies wholly inside or outside it.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 1) const int ACTIVATION = 0;  // vulkan/activation.h codes
layout(constant_id = 2) const uint KH = 3;
layout(constant_id = 3) const uint STRIDE_W = 1;

layout(std430, binding = 0) writeonly buffer Out { vec4 out_data[]; };
layout(std430, binding = 1) readonly buffer X { vec4 x_data[]; };
layout(std430, binding = 2) readonly buffer W { float w_data[]; };
layout(std430, binding = 3) readonly buffer B { float b_data[]; };

#include "depthwise_rows.glsl"  // x and y offsets multiples of 4 here

void main() {
  const uint item = invocation_index();
  if (item >= p.count) return;
  const DepthwiseItem it = depthwise_item(item, 4);
  const uint row = it.row, ow0 = it.ow0, channel = it.channel, x_plane = it.x_plane;
  const int ih0 = it.ih0;
  const uint middle_column = ow0 * STRIDE_W;  // where the middle vec4 starts

  float taps[KH * 3];
  [[unroll]] for (uint t = 0; t < KH * 3; ++t) taps[t] = w_data[p.w_offset + channel * KH * 3 + t];
  vec4 sums = vec4(0.0);
  [[unroll]] for (uint kh = 0; kh < KH; ++kh) {
    const int ih = ih0 + int(kh) * p.dilation_h;
    // Negative coordinates wrap to large unsigned ones: one comparison per bound.
    if (uint(ih) >= p.in_h) continue;
    const uint middle = (x_plane + uint(ih) * p.in_w + middle_column) / 4;
    const vec4 l = middle_column > 0 ? x_data[middle - 1] : vec4(0.0);
    const vec4 m = x_data[middle];
    const vec4 r = middle_column + 4 < p.in_w ? x_data[middle + 1] : vec4(0.0);
    const float c[12] = float[12](l.x, l.y, l.z, l.w, m.x, m.y, m.z, m.w, r.x, r.y, r.z, r.w);
    [[unroll]] for (uint kw = 0; kw < 3; ++kw) {
      const vec4 column = vec4(c[3 + kw], c[3 + STRIDE_W + kw], c[3 + 2 * STRIDE_W + kw],
                               c[3 + 3 * STRIDE_W + kw]);
      sums = fma(column, vec4(taps[kh * 3 + kw]), sums);
    }
  }
  sums += vec4(p.has_bias != 0 ? b_data[p.b_offset + channel] : 0.0);
  [[unroll]] for (uint j = 0; j < 4; ++j) sums[j] = apply_activation(ACTIVATION, sums[j], p.alpha, p.beta);
  out_data[(p.out_offset + row * p.out_w + ow0) / 4] = sums;
}
