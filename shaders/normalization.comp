#version 450
// BatchNormalization (inference: one invocation per element) and LayerNormalization (per
// normalized row: mean, then variance about it, in float; then the normalized elements).
// LayerNormalization's Scale and B broadcast to the input through strides (0 = broadcast),
// the host merging dims. A row goes to one invocation (KIND 1, short rows) or to one
// workgroup whose lanes stride along it and combine their sums in shared memory (KIND 2,
// long rows: lavapipe's loop limit cut a lone invocation short, see vulkan/loop_limit.h).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "group_reduce.glsl"

// 0 BatchNormalization, 1 LayerNormalization a row per invocation, 2 a row per workgroup
layout(constant_id = 1) const int KIND = 0;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };
layout(std430, binding = 2) readonly buffer Scale { float scale_data[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias_data[]; };
layout(std430, binding = 4) readonly buffer Mean { float mean_data[]; };
layout(std430, binding = 5) readonly buffer Var { float var_data[]; };

layout(push_constant) uniform Params {
  uint count;               // elements (BatchNormalization) or rows (LayerNormalization)
  uint out_offset;
  uint x_offset;
  uint scale_offset;
  uint bias_offset;
  uint mean_offset;
  uint var_offset;
  uint channels;            // BatchNormalization
  uint plane;               // BatchNormalization: elements per channel; LayerNormalization: row length
  float epsilon;
  uint has_bias;
  uint rank;                // LayerNormalization: Scale/B addressing over the whole input
  uint dims[6];
  uint scale_strides[6];
  uint bias_strides[6];
} p;

void batch_normalization(uint i) {
  const uint c = (i / p.plane) % p.channels;
  const float x = x_data[p.x_offset + i];
  out_data[p.out_offset + i] = (x - mean_data[p.mean_offset + c]) /
                                   sqrt(var_data[p.var_offset + c] + p.epsilon) *
                                   scale_data[p.scale_offset + c] + bias_data[p.bias_offset + c];
}

// Element `index` of the input normalized; the dims walk is unrolled so that it adds no loop
// iterations per element.
void write_normalized(uint index, float mean, float inverse_deviation) {
  uint rest = index;
  uint scale_index = 0;
  uint bias_index = 0;
  [[unroll]] for (int d = 5; d >= 0; --d) {
    if (d < int(p.rank)) {
      const uint coordinate = rest % p.dims[d];
      rest /= p.dims[d];
      scale_index += coordinate * p.scale_strides[d];
      bias_index += coordinate * p.bias_strides[d];
    }
  }
  float y = (x_data[p.x_offset + index] - mean) * inverse_deviation * scale_data[p.scale_offset + scale_index];
  if (p.has_bias != 0) y += bias_data[p.bias_offset + bias_index];
  out_data[p.out_offset + index] = y;
}

// Elements first, first + step, ... of the row: all of it (0, 1) or one lane's share.
void layer_normalization(uint row, uint first, uint step) {
  const uint base = row * p.plane;
  const bool shared_row = KIND == 2;
  float sum = 0.0;
  for (uint e = first; e < p.plane; e += step) sum += x_data[p.x_offset + base + e];
  if (shared_row) sum = group_sum(sum);
  const float mean = sum / float(p.plane);
  float squares = 0.0;
  for (uint e = first; e < p.plane; e += step) {
    const float d = x_data[p.x_offset + base + e] - mean;
    squares += d * d;
  }
  if (shared_row) squares = group_sum(squares);
  const float inverse_deviation = 1.0 / sqrt(squares / float(p.plane) + p.epsilon);
  for (uint e = first; e < p.plane; e += step) write_normalized(base + e, mean, inverse_deviation);
}

void main() {
  if (KIND == 2) {
    // The same in every lane of a group, so group_reduce's barriers stay in uniform control
    // flow (the host's 2-D grid may hold a few groups past the last row).
    const uint row = group_index();
    if (row >= p.count) return;
    layer_normalization(row, gl_LocalInvocationID.x, gl_WorkGroupSize.x);
    return;
  }
  const uint i = invocation_index();
  if (i >= p.count) return;
  if (KIND == 0) {
    batch_normalization(i);
  } else {
    layer_normalization(i, 0, 1);
  }
}
