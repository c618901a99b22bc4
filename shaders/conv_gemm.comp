#version 450
// Conv (group 1, 1-D and 2-D) as an implicit GEMM through the tile loop of gemm_tile.glsl:
// per image, out[m, p] = sum_k W[m, k] * X_col[k, p] with k = (c, kh, kw) and p = (oh, ow);
// X_col is never built, its elements are gathered from X inside load_b. Bias and the fused
// activation are applied as the block is stored. conv.comp stays the direct kernel for
// depthwise and grouped convolutions, ConvTranspose and small layers.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 8) const int VEC_OUT = 0;     // OH*OW % 4 == 0 and out_offset % 4 == 0
layout(constant_id = 9) const int POINTWISE = 0;   // 1x1 kernel, stride 1, no padding
layout(constant_id = 10) const int ACTIVATION = 0; // vulkan/activation.h codes

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 0) buffer Out4 { vec4 out4_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4_data[]; };
layout(std430, binding = 2) readonly buffer W { float w_data[]; };
layout(std430, binding = 2) readonly buffer W4 { vec4 w4_data[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias_data[]; };

layout(push_constant) uniform Params {
  uint count;               // blocks: images x row blocks x column blocks
  uint out_offset;
  uint x_offset;
  uint w_offset;
  uint bias_offset;
  uint has_bias;
  uint m;                   // output channels
  uint n;                   // OH * OW
  uint k;                   // C * KH * KW
  uint in_channels;
  uint in_h;
  uint in_w;
  uint out_w;
  uint kernel_h;
  uint kernel_w;
  int stride_h;
  int stride_w;
  int pad_h;
  int pad_w;
  int dilation_h;
  int dilation_w;
  float alpha;
  float beta;
} p;

uint x_base;  // this workgroup's image

float load_a(uint i, uint k) { return i < p.m && k < p.k ? w_data[p.w_offset + i * p.k + k] : 0.0; }
vec4 load_a4(uint i, uint k) {
  return i < p.m && k < p.k ? w4_data[(p.w_offset + i * p.k + k) / 4] : vec4(0.0);
}

float load_b(uint k, uint j) {
  if (k >= p.k || j >= p.n) return 0.0;
  if (POINTWISE != 0) return x_data[x_base + k * p.n + j];
  const uint taps = p.kernel_h * p.kernel_w;
  const uint c = k / taps;
  const uint tap = k % taps;
  const int ih = int(j / p.out_w) * p.stride_h + int(tap / p.kernel_w) * p.dilation_h - p.pad_h;
  const int iw = int(j % p.out_w) * p.stride_w + int(tap % p.kernel_w) * p.dilation_w - p.pad_w;
  if (ih < 0 || ih >= int(p.in_h) || iw < 0 || iw >= int(p.in_w)) return 0.0;
  return x_data[x_base + (c * p.in_h + uint(ih)) * p.in_w + uint(iw)];
}
vec4 load_b4(uint k, uint j) {
  return k < p.k && j < p.n ? x4_data[(x_base + k * p.n + j) / 4] : vec4(0.0);
}

#include "gemm_tile.glsl"

float epilogue(uint i, float value) {
  if (p.has_bias != 0) value += bias_data[p.bias_offset + i];
  return apply_activation(ACTIVATION, value, p.alpha, p.beta);
}

void main() {
  const uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (group >= p.count) return;  // uniform per workgroup: the barriers stay uniform
  const uint blocks_n = (p.n + BN - 1) / BN;
  const uint blocks_m = (p.m + BM - 1) / BM;
  const uint image = group / (blocks_n * blocks_m);
  const uint i0 = ((group / blocks_n) % blocks_m) * BM;
  const uint j0 = (group % blocks_n) * BN;
  x_base = p.x_offset + image * p.in_channels * p.in_h * p.in_w;
  multiply_block(i0, j0, p.k);

  const uint tx = gl_LocalInvocationID.x % THREADS_N;
  const uint ty = gl_LocalInvocationID.x / THREADS_N;
  [[unroll]] for (uint r = 0; r < TM; ++r) {
    const uint i = i0 + tile_row(ty, r);
    if (i >= p.m) continue;
    const uint row = p.out_offset + (image * p.m + i) * p.n;
    [[unroll]] for (uint c = 0; c < TN; c += 4) {
      const uint j = j0 + tile_col(tx, c);
      if (VEC_OUT != 0 && j < p.n) {
        vec4 v;
        [[unroll]] for (uint q = 0; q < 4; ++q) v[q] = epilogue(i, acc[r * TN + c + q]);
        out4_data[(row + j) / 4] = v;
        continue;
      }
      [[unroll]] for (uint q = 0; q < 4; ++q) {
        if (j + q < p.n) out_data[row + j + q] = epilogue(i, acc[r * TN + c + q]);
      }
    }
  }
}
