#version 450
// Conv (group 1) with at most 32 inputs per output (C x taps) and any 2-D window (1-D as
// height 1), as shallow_conv.glsl describes: invocations cover batch x output rows x
// row_pairs pairs of neighbouring outputs of a row, the last of an odd row alone; taps
// outside x read zero. Written for the RGB stem of image networks (3x3 stride 2, 27 inputs
// per output): on the H100 at batch 64, 32.3% of FP32 peak with quad rows (29.8% without),
// against 14.7% for the tile loop. Storing each pair as one vec2, whether through a second
// declaration of binding 0 or in a shader of its own, ran slower (29.6%; r84, r88).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "shallow_conv.glsl"

layout(constant_id = 4) const uint KH = 3;
layout(constant_id = 5) const uint KW = 3;
// Core's has_quad_rows, with x_offset a multiple of 4: the pair's 5 columns of a row are
// iw0 and the vec4 after it, 2 loads where the taps make 6.
layout(constant_id = 6) const bool QUAD_ROWS = false;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4_data[]; };

layout(push_constant) uniform Params {
  uint count;  // batch x out_h x row_pairs
  uint out_offset;
  uint x_offset;
  uint w_offset;
  uint b_offset;
  uint has_bias;
  uint in_h, in_w, out_h, out_w, row_pairs;
  uint stride_h, stride_w;
  int pad_h, pad_w;
  uint dilation_h, dilation_w;
  float alpha;
  float beta;
} p;

void main() {
  load_shallow_weights(p.w_offset, p.b_offset, p.has_bias != 0);
  const uint item = invocation_index();
  if (item >= p.count) return;
  const uint row = item / p.row_pairs;  // image * out_h + oh
  const uint ow = (item % p.row_pairs) * 2;
  const uint image = row / p.out_h;
  const int ih0 = int((row % p.out_h) * p.stride_h) - p.pad_h;
  const int iw0 = int(ow * p.stride_w) - p.pad_w;
  const uint channels = K / (KH * KW);
  const uint xi = p.x_offset + image * channels * p.in_h * p.in_w;
  vec2 xv[K_PAD];
  [[unroll]] for (uint k = K; k < K_PAD; ++k) xv[k] = vec2(0.0);
  [[unroll]] for (uint c = 0; c < channels; ++c) {
    [[unroll]] for (uint kh = 0; kh < KH; ++kh) {
      const int ih = ih0 + int(kh * p.dilation_h);
      const bool row_in = ih >= 0 && ih < int(p.in_h);
      const uint xr = xi + (c * p.in_h + uint(ih)) * p.in_w;
      if (QUAD_ROWS) {
        const uint r = (c * KH + kh) * 3;
        const float left = row_in && iw0 >= 0 ? x_data[xr + uint(iw0)] : 0.0;
        const vec4 quad = row_in ? x4_data[(xr + uint(iw0 + 1)) / 4] : vec4(0.0);
        xv[r] = vec2(left, quad.y);
        xv[r + 1] = vec2(quad.x, quad.z);
        xv[r + 2] = vec2(quad.y, quad.w);
        continue;
      }
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
  const uint y0 = p.out_offset + image * M * plane + (row % p.out_h) * p.out_w + ow;
  for (uint o = 0; o < M; ++o) {
    const vec2 y = shallow_sums(o, xv, p.alpha, p.beta);
    out_data[y0 + o * plane] = y.x;
    if (ow + 1 < p.out_w) out_data[y0 + o * plane + 1] = y.y;
  }
}
