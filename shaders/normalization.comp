#version 450
// BatchNormalization (inference: one invocation per element) and LayerNormalization (one
// invocation per normalized row: mean, then variance about it, in float). LayerNormalization's
// Scale and B broadcast to the input through strides (0 = broadcast), the host merging dims.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(constant_id = 1) const int KIND = 0;   // 0 BatchNormalization, 1 LayerNormalization

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

void layer_normalization(uint row) {
  const uint base = row * p.plane;
  float mean = 0.0;
  for (uint e = 0; e < p.plane; ++e) mean += x_data[p.x_offset + base + e];
  mean /= float(p.plane);
  float variance = 0.0;
  for (uint e = 0; e < p.plane; ++e) {
    const float d = x_data[p.x_offset + base + e] - mean;
    variance += d * d;
  }
  variance /= float(p.plane);
  const float inverse_deviation = 1.0 / sqrt(variance + p.epsilon);
  for (uint e = 0; e < p.plane; ++e) {
    uint rest = base + e;
    uint scale_index = 0;
    uint bias_index = 0;
    for (int d = int(p.rank) - 1; d >= 0; --d) {
      const uint coordinate = rest % p.dims[d];
      rest /= p.dims[d];
      scale_index += coordinate * p.scale_strides[d];
      bias_index += coordinate * p.bias_strides[d];
    }
    float y = (x_data[p.x_offset + base + e] - mean) * inverse_deviation * scale_data[p.scale_offset + scale_index];
    if (p.has_bias != 0) y += bias_data[p.bias_offset + bias_index];
    out_data[p.out_offset + base + e] = y;
  }
}

void main() {
  const uint i = invocation_index();
  if (i >= p.count) return;
  if (KIND == 0) {
    batch_normalization(i);
  } else {
    layer_normalization(i);
  }
}
