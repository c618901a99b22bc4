#version 450
// ReduceSum and ReduceMean, one invocation per output element: the kept dims locate its
// first input element, the reduced dims are walked from there. The host merges adjacent
// dims, so both lists hold at most 6.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(constant_id = 1) const int MEAN = 0;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };

layout(push_constant) uniform Params {
  uint count;
  uint reduced_count;
  uint out_offset;
  uint x_offset;
  uint kept_rank;
  uint reduced_rank;
  uint kept_dims[6];
  uint kept_strides[6];
  uint reduced_dims[6];
  uint reduced_strides[6];
} p;

void main() {
  const uint i = invocation_index();
  if (i >= p.count) return;
  uint base = p.x_offset;
  uint rest = i;
  for (int d = int(p.kept_rank) - 1; d >= 0; --d) {
    base += (rest % p.kept_dims[d]) * p.kept_strides[d];
    rest /= p.kept_dims[d];
  }
  float sum = 0.0;
  for (uint r = 0; r < p.reduced_count; ++r) {
    uint offset = base;
    uint left = r;
    for (int d = int(p.reduced_rank) - 1; d >= 0; --d) {
      offset += (left % p.reduced_dims[d]) * p.reduced_strides[d];
      left /= p.reduced_dims[d];
    }
    sum += x_data[offset];
  }
  out_data[p.out_offset + i] = MEAN != 0 ? sum / float(p.reduced_count) : sum;
}
