#version 450
// Conv and ConvTranspose (1-D and 2-D; 1-D runs as H = 1), accumulating in float, with the
// bias and a fused activation applied at the end. Geometry follows
// core/ops/window_geometry.h: dense = strided * stride + tap * dilation - pad, where for Conv
// the output is strided and for ConvTranspose the input is. Two ways to spread the work
// (specialization constant 3, chosen by vulkan/conv.cpp):
//   GROUP_PER_OUTPUT = 0: one invocation per output element walks its channels x taps in
//     nested loops.
//   GROUP_PER_OUTPUT = 1: one workgroup per output element; its lanes stride over the
//     flattened (channel, kh, kw) taps and sum in shared memory. For layers whose taps would
//     take one invocation past lavapipe's loop limit (vulkan/loop_limit.h).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "group_reduce.glsl"

layout(constant_id = 1) const int ACTIVATION = 0;   // vulkan/activation.h codes
layout(constant_id = 2) const int TRANSPOSED = 0;
layout(constant_id = 3) const int GROUP_PER_OUTPUT = 0;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };
layout(std430, binding = 2) readonly buffer W { float w_data[]; };
layout(std430, binding = 3) readonly buffer B { float b_data[]; };

layout(push_constant) uniform Params {
  uint count;
  uint out_offset;
  uint x_offset;
  uint w_offset;
  uint b_offset;
  uint has_bias;
  uint in_channels;         // C
  uint in_h;
  uint in_w;
  uint out_channels;        // M
  uint out_h;
  uint out_w;
  uint kernel_h;
  uint kernel_w;
  int stride_h;
  int stride_w;
  int pad_h;                // begin pads; negative for a cropping ConvTranspose
  int pad_w;
  int dilation_h;
  int dilation_w;
  uint in_per_group;        // C / group
  uint out_per_group;       // M / group
  float alpha;
  float beta;
} p;

float conv_sum(uint n, uint m, int oh, int ow) {
  const uint g = m / p.out_per_group;
  float acc = 0.0;
  for (uint c = 0; c < p.in_per_group; ++c) {
    const uint ci = g * p.in_per_group + c;
    const uint x_plane = p.x_offset + (n * p.in_channels + ci) * p.in_h * p.in_w;
    const uint w_plane = p.w_offset + (m * p.in_per_group + c) * p.kernel_h * p.kernel_w;
    for (uint kh = 0; kh < p.kernel_h; ++kh) {
      const int ih = oh * p.stride_h + int(kh) * p.dilation_h - p.pad_h;
      if (ih < 0 || ih >= int(p.in_h)) continue;
      for (uint kw = 0; kw < p.kernel_w; ++kw) {
        const int iw = ow * p.stride_w + int(kw) * p.dilation_w - p.pad_w;
        if (iw < 0 || iw >= int(p.in_w)) continue;
        acc += x_data[x_plane + uint(ih) * p.in_w + uint(iw)] * w_data[w_plane + kh * p.kernel_w + kw];
      }
    }
  }
  return acc;
}

// The adjoint: output position o receives input i through tap k when o = i*stride + k*dil - pad.
float conv_transpose_sum(uint n, uint m, int oh, int ow) {
  const uint g = m / p.out_per_group;
  const uint m_in_group = m % p.out_per_group;
  float acc = 0.0;
  for (uint c = 0; c < p.in_per_group; ++c) {
    const uint ci = g * p.in_per_group + c;
    const uint x_plane = p.x_offset + (n * p.in_channels + ci) * p.in_h * p.in_w;
    const uint w_plane = p.w_offset + (ci * p.out_per_group + m_in_group) * p.kernel_h * p.kernel_w;
    for (uint kh = 0; kh < p.kernel_h; ++kh) {
      const int th = oh + p.pad_h - int(kh) * p.dilation_h;
      if (th < 0 || th % p.stride_h != 0 || th / p.stride_h >= int(p.in_h)) continue;
      const uint ih = uint(th / p.stride_h);
      for (uint kw = 0; kw < p.kernel_w; ++kw) {
        const int tw = ow + p.pad_w - int(kw) * p.dilation_w;
        if (tw < 0 || tw % p.stride_w != 0 || tw / p.stride_w >= int(p.in_w)) continue;
        acc += x_data[x_plane + ih * p.in_w + uint(tw / p.stride_w)] * w_data[w_plane + kh * p.kernel_w + kw];
      }
    }
  }
  return acc;
}

