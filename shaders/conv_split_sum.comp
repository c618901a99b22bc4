#version 450
// Split-K's second pass for conv_gemm.comp: out = act(the splits' partial sums + bias), four
// output elements [image][channel][position] an invocation, split s's copy at
// partial[s * count + i]. An invocation issues the loads of up to MAX_SPLITS copies together
// (the loop is unrolled), a vec4 each where count and the offsets allow: with one scalar load
// in flight an invocation the pass had read 1.3-1.7 TB/s on the H100 (r124).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 1) const int ACTIVATION = 0;  // vulkan/activation.h codes
const uint MAX_SPLITS = 8;                          // vulkan/gemm_tiling.cpp's kMaxSplits

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 0) buffer Out4 { vec4 out4_data[]; };
layout(std430, binding = 1) readonly buffer Partial { float partial_data[]; };
layout(std430, binding = 1) readonly buffer Partial4 { vec4 partial4_data[]; };
layout(std430, binding = 2) readonly buffer Bias { float bias_data[]; };

layout(push_constant) uniform Params {
  uint count;
  uint out_offset;
  uint partial_offset;
  uint bias_offset;
  uint has_bias;
  uint splits;
  uint positions;
  uint channels;
  float alpha;
  float beta;
} p;

// The sum of element i's copies, in split order.
float add_copies(uint i) {
  float sum = partial_data[p.partial_offset + i];
  [[unroll]] for (uint s = 1; s < MAX_SPLITS; ++s) {
    if (s < p.splits) sum += partial_data[p.partial_offset + s * p.count + i];
  }
  for (uint s = MAX_SPLITS; s < p.splits; ++s) sum += partial_data[p.partial_offset + s * p.count + i];
  return sum;
}

// The same for elements i .. i+3 at once (i, count and partial_offset multiples of 4).
vec4 add_copies4(uint i) {
  const uint at = (p.partial_offset + i) / 4;
  const uint copy = p.count / 4;
  vec4 sum = partial4_data[at];
  [[unroll]] for (uint s = 1; s < MAX_SPLITS; ++s) {
    if (s < p.splits) sum += partial4_data[at + s * copy];
  }
  for (uint s = MAX_SPLITS; s < p.splits; ++s) sum += partial4_data[at + s * copy];
  return sum;
}

float finish(float sum, uint i) {
  if (p.has_bias != 0) sum += bias_data[p.bias_offset + i / p.positions % p.channels];
  return apply_activation(ACTIVATION, sum, p.alpha, p.beta);
}

void main() {
  const uint first = invocation_index() * 4;
  if (first >= p.count) return;
  if (p.count % 4 == 0 && p.out_offset % 4 == 0 && p.partial_offset % 4 == 0) {
    const vec4 sum = add_copies4(first);
    vec4 v;
    [[unroll]] for (uint q = 0; q < 4; ++q) v[q] = finish(sum[q], first + q);
    out4_data[(p.out_offset + first) / 4] = v;
    return;
  }
  [[unroll]] for (uint q = 0; q < 4; ++q) {
    if (first + q < p.count) out_data[p.out_offset + first + q] = finish(add_copies(first + q), first + q);
  }
}
