#version 450
// Unpadded 1x1 Conv (group 1) with at most 32 input channels, a multiple of 4, as
// shallow_conv.glsl describes: invocations cover batch x positions / 2 pairs of neighbouring
// positions, read as vec2s. The OpenCL backend's kernels/conv_shallow.cl does the same (41.1%
// of FP32 peak on the H100 on 1x1 32->64 at batch 64, this shader 40.8%, the tile loops 35.3%
// and 33.2%). vulkan/conv_shallow.cpp checks that positions and the x and output offsets are
// even.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "shallow_conv.glsl"

layout(std430, binding = 0) buffer Out2 { vec2 out2_data[]; };
layout(std430, binding = 1) readonly buffer X2 { vec2 x2_data[]; };

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

void main() {
  load_shallow_weights(p.w_offset, p.b_offset, p.has_bias != 0);
  const uint pair = invocation_index();
  if (pair >= p.pairs) return;
  const uint image_pairs = p.positions / 2;
  const uint image = pair / image_pairs;
  const uint x0 = p.x_offset / 2 + image * K * image_pairs + pair % image_pairs;
  vec2 xv[K_PAD];
  [[unroll]] for (uint c = 0; c < K; ++c) xv[c] = x2_data[x0 + c * image_pairs];
  const uint y0 = p.out_offset / 2 + image * M * image_pairs + pair % image_pairs;
  // 2 channels a step: on the H100, 1x1 32->64 at 32.1-32.2% of FP32 peak -> 32.5-32.8% at
  // batch 16, 40.2% -> 40.3-40.4% at 64, against one a step; 4 a step gained less (r182).
  uint o = 0;
  for (; o + 1 < M; o += 2) {
    out2_data[y0 + o * image_pairs] = shallow_sums(o, xv, p.alpha, p.beta);
    out2_data[y0 + (o + 1) * image_pairs] = shallow_sums(o + 1, xv, p.alpha, p.beta);
  }
  if (M % 2 == 1) out2_data[y0 + o * image_pairs] = shallow_sums(o, xv, p.alpha, p.beta);
}
