#version 450
// Softmax along one axis: one invocation per line (outer x inner positions), three passes
// over the line: max, sum of exp(x - max), then the quotients. Subtracting the max keeps exp
// finite.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };

layout(push_constant) uniform Params {
  uint count;     // lines: outer * inner
  uint out_offset;
  uint x_offset;
  uint axis_length;
  uint inner;     // product of the dims after the axis: the stride along the axis
} p;

void main() {
  const uint line = invocation_index();
  if (line >= p.count) return;
  const uint base = (line / p.inner) * p.axis_length * p.inner + line % p.inner;
  float largest = -inf_value();
  for (uint k = 0; k < p.axis_length; ++k) largest = max(largest, x_data[p.x_offset + base + k * p.inner]);
  float sum = 0.0;
  for (uint k = 0; k < p.axis_length; ++k) {
    const float e = exp(x_data[p.x_offset + base + k * p.inner] - largest);
    out_data[p.out_offset + base + k * p.inner] = e;
    sum += e;
  }
  for (uint k = 0; k < p.axis_length; ++k) out_data[p.out_offset + base + k * p.inner] /= sum;
}
