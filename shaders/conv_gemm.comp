#version 450
// Conv (group 1, 1-D and 2-D) as an implicit GEMM through the tile loop of gemm_tile.glsl:
// out[m, p] = sum_k W[m, k] * X_col[k, p] with k = (c, kh, kw) and the columns p = (image,
// oh, ow) of the whole batch, so that layers with few output positions still fill whole
// blocks. X_col is never built: each invocation gathers the same column of it in every K
// step (b_column), so main() splits that column into image and position once. With TAP_MAJOR
// the host has reordered the weights to k = (kh, kw, c) and C is a multiple of BK, so one
// K step stays within one tap: its window position and bounds are found once per step
// (begin_step_b) and each load is an add. Otherwise load_b splits k = (c, kh, kw) by the
// kernel size, a specialization constant (multiplies, no division).
// Bias and the fused activation are applied as the block is stored. conv.comp stays the
// direct kernel for depthwise and grouped convolutions, ConvTranspose and small layers.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 8) const int VEC_OUT = 0;     // OH*OW % 4 == 0 and out_offset % 4 == 0
layout(constant_id = 9) const int POINTWISE = 0;   // 1x1 kernel, stride 1, no padding
layout(constant_id = 10) const int ACTIVATION = 0; // vulkan/activation.h codes
layout(constant_id = 11) const uint KH = 1;        // kernel height and width
layout(constant_id = 12) const uint KW = 1;
layout(constant_id = 13) const int TAP_MAJOR = 0;  // weights as [M, KH, KW, C], C % BK == 0

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 0) buffer Out4 { vec4 out4_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4_data[]; };
layout(std430, binding = 2) readonly buffer W { float w_data[]; };
layout(std430, binding = 2) readonly buffer W4 { vec4 w4_data[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias_data[]; };

layout(push_constant) uniform Params {
  uint count;               // blocks: row blocks x column blocks
  uint out_offset;
  uint x_offset;
  uint w_offset;
  uint bias_offset;
  uint has_bias;
  uint m;                   // output channels
  uint n;                   // batch * OH * OW
  uint k;                   // C * KH * KW
  uint positions;           // OH * OW
  uint image_size;          // C * H * W
  uint in_channels;
  uint in_h;
  uint in_w;
  uint out_w;
  int stride_h;
  int stride_w;
  int pad_h;
  int pad_w;
  int dilation_h;
  int dilation_w;
  float alpha;
  float beta;
} p;

// This invocation's column of X_col (the same in every K step), split once by locate_column.
bool column_inside;   // j < n
uint column_x;        // its image's first element (plus its position when POINTWISE)
int column_ih;        // oh * stride_h - pad_h
int column_iw;        // ow * stride_w - pad_w

// TAP_MAJOR: where this invocation's loads of the current K step start, and whether the
// step's tap puts its column inside the image.
bool step_inside;
uint step_x;
uint step_k0 = 0;

void locate_column(uint j) {
  column_inside = j < p.n;
  const uint image = j / p.positions;
  const uint position = j % p.positions;
  column_x = p.x_offset + image * p.image_size;
  if (POINTWISE != 0) {
    column_x += position;
    return;
  }
  column_ih = int(position / p.out_w) * p.stride_h - p.pad_h;
  column_iw = int(position % p.out_w) * p.stride_w - p.pad_w;
}

float load_a(uint i, uint k) { return i < p.m && k < p.k ? w_data[p.w_offset + i * p.k + k] : 0.0; }
vec4 load_a4(uint i, uint k) {
  return i < p.m && k < p.k ? w4_data[(p.w_offset + i * p.k + k) / 4] : vec4(0.0);
}

// TAP_MAJOR: the K steps come in order and C is a multiple of BK, so the step's tap and
// first channel are counted here rather than divided out of k0 each step.
uint step_c0 = 0, step_tap = 0;

void begin_step_b(uint k0) {
  if (TAP_MAJOR == 0) return;
  step_c0 += k0 - step_k0;  // BK after the first step
  if (step_c0 == p.in_channels) {
    step_c0 = 0;
    ++step_tap;
  }
  const int ih = column_ih + int(step_tap / KW) * p.dilation_h;
  const int iw = column_iw + int(step_tap % KW) * p.dilation_w;
  // Negative coordinates wrap to large unsigned ones: one comparison per bound.
  step_inside = column_inside && k0 < p.k && uint(ih) < p.in_h && uint(iw) < p.in_w;
  step_x = column_x + (step_c0 * p.in_h + uint(ih)) * p.in_w + uint(iw);
  step_k0 = k0;
}

// j is always this invocation's column (b_column), already split by locate_column.
float load_b(uint k, uint j) {
  if (TAP_MAJOR != 0) {
    if (!step_inside) return 0.0;
    return x_data[step_x + (k - step_k0) * (p.in_h * p.in_w)];
  }
  if (!column_inside || k >= p.k) return 0.0;
  if (POINTWISE != 0) return x_data[column_x + k * p.positions];
  const uint c = k / (KH * KW);
  const uint tap = k % (KH * KW);
  const int ih = column_ih + int(tap / KW) * p.dilation_h;
  const int iw = column_iw + int(tap % KW) * p.dilation_w;
  if (uint(ih) >= p.in_h || uint(iw) >= p.in_w) return 0.0;
  return x_data[column_x + (c * p.in_h + uint(ih)) * p.in_w + uint(iw)];
}
// POINTWISE with OH*OW % 4 == 0: the 4 columns lie in one image.
vec4 load_b4(uint k, uint j) {
  return column_inside && k < p.k ? x4_data[(column_x + k * p.positions) / 4] : vec4(0.0);
}

#include "gemm_tile.glsl"

// Where column j of the output starts: out[image, 0, position].
uint output_column(uint j) {
  return p.out_offset + (j / p.positions) * p.m * p.positions + j % p.positions;
}

void main() {
  const uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (group >= p.count) return;  // uniform per workgroup: the barriers stay uniform
  const uint blocks_n = (p.n + BN - 1) / BN;
  const uint i0 = (group / blocks_n) * BM;
  const uint j0 = (group % blocks_n) * BN;
  locate_column(j0 + b_column(gl_LocalInvocationID.x));
  multiply_block(i0, j0, p.k);

  const uint tx = gl_LocalInvocationID.x % THREADS_N;
  const uint ty = gl_LocalInvocationID.x / THREADS_N;
  [[unroll]] for (uint c = 0; c < TN; c += 4) {
    const uint j = j0 + tile_col(tx, c);
    // With OH*OW % 4 == 0 the 4 columns j .. j+3 share an image; else each finds its own.
    const uint column = VEC_OUT != 0 ? output_column(j) : 0;
    [[unroll]] for (uint r = 0; r < TM; ++r) {
      const uint i = i0 + tile_row(ty, r);
      if (i >= p.m) continue;
      const float bias = p.has_bias != 0 ? bias_data[p.bias_offset + i] : 0.0;
      if (VEC_OUT != 0) {
        if (j >= p.n) continue;
        vec4 v;
        [[unroll]] for (uint q = 0; q < 4; ++q) {
          v[q] = apply_activation(ACTIVATION, acc[r * TN + c + q] + bias, p.alpha, p.beta);
        }
        out4_data[(column + i * p.positions) / 4] = v;
        continue;
      }
      [[unroll]] for (uint q = 0; q < 4; ++q) {
        if (j + q >= p.n) continue;
        out_data[output_column(j + q) + i * p.positions] =
            apply_activation(ACTIVATION, acc[r * TN + c + q] + bias, p.alpha, p.beta);
      }
    }
  }
}
