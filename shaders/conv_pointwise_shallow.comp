#version 450
// Unpadded 1x1 Conv (group 1) with few input channels, a layer bound by memory: each position
// does 2 x K x M flops for 4 x (K + M) bytes moved, 10.7 a byte at 32->64, where the H100
// needs 20 to be bound by its FP32 peak. Each invocation reads 2 neighbouring positions of
// every input plane into registers and writes those 2 positions of every output plane, so
// that, as in a plain copy, each load and store of a subgroup covers consecutive bytes and x
// is read once; the weights sit in shared memory, every invocation reading the same vec4 at
// a time. The same scheme as the OpenCL backend's kernels/conv_pointwise_shallow.cl (40% of
// FP32 peak there on 1x1 32->64 at batch 64, against 35% for the tile loop). vulkan/conv.cpp
// checks that positions and the x and output offsets are even.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(constant_id = 1) const int ACTIVATION = 0;  // vulkan/activation.h codes
layout(constant_id = 2) const uint K = 32;         // input channels, a multiple of 4
layout(constant_id = 3) const uint M = 64;         // output channels

layout(std430, binding = 0) buffer Out2 { vec2 out2_data[]; };
layout(std430, binding = 1) readonly buffer X2 { vec2 x2_data[]; };
layout(std430, binding = 2) readonly buffer W { float w_data[]; };
layout(std430, binding = 3) readonly buffer B { float b_data[]; };

layout(push_constant) uniform Params {
  uint pairs;       // batch x positions / 2
  uint out_offset;  // in floats, even (as x_offset)
  uint x_offset;
  uint w_offset;
  uint b_offset;
  uint has_bias;
  uint positions;   // per image, even
  float alpha;
  float beta;
} p;

shared vec4 weights[M * K / 4];
shared float biases[M];

void main() {
  for (uint e = gl_LocalInvocationID.x; e < M * K / 4; e += gl_WorkGroupSize.x) {
    const uint w = p.w_offset + e * 4;
    weights[e] = vec4(w_data[w], w_data[w + 1], w_data[w + 2], w_data[w + 3]);
  }
  for (uint e = gl_LocalInvocationID.x; e < M; e += gl_WorkGroupSize.x) {
    biases[e] = p.has_bias != 0 ? b_data[p.b_offset + e] : 0.0;
  }
  barrier();
  const uint pair = invocation_index();
  if (pair >= p.pairs) return;
  const uint image_pairs = p.positions / 2;
  const uint image = pair / image_pairs;
  const uint x0 = p.x_offset / 2 + image * K * image_pairs + pair % image_pairs;
  vec2 xv[K];
  [[unroll]] for (uint c = 0; c < K; ++c) xv[c] = x2_data[x0 + c * image_pairs];
  const uint y0 = p.out_offset / 2 + image * M * image_pairs + pair % image_pairs;
  for (uint o = 0; o < M; ++o) {
    vec2 sum = vec2(biases[o]);
    [[unroll]] for (uint c = 0; c < K; c += 4) {
      const vec4 w = weights[(o * K + c) / 4];
      sum = fma(vec2(w.x), xv[c], sum);
      sum = fma(vec2(w.y), xv[c + 1], sum);
      sum = fma(vec2(w.z), xv[c + 2], sum);
      sum = fma(vec2(w.w), xv[c + 3], sum);
    }
    out2_data[y0 + o * image_pairs] = vec2(apply_activation(ACTIVATION, sum.x, p.alpha, p.beta),
                                           apply_activation(ACTIVATION, sum.y, p.alpha, p.beta));
  }
}
