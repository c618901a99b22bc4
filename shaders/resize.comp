#version 450
// Resize (nearest and linear) of the last two dims, one invocation per output element. The
// host computes, per output row and per output column, the two source positions and the
// weight of the second (0 = the first alone, so an inf or NaN there cannot leak in), in
// double precision exactly as the reference does; the shader only mixes.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };
layout(std430, binding = 2) readonly buffer Samples { int sample_data[]; };

layout(push_constant) uniform Params {
  uint count;
  uint out_offset;
  uint x_offset;
  uint rows_offset;       // out_h entries of (lo, hi, weight bits)
  uint columns_offset;    // out_w entries of (lo, hi, weight bits)
  uint in_h;
  uint in_w;
  uint out_h;
  uint out_w;
} p;

float mix_pair(float lo, float hi, float weight) {
  return weight == 0.0 ? lo : (1.0 - weight) * lo + weight * hi;
}

void main() {
  const uint i = invocation_index();
  if (i >= p.count) return;
  const uint ox = i % p.out_w;
  const uint oy = (i / p.out_w) % p.out_h;
  const uint plane = i / (p.out_w * p.out_h);
  const uint row = p.rows_offset + 3 * oy;
  const uint column = p.columns_offset + 3 * ox;
  const uint y0 = uint(sample_data[row]);
  const uint y1 = uint(sample_data[row + 1]);
  const float wy = intBitsToFloat(sample_data[row + 2]);
  const uint x0 = uint(sample_data[column]);
  const uint x1 = uint(sample_data[column + 1]);
  const float wx = intBitsToFloat(sample_data[column + 2]);
  const uint base = p.x_offset + plane * p.in_h * p.in_w;
  // Rows first, then columns: the order the reference resizes its axes in.
  const float left = mix_pair(x_data[base + y0 * p.in_w + x0], x_data[base + y1 * p.in_w + x0], wy);
  const float right = wx == 0.0 ? left : mix_pair(x_data[base + y0 * p.in_w + x1], x_data[base + y1 * p.in_w + x1], wy);
  out_data[p.out_offset + i] = mix_pair(left, right, wx);
}
