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
// Bias and the fused activation are applied as the block is stored. Split-K, for layers with
// too few blocks to fill the GPU: `splits` times the blocks, split s summing K from
// s * depth and storing its raw sums in its own copy of the output (Copies, scratch past the
// arena). SPLIT_K 1 (two splits on the H100, vulkan/conv.cpp's split_sum): each split takes a
// ticket for its block once its copy is stored, and the last to arrive adds the copies up in
// split order, its own from registers, and stores the output: no second pass. SPLIT_K 2:
// conv_split_sum.comp adds the copies up with the bias and activation. conv.comp stays the
// direct kernel for depthwise and grouped convolutions, ConvTranspose and small layers.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 8) const int VEC_OUT = 0;     // OH*OW, out_offset, copies_offset % 4 == 0
layout(constant_id = 9) const int POINTWISE = 0;   // 1x1 kernel, stride 1, no padding
layout(constant_id = 10) const int ACTIVATION = 0; // vulkan/activation.h codes
layout(constant_id = 11) const uint KH = 1;        // kernel height and width
layout(constant_id = 12) const uint KW = 1;
layout(constant_id = 13) const int TAP_MAJOR = 0;  // weights as [M, KH, KW, C], C % BK == 0
layout(constant_id = 14) const int SPLIT_K = 0;    // 0: K in one piece; 1, 2: see above
layout(constant_id = 15) const int K_MAJOR = 0;    // weights as [K, M] (A_MODE 3), M % 4 == 0

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 0) buffer Out4 { vec4 out4_data[]; };
// Split-K: split s's raw sums at copy_data[copies_offset + s * m * n ..]. Coherent, as are the
// tickets: with SPLIT_K 1 another workgroup reads them.
layout(std430, binding = 1) coherent buffer Copies { float copy_data[]; };
layout(std430, binding = 1) coherent buffer Copies4 { vec4 copy4_data[]; };
layout(std430, binding = 2) readonly buffer X { float x_data[]; };
layout(std430, binding = 2) readonly buffer X4 { vec4 x4_data[]; };
layout(std430, binding = 3) readonly buffer W { float w_data[]; };
layout(std430, binding = 3) readonly buffer W4 { vec4 w4_data[]; };
layout(std430, binding = 4) readonly buffer Bias { float bias_data[]; };
// SPLIT_K 1: how many splits of each block have stored their copy; zero between dispatches.
layout(std430, binding = 5) coherent buffer Tickets { uint tickets[]; };

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
  uint splits;
  uint depth;               // of K per split, a multiple of BK
  uint copies_offset;
  uint tickets_offset;
} p;

// This workgroup's share of K: [k_begin, k_begin + k_len); A's row starts at k_begin.
uint k_begin = 0;
uint k_len = 0;

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

float load_a(uint i, uint k) {
  return i < p.m && k < k_len ? w_data[p.w_offset + i * p.k + k_begin + k] : 0.0;
}
vec4 load_a4(uint i, uint k) {
  if (i >= p.m || k >= k_len) return vec4(0.0);
  if (K_MAJOR != 0) return w4_data[(p.w_offset + (k_begin + k) * p.m + i) / 4];
  return w4_data[(p.w_offset + i * p.k + k_begin + k) / 4];
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
  step_inside = column_inside && k0 < k_len && uint(ih) < p.in_h && uint(iw) < p.in_w;
  step_x = column_x + (step_c0 * p.in_h + uint(ih)) * p.in_w + uint(iw);
  step_k0 = k0;
}

// j is always this invocation's column (b_column), already split by locate_column.
float load_b(uint k, uint j) {
  if (TAP_MAJOR != 0) {
    if (!step_inside) return 0.0;
    return x_data[step_x + (k - step_k0) * (p.in_h * p.in_w)];
  }
  if (!column_inside || k >= k_len) return 0.0;
  if (POINTWISE != 0) return x_data[column_x + k * p.positions];
  const uint c = (k_begin + k) / (KH * KW);
  const uint tap = (k_begin + k) % (KH * KW);
  const int ih = column_ih + int(tap / KW) * p.dilation_h;
  const int iw = column_iw + int(tap % KW) * p.dilation_w;
  if (uint(ih) >= p.in_h || uint(iw) >= p.in_w) return 0.0;
  return x_data[column_x + (c * p.in_h + uint(ih)) * p.in_w + uint(iw)];
}
// POINTWISE with OH*OW % 4 == 0: the 4 columns lie in one image.
vec4 load_b4(uint k, uint j) {
  return column_inside && k < k_len ? x4_data[(column_x + k * p.positions) / 4] : vec4(0.0);
}

#include "gemm_tile.glsl"

// Where column j starts in the output, or in one copy of it: [image, 0, position].
uint output_column(uint j) {
  return (j / p.positions) * p.m * p.positions + j % p.positions;
}

