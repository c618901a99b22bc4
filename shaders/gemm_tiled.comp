#version 450
// Gemm and MatMul for products large enough to fill whole blocks: the register-blocked tile
// loop of gemm_tile.glsl over the same operands and push constants as gemm.comp (strided
// operands, broadcast batches, alpha, beta and C). gemm.comp stays the simple, exact
// reference for small and odd shapes.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 8) const int VEC_OUT = 0;  // N % 4 == 0 and out_offset % 4 == 0

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 0) buffer Out4 { vec4 out4_data[]; };
layout(std430, binding = 1) readonly buffer A { float a_data[]; };
layout(std430, binding = 1) readonly buffer A4 { vec4 a4_data[]; };
layout(std430, binding = 2) readonly buffer B { float b_data[]; };
layout(std430, binding = 2) readonly buffer B4 { vec4 b4_data[]; };
layout(std430, binding = 3) readonly buffer C { float c_data[]; };

layout(push_constant) uniform Params {
  uint count;              // blocks: batches x row blocks x column blocks
  uint out_offset;
  uint a_offset;
  uint b_offset;
  uint c_offset;
  uint m;
  uint n;
  uint k;
  uint a_row_stride;
  uint a_k_stride;
  uint b_k_stride;
  uint b_column_stride;
  uint c_row_stride;
  uint c_column_stride;
  float alpha;
  float beta;
  uint batch_rank;
  uint batch_dims[4];
  uint a_batch_strides[4];
  uint b_batch_strides[4];
} p;

uint a_base;  // where this workgroup's batch of A and of B starts
uint b_base;

float load_a(uint i, uint k) {
  return i < p.m && k < p.k ? a_data[a_base + i * p.a_row_stride + k * p.a_k_stride] : 0.0;
}
vec4 load_a4(uint i, uint k) {
  return i < p.m && k < p.k ? a4_data[(a_base + i * p.a_row_stride + k) / 4] : vec4(0.0);
}
float load_b(uint k, uint j) {
  return k < p.k && j < p.n ? b_data[b_base + k * p.b_k_stride + j * p.b_column_stride] : 0.0;
}
vec4 load_b4(uint k, uint j) {
  return k < p.k && j < p.n ? b4_data[(b_base + k * p.b_k_stride + j) / 4] : vec4(0.0);
}

void begin_step_b(uint k0) {}

#include "gemm_tile.glsl"

void set_batch_bases(uint batch) {
  a_base = p.a_offset;
  b_base = p.b_offset;
  for (int d = int(p.batch_rank) - 1; d >= 0; --d) {
    const uint coordinate = batch % p.batch_dims[d];
    batch /= p.batch_dims[d];
    a_base += coordinate * p.a_batch_strides[d];
    b_base += coordinate * p.b_batch_strides[d];
  }
}

float epilogue(uint i, uint j, float value) {
  float result = p.alpha * value;
  if (p.beta != 0.0) result += p.beta * c_data[p.c_offset + i * p.c_row_stride + j * p.c_column_stride];
  return result;
}

// The early return is uniform per workgroup, so multiply_block's barriers stay in uniform
// control flow.
void main() {
  const uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (group >= p.count) return;
  const uint blocks_n = (p.n + BN - 1) / BN;
  const uint blocks_m = (p.m + BM - 1) / BM;
  const uint batch = group / (blocks_n * blocks_m);
  const uint i0 = ((group / blocks_n) % blocks_m) * BM;
  const uint j0 = (group % blocks_n) * BN;
  set_batch_bases(batch);
  multiply_block(i0, j0, p.k);

  const uint tx = gl_LocalInvocationID.x % THREADS_N;
  const uint ty = gl_LocalInvocationID.x / THREADS_N;
  [[unroll]] for (uint r = 0; r < TM; ++r) {
    const uint i = i0 + tile_row(ty, r);
    if (i >= p.m) continue;
    const uint row = p.out_offset + (batch * p.m + i) * p.n;
    [[unroll]] for (uint c = 0; c < TN; c += 4) {
      const uint j = j0 + tile_col(tx, c);
      if (VEC_OUT != 0 && j < p.n) {
        vec4 v;
        [[unroll]] for (uint q = 0; q < 4; ++q) v[q] = epilogue(i, j + q, acc[r * TN + c + q]);
        out4_data[(row + j) / 4] = v;
        continue;
      }
      [[unroll]] for (uint q = 0; q < 4; ++q) {
        if (j + q < p.n) out_data[row + j + q] = epilogue(i, j + q, acc[r * TN + c + q]);
      }
    }
  }
}
