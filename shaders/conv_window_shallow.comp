#version 450
// Conv (group 1) with at most 32 inputs per output (C x taps) and any 2-D window (1-D as
// height 1), as shallow_conv.glsl describes, where conv_window_quad.comp does not serve:
// invocations cover batch x output rows x row_items pairs of neighbouring outputs of a row,
// the last of an odd row alone; taps outside x read zero. Storing each pair as one vec2,
// whether through a second declaration of binding 0 or in a shader of its own, ran slower on
// the H100 (r84, r88).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "shallow_conv.glsl"
#include "shallow_window.glsl"

layout(constant_id = 4) const uint KH = 3;
layout(constant_id = 5) const uint KW = 3;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };

void main() {
  load_shallow_weights(p.w_offset, p.b_offset, p.has_bias != 0);
  const uint item = invocation_index();
  if (item >= p.count) return;
  const WindowItem it = window_item(item, 2);
  const int ih0 = int(it.oh * p.stride_h) - p.pad_h;
  const int iw0 = int(it.ow * p.stride_w) - p.pad_w;
  const uint channels = K / (KH * KW);
  const uint xi = p.x_offset + it.image * channels * p.in_h * p.in_w;
  vec2 xv[K_PAD];
  [[unroll]] for (uint k = K; k < K_PAD; ++k) xv[k] = vec2(0.0);
  [[unroll]] for (uint c = 0; c < channels; ++c) {
    [[unroll]] for (uint kh = 0; kh < KH; ++kh) {
      const int ih = ih0 + int(kh * p.dilation_h);
      const bool row_in = ih >= 0 && ih < int(p.in_h);
      const uint xr = xi + (c * p.in_h + uint(ih)) * p.in_w;
      [[unroll]] for (uint kw = 0; kw < KW; ++kw) {
        const int iw = iw0 + int(kw * p.dilation_w);
        const int iw1 = iw + int(p.stride_w);
        xv[(c * KH + kh) * KW + kw] =
            vec2(row_in && iw >= 0 && iw < int(p.in_w) ? x_data[xr + uint(iw)] : 0.0,
                 row_in && iw1 >= 0 && iw1 < int(p.in_w) ? x_data[xr + uint(iw1)] : 0.0);
      }
    }
  }
  const uint plane = p.out_h * p.out_w;
  const uint y0 = window_output(it);
  for (uint o = 0; o < M; ++o) {
    const vec2 y = shallow_sums(o, xv, p.alpha, p.beta);
    out_data[y0 + o * plane] = y.x;
    if (it.ow + 1 < p.out_w) out_data[y0 + o * plane + 1] = y.y;
  }
}
