#version 450
// Split-K's second pass for conv_gemm.comp: out = act(the splits' partial sums + bias), one
// invocation per output element [image][channel][position], split s's copy at
// partial[s * count + i].
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(constant_id = 1) const int ACTIVATION = 0;  // vulkan/activation.h codes

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer Partial { float partial_data[]; };
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

void main() {
  const uint i = invocation_index();
  if (i >= p.count) return;
  float sum = partial_data[p.partial_offset + i];
  for (uint s = 1; s < p.splits; ++s) sum += partial_data[p.partial_offset + s * p.count + i];
  if (p.has_bias != 0) sum += bias_data[p.bias_offset + i / p.positions % p.channels];
  out_data[p.out_offset + i] = apply_activation(ACTIVATION, sum, p.alpha, p.beta);
}
