#version 450
// Gemm and MatMul: out[b, i, j] = alpha * sum_k A[b, i, k] * B[b, k, j] + beta * C[i, j].
// Operands are addressed through strides, so transposed operands need no copy; batch dims
// (MatMul) broadcast through batch strides (0 = broadcast). Two variants (TILED):
//   0: one invocation per output element, for small or thin products;
//   1: one 16x16 output tile per workgroup of 256, stepping through K in 16-wide tiles
//      staged in shared memory, so each operand element is read from memory 16x less often.
// Both step through K 16 at a time with the inner 16 unrolled, so K takes K / 16 loop
// iterations: lavapipe ends an invocation's loops after 65535 iterations in all (see
// vulkan/loop_limit.h), which a plain K loop reached at K = 65535.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 1) const int TILED = 0;
const uint kTile = 16;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer A { float a_data[]; };
layout(std430, binding = 2) readonly buffer B { float b_data[]; };
layout(std430, binding = 3) readonly buffer C { float c_data[]; };

layout(push_constant) uniform Params {
  uint count;
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
  uint c_row_stride;       // 0 where C broadcasts
  uint c_column_stride;
  float alpha;
  float beta;              // 0 when there is no C
  uint batch_rank;
  uint batch_dims[4];
  uint a_batch_strides[4];
  uint b_batch_strides[4];
} p;

shared float tile_a[kTile][kTile];
shared float tile_b[kTile][kTile];

// Where batch `batch` of A and of B starts.
uvec2 batch_bases(uint batch) {
  uvec2 bases = uvec2(p.a_offset, p.b_offset);
  for (int d = int(p.batch_rank) - 1; d >= 0; --d) {
    const uint coordinate = batch % p.batch_dims[d];
    batch /= p.batch_dims[d];
    bases += coordinate * uvec2(p.a_batch_strides[d], p.b_batch_strides[d]);
  }
  return bases;
}

void store(uint batch, uint i, uint j, float acc) {
  float result = p.alpha * acc;
  if (p.beta != 0.0) result += p.beta * c_data[p.c_offset + i * p.c_row_stride + j * p.c_column_stride];
  out_data[p.out_offset + (batch * p.m + i) * p.n + j] = result;
}

void element_per_invocation() {
  const uint index = invocation_index();
  if (index >= p.count) return;
  const uint j = index % p.n;
  const uint i = (index / p.n) % p.m;
  const uint batch = index / (p.n * p.m);
  const uvec2 bases = batch_bases(batch);
  const uint a_row = bases.x + i * p.a_row_stride;
  const uint b_column = bases.y + j * p.b_column_stride;
  float acc = 0.0;
  for (uint k0 = 0; k0 < p.k; k0 += kTile) {
    [[unroll]] for (uint kk = 0; kk < kTile; ++kk) {
      const uint k = k0 + kk;
      if (k < p.k) acc += a_data[a_row + k * p.a_k_stride] * b_data[b_column + k * p.b_k_stride];
    }
  }
  store(batch, i, j, acc);
}

// `count` holds the number of tiles here. The early return is uniform per workgroup, so the
// barriers below stay in uniform control flow.
void tile_per_workgroup() {
  const uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (group >= p.count) return;
  const uint tiles_n = (p.n + kTile - 1) / kTile;
  const uint tiles_m = (p.m + kTile - 1) / kTile;
  const uint batch = group / (tiles_n * tiles_m);
  const uint ty = gl_LocalInvocationID.x / kTile;
  const uint tx = gl_LocalInvocationID.x % kTile;
  const uint i = ((group / tiles_n) % tiles_m) * kTile + ty;
  const uint j = (group % tiles_n) * kTile + tx;
  const uvec2 bases = batch_bases(batch);
  float acc = 0.0;
  for (uint k0 = 0; k0 < p.k; k0 += kTile) {
    tile_a[ty][tx] = i < p.m && k0 + tx < p.k ? a_data[bases.x + i * p.a_row_stride + (k0 + tx) * p.a_k_stride] : 0.0;
    tile_b[ty][tx] = k0 + ty < p.k && j < p.n ? b_data[bases.y + (k0 + ty) * p.b_k_stride + j * p.b_column_stride] : 0.0;
    barrier();
    [[unroll]] for (uint kk = 0; kk < kTile; ++kk) acc += tile_a[ty][kk] * tile_b[kk][tx];
    barrier();
  }
  if (i < p.m && j < p.n) store(batch, i, j, acc);
}

void main() {
  if (TILED != 0) {
    tile_per_workgroup();
  } else {
    element_per_invocation();
  }
}
