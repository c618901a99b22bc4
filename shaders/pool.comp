#version 450
// MaxPool and AveragePool (1-D and 2-D; 1-D runs as H = 1), one invocation per output
// element (GlobalAveragePool runs as a reduction: vulkan/pool.cpp). Windows follow core/ops/window_geometry.h; taps in the padding are
// skipped, and AveragePool with count_include_pad divides by the taps inside input + pads.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(constant_id = 1) const int KIND = 0;   // 0 max, 1 average
layout(constant_id = 2) const int COUNT_INCLUDE_PAD = 0;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };

layout(push_constant) uniform Params {
  uint count;
  uint out_offset;
  uint x_offset;
  uint in_h;
  uint in_w;
  uint out_h;
  uint out_w;
  uint kernel_h;
  uint kernel_w;
  int stride_h;
  int stride_w;
  int pad_h;
  int pad_w;
  int pad_end_h;
  int pad_end_w;
  int dilation_h;
  int dilation_w;
} p;

float window(uint plane, int oh, int ow) {
  const uint base = p.x_offset + plane * p.in_h * p.in_w;
  float best = -inf_value();
  float sum = 0.0;
  uint inside = 0;
  uint inside_padded = 0;
  for (uint kh = 0; kh < p.kernel_h; ++kh) {
    const int ih = oh * p.stride_h + int(kh) * p.dilation_h - p.pad_h;
    const bool row_padded = ih >= -p.pad_h && ih < int(p.in_h) + p.pad_end_h;
    for (uint kw = 0; kw < p.kernel_w; ++kw) {
      const int iw = ow * p.stride_w + int(kw) * p.dilation_w - p.pad_w;
      if (row_padded && iw >= -p.pad_w && iw < int(p.in_w) + p.pad_end_w) ++inside_padded;
      if (ih < 0 || ih >= int(p.in_h) || iw < 0 || iw >= int(p.in_w)) continue;
      const float value = x_data[base + uint(ih) * p.in_w + uint(iw)];
      if (value > best) best = value;   // NaN is skipped, as onnxruntime does
      sum += value;
      ++inside;
    }
  }
  if (KIND == 0) return best;
  return sum / float(COUNT_INCLUDE_PAD != 0 ? inside_padded : inside);
}

void main() {
  const uint i = invocation_index();
  if (i >= p.count) return;
  const uint ow = i % p.out_w;
  const uint oh = (i / p.out_w) % p.out_h;
  const uint plane = i / (p.out_w * p.out_h);
  out_data[p.out_offset + i] = window(plane, int(oh), int(ow));
}
