// Depthwise Conv (group = C = M; 2-D, or 1-D as height 1): each work item computes OUTPUTS
// neighbouring outputs of one output row of one channel, the KH x KW taps unrolled (the
// program is built per kernel size: -DKH= -DKW=) and the channel's weights read once into
// registers. The direct kernel (conv.cl) spends most of its time on one output's index
// arithmetic and loop control; here one split of the item index serves OUTPUTS outputs and
// every tap is a multiply-add behind two comparisons. Chosen by opencl/conv.cpp.
//
// p = [C, in_h, in_w, out_h, out_w, row_items (ceil(out_w / OUTPUTS)), stride_h, stride_w,
//      pad_h, pad_w, dilation_h, dilation_w]

#define OUTPUTS 4

kernel void conv_depthwise(global const float* x, int x_off, global const float* w, int w_off,
                           global const float* bias, int bias_off, int has_bias,
                           global float* y, int y_off, global const int* p, int p_off, int count,
                           int activation, float alpha, float beta) {
  const int item = get_global_id(0);
  if (item >= count) return;
  p += p_off;
  const int channels = p[0], in_h = p[1], in_w = p[2], out_h = p[3], out_w = p[4];
  const int row_items = p[5];
  const int row = item / row_items;  // (image * C + channel) * out_h + oh
  const int ow0 = (item % row_items) * OUTPUTS;
  const int plane = row / out_h;     // image * C + channel
  const int channel = plane % channels;
  const int ih0 = (row % out_h) * p[6] - p[8];
  const int iw0 = ow0 * p[7] - p[9];
  global const float* x_plane = x + x_off + plane * in_h * in_w;

  float taps[KH * KW];
#pragma unroll
  for (int t = 0; t < KH * KW; ++t) taps[t] = w[w_off + channel * KH * KW + t];
  float sums[OUTPUTS];
#pragma unroll
  for (int j = 0; j < OUTPUTS; ++j) sums[j] = 0.0f;
#pragma unroll
  for (int kh = 0; kh < KH; ++kh) {
    const int ih = ih0 + kh * p[10];
    // Negative coordinates wrap to large unsigned ones: one comparison per bound.
    if ((uint)ih >= (uint)in_h) continue;
    global const float* x_row = x_plane + ih * in_w;
#pragma unroll
    for (int j = 0; j < OUTPUTS; ++j) {
#pragma unroll
      for (int kw = 0; kw < KW; ++kw) {
        const int iw = iw0 + j * p[7] + kw * p[11];
        if ((uint)iw < (uint)in_w) sums[j] += x_row[iw] * taps[kh * KW + kw];
      }
    }
  }
  const float b = has_bias ? bias[bias_off + channel] : 0.0f;
  global float* y_row = y + y_off + row * out_w;
#pragma unroll
  for (int j = 0; j < OUTPUTS; ++j) {
    if (ow0 + j < out_w) y_row[ow0 + j] = unary_op(activation, alpha, beta, sums[j] + b);
  }
}
