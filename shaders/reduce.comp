#version 450
// ReduceSum and ReduceMean. The kept dims locate an output's first input element, the
// reduced dims are walked from there; the host merges adjacent dims, so both lists hold at
// most 6. Two ways to spread the work (specialization constant 2, chosen by vulkan/reduce.cpp):
//   GROUP_PER_OUTPUT = 0: one invocation per output walks all its reduced elements; for
//     short reductions, where a workgroup per output would leave most lanes idle.
//   GROUP_PER_OUTPUT = 1: one workgroup per output; its invocations stride over the reduced
//     elements (neighbouring lanes read neighbouring elements), then combine their partial
//     sums (group_reduce.glsl). Long reductions stay parallel, no invocation walks more than
//     reduced_count / workgroup size elements (lavapipe ends every loop of an invocation after
//     65535 iterations in all: see vulkan/loop_limit.h), and the float32 rounding grows with
//     that walk plus log2(workgroup size), not with reduced_count.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "group_reduce.glsl"

layout(constant_id = 1) const int MEAN = 0;
layout(constant_id = 2) const int GROUP_PER_OUTPUT = 0;

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

uint first_input_of(uint output_index) {
  uint base = p.x_offset;
  uint rest = output_index;
  for (int d = int(p.kept_rank) - 1; d >= 0; --d) {
    base += (rest % p.kept_dims[d]) * p.kept_strides[d];
    rest /= p.kept_dims[d];
  }
  return base;
}

// Unrolled, so the walk of each element adds no loop iterations of its own.
uint reduced_offset(uint r) {
  uint offset = 0;
  [[unroll]] for (int d = 5; d >= 0; --d) {
    if (d < int(p.reduced_rank)) {
      offset += (r % p.reduced_dims[d]) * p.reduced_strides[d];
      r /= p.reduced_dims[d];
    }
  }
  return offset;
}

void store(uint output_index, float sum) {
  out_data[p.out_offset + output_index] = MEAN != 0 ? sum / float(p.reduced_count) : sum;
}

void reduce_per_invocation() {
  const uint i = invocation_index();
  if (i >= p.count) return;
  const uint base = first_input_of(i);
  float sum = 0.0;
  for (uint r = 0; r < p.reduced_count; ++r) sum += x_data[base + reduced_offset(r)];
  store(i, sum);
}

void reduce_per_workgroup() {
  const uint o = group_index();
  // The same in every invocation of a group, so group_sum's barriers stay in uniform control
  // flow (the host's 2-D grid may hold a few groups past the last output).
  if (o >= p.count) return;
  const uint lane = gl_LocalInvocationID.x;
  const uint base = first_input_of(o);
  float sum = 0.0;
  for (uint r = lane; r < p.reduced_count; r += gl_WorkGroupSize.x) {
    sum += x_data[base + reduced_offset(r)];
  }
  sum = group_sum(sum);
  if (lane == 0) store(o, sum);
}

void main() {
  if (GROUP_PER_OUTPUT != 0) {
    reduce_per_workgroup();
  } else {
    reduce_per_invocation();
  }
}