// Tap t = (c * kernel_h + kh) * kernel_w + kw of output (n, m, oh, ow); 0 where it falls in
// the padding or, for ConvTranspose, between strided input positions.
float tap_product(uint n, uint m, int oh, int ow, uint t) {
  const uint kw = t % p.kernel_w;
  const uint kh = (t / p.kernel_w) % p.kernel_h;
  const uint c = t / (p.kernel_w * p.kernel_h);
  const uint g = m / p.out_per_group;
  const uint ci = g * p.in_per_group + c;
  const uint x_plane = p.x_offset + (n * p.in_channels + ci) * p.in_h * p.in_w;
  int ih, iw;
  uint w_plane;
  if (TRANSPOSED != 0) {
    const int th = oh + p.pad_h - int(kh) * p.dilation_h;
    const int tw = ow + p.pad_w - int(kw) * p.dilation_w;
    if (th < 0 || th % p.stride_h != 0 || tw < 0 || tw % p.stride_w != 0) return 0.0;
    ih = th / p.stride_h;
    iw = tw / p.stride_w;
    w_plane = p.w_offset + (ci * p.out_per_group + m % p.out_per_group) * p.kernel_h * p.kernel_w;
  } else {
    ih = oh * p.stride_h + int(kh) * p.dilation_h - p.pad_h;
    iw = ow * p.stride_w + int(kw) * p.dilation_w - p.pad_w;
    w_plane = p.w_offset + (m * p.in_per_group + c) * p.kernel_h * p.kernel_w;
  }
  if (ih < 0 || ih >= int(p.in_h) || iw < 0 || iw >= int(p.in_w)) return 0.0;
  return x_data[x_plane + uint(ih) * p.in_w + uint(iw)] * w_data[w_plane + kh * p.kernel_w + kw];
}

void store(uint i, uint m, float acc) {
  if (p.has_bias != 0) acc += b_data[p.b_offset + m];
  out_data[p.out_offset + i] = apply_activation(ACTIVATION, acc, p.alpha, p.beta);
}

// Output element i as (n, m, oh, ow).
uvec4 output_position(uint i) {
  const uint ow = i % p.out_w;
  const uint oh = (i / p.out_w) % p.out_h;
  const uint m = (i / (p.out_w * p.out_h)) % p.out_channels;
  const uint n = i / (p.out_w * p.out_h * p.out_channels);
  return uvec4(n, m, oh, ow);
}

void output_per_workgroup() {
  const uint i = group_index();
  // The same in every lane of a group, so group_sum's barriers stay in uniform control flow.
  if (i >= p.count) return;
  const uvec4 at = output_position(i);
  const uint taps = p.in_per_group * p.kernel_h * p.kernel_w;
  float acc = 0.0;
  for (uint t = gl_LocalInvocationID.x; t < taps; t += gl_WorkGroupSize.x) {
    acc += tap_product(at.x, at.y, int(at.z), int(at.w), t);
  }
  acc = group_sum(acc);
  if (gl_LocalInvocationID.x == 0) store(i, at.y, acc);
}

void main() {
  if (GROUP_PER_OUTPUT != 0) {
    output_per_workgroup();
    return;
  }
  const uint i = invocation_index();
  if (i >= p.count) return;
  const uvec4 at = output_position(i);
  const int oh = int(at.z);
  const int ow = int(at.w);
  store(i, at.y, TRANSPOSED != 0 ? conv_transpose_sum(at.x, at.y, oh, ow) : conv_sum(at.x, at.y, oh, ow));
}
