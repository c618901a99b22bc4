#version 450
// The RGB stem of image networks (core's has_quad_rows, x and y 16-byte aligned), as
// shallow_conv.glsl describes: invocations cover batch x output rows x out_w / 4 runs of 4
// neighbouring outputs of a row. Each reads the 9 columns of each input row that its run
// needs as three vec4s, 3 loads where the taps make 12, and stores each output
// plane's 4 as one vec4. On the H100 at batch 64, 34.0-34.2% of FP32 peak against 32.1-32.3%
// for conv_window_shallow.comp's pairs, and 30.4-30.5% against 26.6% at batch 16. Slower:
// output channels 1 a step (33.1%), a bound test inside the step of 2 (32.9-33.0%), scalar
// stores, work groups of 64 or 256 (r90-r93: stem-4-outputs-2026-11-25.md in the H100
// results).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#define item_outputs vec4
#include "common.glsl"
#include "shallow_conv.glsl"
#include "shallow_window.glsl"

layout(constant_id = 4) const uint KH = 3;

layout(std430, binding = 0) writeonly buffer Out { vec4 out_data[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4_data[]; };

void main() {
  // Inputs first, then the weights' copy and barrier, so that their latencies overlap; the
  // invocations past the end load the last item's inputs and skip the store. On the H100 at
  // batch 64: 34.0-34.1% of FP32 peak -> 35.3-35.4% (r162); kernels/conv_shallow.cl's
  // pointwise kernel lost that way.
  const uint id = invocation_index();
  const uint item = min(id, p.count - 1);
  const WindowItem it = window_item(item, 4);
  const int ih0 = int(it.oh * p.stride_h) - p.pad_h;
  const int iw0 = int(it.ow) * 2 - 1;
  const uint channels = K / (KH * 3);
  const uint xi = p.x_offset + it.image * channels * p.in_h * p.in_w;
  vec4 xv[K_PAD];
  [[unroll]] for (uint k = K; k < K_PAD; ++k) xv[k] = vec4(0.0);
  [[unroll]] for (uint c = 0; c < channels; ++c) {
    [[unroll]] for (uint kh = 0; kh < KH; ++kh) {
      const int ih = ih0 + int(kh * p.dilation_h);
      const bool row_in = ih >= 0 && ih < int(p.in_h);
      const uint xr = xi + (c * p.in_h + uint(ih)) * p.in_w;
      // Column j of iw0.. feeds output j / 2 at tap j % 2 and, if j is even, output j / 2 - 1
      // at tap 2. iw0 + 1 is a multiple of 4 columns, so iw0 is the last of a vec4: read so,
      // x has one view, and batch 16 read 30.6-30.8% of peak against 30.2-30.3% with a
      // scalar view beside the vec4 one (r168).
      const float left = row_in && iw0 >= 0 ? x4_data[(xr + uint(iw0) - 3) / 4].w : 0.0;
      const vec4 a = row_in ? x4_data[(xr + uint(iw0 + 1)) / 4] : vec4(0.0);
      const vec4 b = row_in ? x4_data[(xr + uint(iw0 + 5)) / 4] : vec4(0.0);
      const uint r = (c * KH + kh) * 3;
      xv[r] = vec4(left, a.y, a.w, b.y);
      xv[r + 1] = vec4(a.x, a.z, b.x, b.z);
      xv[r + 2] = vec4(a.y, a.w, b.y, b.w);
    }
  }
  load_shallow_weights(p.w_offset, p.b_offset, p.has_bias != 0);
  if (id >= p.count) return;
  const uint plane = p.out_h * p.out_w;
  const uint y0 = window_output(it) / 4;
  uint o = 0;
  for (; o + 1 < M; o += 2) {  // 2 channels a step, with no bound test inside
    out_data[y0 + o * plane / 4] = shallow_sums(o, xv, p.alpha, p.beta);
    out_data[y0 + (o + 1) * plane / 4] = shallow_sums(o + 1, xv, p.alpha, p.beta);
  }
  if (M % 2 == 1) out_data[y0 + o * plane / 4] = shallow_sums(o, xv, p.alpha, p.beta);
}
