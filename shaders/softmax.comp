#version 450
// Softmax along one axis, in three passes over each line (outer x inner positions): max, sum
// of exp(x - max), then the quotients. Subtracting the max keeps exp finite. Two ways to
// spread the work (specialization constant 1, chosen by vulkan/softmax.cpp):
//   GROUP_PER_LINE = 0: one invocation per line walks it three times; for short axes.
//   GROUP_PER_LINE = 1: one workgroup per line; its lanes stride along the axis and combine
//     the max and the sum in shared memory (group_reduce.glsl), so no lane walks more than
//     3 x axis length / workgroup size elements (lavapipe's loop limit cut a lone invocation
//     short after 21845 elements: vulkan/loop_limit.h).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "group_reduce.glsl"

layout(constant_id = 1) const int GROUP_PER_LINE = 0;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };

layout(push_constant) uniform Params {
  uint count;     // lines: outer * inner
  uint out_offset;
  uint x_offset;
  uint axis_length;
  uint inner;     // product of the dims after the axis: the stride along the axis
} p;

// Element k of `line` lies at base + k * inner, in x and in out.
uint line_base(uint line) { return (line / p.inner) * p.axis_length * p.inner + line % p.inner; }

// Elements first, first + step, ... of the line: all of it (0, 1) or one lane's share.
void softmax_line(uint line, uint first, uint step) {
  const uint base = line_base(line);
  const bool shared_line = GROUP_PER_LINE != 0;
  float largest = -inf_value();
  for (uint k = first; k < p.axis_length; k += step) largest = max(largest, x_data[p.x_offset + base + k * p.inner]);
  if (shared_line) largest = group_max(largest);
  float sum = 0.0;
  for (uint k = first; k < p.axis_length; k += step) {
    const float e = exp(x_data[p.x_offset + base + k * p.inner] - largest);
    out_data[p.out_offset + base + k * p.inner] = e;
    sum += e;
  }
  if (shared_line) sum = group_sum(sum);
  // Each lane divides the elements it wrote itself: no barrier needed before reading them.
  for (uint k = first; k < p.axis_length; k += step) out_data[p.out_offset + base + k * p.inner] /= sum;
}

void main() {
  if (GROUP_PER_LINE != 0) {
    // The same in every lane of a group, so group_reduce's barriers stay in uniform control
    // flow (the host's 2-D grid may hold a few groups past the last line).
    const uint line = group_index();
    if (line >= p.count) return;
    softmax_line(line, gl_LocalInvocationID.x, gl_WorkGroupSize.x);
  } else {
    const uint line = invocation_index();
    if (line >= p.count) return;
    softmax_line(line, 0, 1);
  }
}
