#version 450
// Depthwise Conv layers of stride 1 along h on GPUs, where conv_depthwise_quad.comp does not
// take the layer (vulkan/conv_depthwise.cpp): ROWS outputs of a column an invocation, the
// window in specialization constants. Between them the ROWS outputs read ROWS - 1 + KH input
// rows, each loaded once (5 for 3 outputs of a 3x3 window, against 9 one output at a time), and
// the window's weights once. Along w, a warp's loads cover neighbouring columns, as in
// conv_depthwise_flat.comp. On the H100 (r208), 3 outputs ran dw 3x3 512 @14 21-33% faster
// than that shader and 1024 @7 16-17% at batches 64 and 128, within 1% at batch 16
// (vulkan/conv_depthwise.cpp has the other counts). On dw 3x3 s2 256 @28, 1-4 outputs lost 5-9%
// at batches 64 and 128, so strided layers keep conv_depthwise_flat.comp.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

#include "depthwise_window.glsl"

layout(constant_id = 14) const uint ROWS = 3;  // outputs an invocation, down a column
const uint kRowGroups = (OUT_H + ROWS - 1) / ROWS;
// Input rows the invocation's ROWS outputs read, from the first's tap 0 on.
const uint kSpan = (ROWS - 1) * uint(STRIDE_H) + (KH - 1) * uint(DILATION_H) + 1;

// Which tap row of output r input row j of the span is, or -1: none, between dilated taps.
int tap_row(uint j, uint r) {
  const int d = int(j) - int(r) * STRIDE_H;
  return d >= 0 && d % DILATION_H == 0 && d / DILATION_H < int(KH) ? d / DILATION_H : -1;
}

void main() {
  const uint o = invocation_index();
  if (o >= p.count) return;
  const uint plane = o / (kRowGroups * OUT_W);  // image x C + channel
  const uint rest = o - plane * kRowGroups * OUT_W;
  const int oh0 = int(rest / OUT_W) * int(ROWS);
  const int ow = int(rest % OUT_W);
  const uint channel = plane % p.channels;
  const uint x_plane = p.x_offset + plane * kInPlane;
  const uint taps = p.w_offset + channel * KH * KW;
  const float bias = p.has_bias != 0 ? b_data[p.b_offset + channel] : 0.0;
  // The window's weights in registers first: loaded at each use instead, the shader ran no
  // faster than conv_depthwise_flat.comp (r208).
  float weights[KH * KW];
  [[unroll]] for (uint t = 0; t < KH * KW; ++t) weights[t] = w_data[taps + t];
  float sums[ROWS];
  [[unroll]] for (uint r = 0; r < ROWS; ++r) sums[r] = bias;
  [[unroll]] for (uint j = 0; j < kSpan; ++j) {
    bool used = false;
    [[unroll]] for (uint r = 0; r < ROWS; ++r) used = used || tap_row(j, r) >= 0;
    const int ih = oh0 * STRIDE_H - PAD_H + int(j);
    if (!used || uint(ih) >= IN_H) continue;
    [[unroll]] for (uint kw = 0; kw < KW; ++kw) {
      const int iw = ow * STRIDE_W - PAD_W + int(kw) * DILATION_W;
      if (uint(iw) >= IN_W) continue;
      const float v = x_data[x_plane + uint(ih) * IN_W + uint(iw)];
      [[unroll]] for (uint r = 0; r < ROWS; ++r) {
        const int kh = tap_row(j, r);
        if (kh >= 0) sums[r] = fma(v, weights[uint(kh) * KW + kw], sums[r]);
      }
    }
  }
  const uint y = p.out_offset + plane * kOutPlane + uint(oh0) * OUT_W + uint(ow);
  [[unroll]] for (uint r = 0; r < ROWS; ++r) {
    if (oh0 + int(r) < int(OUT_H)) {
      out_data[y + r * OUT_W] = apply_activation(ACTIVATION, sums[r], p.alpha, p.beta);
    }
  }
}