// Split s's share of K, and where its first tap-major step starts.
void locate_split(uint split) {
  if (SPLIT_K == 0) {
    k_len = p.k;
    return;
  }
  k_begin = split * p.depth;
  k_len = min(p.k - k_begin, p.depth);
  if (POINTWISE != 0) column_x += k_begin * p.positions;
  step_tap = k_begin / p.in_channels;
  step_c0 = k_begin % p.in_channels;
}

// Split-K: this split's number, and whether it is the last of its block to store its copy.
uint own_split = 0;
shared bool last_split;

uint copy_at(uint s, uint at) { return p.copies_offset + s * p.m * p.n + at; }

// Element `at` (of one copy) summed over the splits in split order, this split's own from
// registers: with float rounding, the same sum whichever split arrives last.
float add_splits(uint at, float own) {
  if (SPLIT_K == 0) return own;
  float sum = own_split == 0 ? own : copy_data[copy_at(0, at)];
  for (uint s = 1; s < p.splits; ++s) sum += s == own_split ? own : copy_data[copy_at(s, at)];
  return sum;
}
vec4 add_splits4(uint at, vec4 own) {
  if (SPLIT_K == 0) return own;
  vec4 sum = own_split == 0 ? own : copy4_data[copy_at(0, at) / 4];
  for (uint s = 1; s < p.splits; ++s) sum += s == own_split ? own : copy4_data[copy_at(s, at) / 4];
  return sum;
}

float finish(float sum, float bias) {
  return apply_activation(ACTIVATION, sum + bias, p.alpha, p.beta);
}

// Stores this invocation's micro-tile: the raw sums to this split's copy (to_copy), else
// the splits' total with bias and activation to the output.
void store_tile(uint i0, uint j0, bool to_copy) {
  const uint tx = gl_LocalInvocationID.x % THREADS_N;
  const uint ty = gl_LocalInvocationID.x / THREADS_N;
  [[unroll]] for (uint c = 0; c < TN; c += 4) {
    const uint j = j0 + tile_col(tx, c);
    // With OH*OW % 4 == 0 the 4 columns j .. j+3 share an image; else each finds its own.
    const uint column = VEC_OUT != 0 ? output_column(j) : 0;
    [[unroll]] for (uint r = 0; r < TM; ++r) {
      const uint i = i0 + tile_row(ty, r);
      if (i >= p.m) continue;
      const float bias = !to_copy && p.has_bias != 0 ? bias_data[p.bias_offset + i] : 0.0;
      if (VEC_OUT != 0) {
        if (j >= p.n) continue;
        const uint at = column + i * p.positions;
        const vec4 own = vec4(acc[r * TN + c], acc[r * TN + c + 1], acc[r * TN + c + 2],
                              acc[r * TN + c + 3]);
        if (to_copy) {
          copy4_data[copy_at(own_split, at) / 4] = own;
          continue;
        }
        const vec4 sum = add_splits4(at, own);
        vec4 v;
        [[unroll]] for (uint q = 0; q < 4; ++q) v[q] = finish(sum[q], bias);
        out4_data[(p.out_offset + at) / 4] = v;
        continue;
      }
      [[unroll]] for (uint q = 0; q < 4; ++q) {
        if (j + q >= p.n) continue;
        const uint at = output_column(j + q) + i * p.positions;
        const float own = acc[r * TN + c + q];
        if (to_copy) {
          copy_data[copy_at(own_split, at)] = own;
        } else {
          out_data[p.out_offset + at] = finish(add_splits(at, own), bias);
        }
      }
    }
  }
}

// SPLIT_K 1: after this split's copy is stored, takes the block's ticket; true for the last
// split to arrive, which resets the ticket for the next run. Every store of the copy is made
// visible device-wide before the ticket is taken, and the last split reads the copies after.
bool arrives_last(uint block) {
  memoryBarrierBuffer();
  barrier();
  if (gl_LocalInvocationID.x == 0) {
    const uint ticket = p.tickets_offset + block;
    last_split = atomicAdd(tickets[ticket], 1u) == p.splits - 1;
    if (last_split) tickets[ticket] = 0;
  }
  barrier();
  memoryBarrierBuffer();
  return last_split;
}

void main() {
  const uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  const uint splits = SPLIT_K != 0 ? p.splits : 1;
  if (group >= p.count * splits) return;  // uniform per workgroup: the barriers stay uniform
  const uint block = group % p.count;
  const uint blocks_n = (p.n + BN - 1) / BN;
  const uint i0 = (block / blocks_n) * BM;
  const uint j0 = (block % blocks_n) * BN;
  own_split = group / p.count;
  locate_column(j0 + b_column(gl_LocalInvocationID.x));
  locate_split(own_split);
  multiply_block(i0, j0, k_len);
  if (SPLIT_K != 0) {
    store_tile(i0, j0, true);
    if (SPLIT_K == 2 || !arrives_last(block)) return;
  }
  store_tile(i0, j0, false);
}
