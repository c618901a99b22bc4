// Depthwise Conv (group = C = M; 2-D, or 1-D as height 1): each work item computes OUTPUTS
// neighbouring outputs of one output row of one channel, the KH x KW taps unrolled (the
// program is built per kernel size: -DKH= -DKW=) and the channel's weights read once into
// registers. The direct kernel (conv.cl) spends most of its time on one output's index
// arithmetic and loop control; here one split of the item index serves OUTPUTS outputs and
// every tap is a multiply-add behind two comparisons. Chosen by opencl/conv_depthwise.cpp:
// conv_depthwise_quads (-DQUAD_COLUMNS=1 -DSTRIDE_W=1|2) where core's has_quad_columns holds
// and x and y start on 16 bytes, else conv_depthwise_flat (-DFLAT=1) on GPUs and
// conv_depthwise on CPUs.
//
// p = [C, in_h, in_w, out_h, out_w, row_items (ceil(out_w / OUTPUTS)), stride_h, stride_w,
//      pad_h, pad_w, dilation_h, dilation_w]

#define OUTPUTS 4

// Of an item of OUTPUTS neighbouring outputs of a row: its output row ((image x C + channel) x
// out_h + oh), first column, channel, first input row (that of tap 0) and where its input
// plane starts in x (floats after x_off).
typedef struct {
  int row, ow0, channel, ih0;
  size_t x_plane;
} row_item;

row_item split_row_item(int item, global const int* p) {
  row_item it;
  it.row = item / p[5];
  it.ow0 = (item - it.row * p[5]) * OUTPUTS;
  const int plane = it.row / p[3];  // image x C + channel
  it.channel = plane % p[0];
  it.ih0 = (it.row - plane * p[3]) * p[6] - p[8];
  it.x_plane = (size_t)plane * p[1] * p[2];
  return it;
}

#if QUAD_COLUMNS
// Each item's 4 outputs read their taps from the 3 aligned float4s of the row from column
// 4 x STRIDE_W x t - 4 on (t: the item's run of 4 in the output row), which hold its columns
// iw0 - 1.. (the last float4 is needed at stride 1 for one column alone), and store as one
// float4: 3 vector loads a row where conv_depthwise makes 12 scalar ones. Columns outside the
// row read zero; with widths multiples of 4 a float4 lies wholly inside or outside it.
kernel void conv_depthwise_quads(global const float* x, int x_off, global const float* w,
                                 int w_off, global const float* bias, int bias_off,
                                 int has_bias, global float* y, int y_off, global const int* p,
                                 int p_off, int count, int activation, float alpha, float beta) {
  const int item = get_global_id(0);
  if (item >= count) return;
  p += p_off;
  const int in_h = p[1], in_w = p[2], out_w = p[4];
  const row_item it = split_row_item(item, p);
  const int row = it.row, ow0 = it.ow0, channel = it.channel, ih0 = it.ih0;
  const int middle_column = ow0 * STRIDE_W;  // where the item's middle float4 starts
  global const float* x_plane = x + x_off + it.x_plane;

  float taps[KH * 3];
#pragma unroll
  for (int t = 0; t < KH * 3; ++t) taps[t] = w[w_off + channel * KH * 3 + t];
  float4 sums = (float4)(0.0f);
#pragma unroll
  for (int kh = 0; kh < KH; ++kh) {
    const int ih = ih0 + kh * p[10];
    if ((uint)ih >= (uint)in_h) continue;
    global const float4* x_middle =
        (global const float4*)(x_plane + (size_t)ih * in_w + middle_column);
    const float4 left = middle_column > 0 ? x_middle[-1] : (float4)(0.0f);
    const float4 middle = x_middle[0];
    const float4 right = middle_column + 4 < in_w ? x_middle[1] : (float4)(0.0f);
    const float c[12] = {left.x,   left.y,   left.z,   left.w,  middle.x, middle.y,
                         middle.z, middle.w, right.x, right.y, right.z,  right.w};
#pragma unroll
    for (int kw = 0; kw < 3; ++kw) {
      const float4 column = (float4)(c[3 + kw], c[3 + STRIDE_W + kw], c[3 + 2 * STRIDE_W + kw],
                                     c[3 + 3 * STRIDE_W + kw]);
      sums = fma(column, (float4)(taps[kh * 3 + kw]), sums);
    }
  }
  sums += (float4)(has_bias ? bias[bias_off + channel] : 0.0f);
  sums.x = unary_op(activation, alpha, beta, sums.x);
  sums.y = unary_op(activation, alpha, beta, sums.y);
  sums.z = unary_op(activation, alpha, beta, sums.z);
  sums.w = unary_op(activation, alpha, beta, sums.w);
  *(global float4*)(y + y_off + (size_t)row * out_w + ow0) = sums;
}
#elif FLAT
// One output an item, items over the whole output (planes of image x C, rows, columns), the
// window built in (-DFLAT=1 -DIN_H= -DIN_W= -DOUT_H= -DOUT_W= -DSTRIDE_H= -DSTRIDE_W= -DPAD_H=
// -DPAD_W= -DDILATION_H= -DDILATION_W=): a warp's load of a tap and its store cover
// neighbouring columns, where 4 outputs an item spread each load over 4 times the lines.
#define IN_PLANE (IN_H * IN_W)
#define OUT_PLANE (OUT_H * OUT_W)

kernel void conv_depthwise_flat(global const float* x, int x_off, global const float* w,
                                int w_off, global const float* bias, int bias_off, int has_bias,
                                global float* y, int y_off, int channels, int count,
                                int activation, float alpha, float beta) {
  const int o = get_global_id(0);
  if (o >= count) return;
  const int plane = o / OUT_PLANE;
  const int oh = (o - plane * OUT_PLANE) / OUT_W;
  const int ow = o - plane * OUT_PLANE - oh * OUT_W;
  const int channel = plane % channels;
  global const float* in = x + x_off + (size_t)plane * IN_PLANE;
  global const float* tap = w + w_off + channel * KH * KW;
  float sum = has_bias ? bias[bias_off + channel] : 0.0f;
#pragma unroll
  for (int kh = 0; kh < KH; ++kh) {
    const int ih = oh * STRIDE_H - PAD_H + kh * DILATION_H;
#pragma unroll
    for (int kw = 0; kw < KW; ++kw) {
      const int iw = ow * STRIDE_W - PAD_W + kw * DILATION_W;
      if ((uint)ih < IN_H && (uint)iw < IN_W) sum = fma(in[ih * IN_W + iw], tap[kh * KW + kw], sum);
    }
  }
  y[y_off + o] = unary_op(activation, alpha, beta, sum);
}
#else
kernel void conv_depthwise(global const float* x, int x_off, global const float* w, int w_off,
                           global const float* bias, int bias_off, int has_bias,
                           global float* y, int y_off, global const int* p, int p_off, int count,
                           int activation, float alpha, float beta) {
  const int item = get_global_id(0);
  if (item >= count) return;
  p += p_off;
  const int in_h = p[1], in_w = p[2], out_w = p[4];
  const row_item it = split_row_item(item, p);
  const int row = it.row, ow0 = it.ow0, channel = it.channel, ih0 = it.ih0;
  const int iw0 = ow0 * p[7] - p[9];
  global const float* x_plane = x + x_off + it.x_plane;

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
#endif
