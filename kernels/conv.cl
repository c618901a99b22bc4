// Conv and ConvTranspose with up to three spatial dims (missing ones are size 1), one
// work item per output element, accumulating in float. The fused activation (if any) is
// applied to the sum, after the bias.
//
// p = [N, C, M, group, then per spatial dim d = 0..2 (outermost first):
//      input, output, kernel, stride, dilation, pad_begin]

#define DIM(d, field) p[4 + 6 * (d) + (field)]
#define IN 0
#define OUT 1
#define KERNEL 2
#define STRIDE 3
#define DILATION 4
#define PAD 5

// Output element i of y [N, M, out depth, out height, out width]: its image, channel and
// position along each spatial dim.
typedef struct {
  int n, m, oz, oy, ox;
} output_element;

output_element split_output(int i, global const int* p) {
  const int od = DIM(0, OUT), oh = DIM(1, OUT), ow = DIM(2, OUT);
  output_element e;
  e.ox = i % ow;
  e.oy = (i / ow) % oh;
  e.oz = (i / (ow * oh)) % od;
  e.m = (i / (ow * oh * od)) % p[2];
  e.n = i / (ow * oh * od * p[2]);
  return e;
}

#if ALL_KERNELS || KERNEL_conv
kernel void conv(global const float* x, int x_off, global const float* w, int w_off,
                 global const float* bias, int bias_off, int has_bias, global float* y, int y_off,
                 global const int* p, int p_off, int count, int activation, float alpha,
                 float beta) {
  const int i = get_global_id(0);
  if (i >= count) return;
  p += p_off;
  const int channels = p[1], out_channels = p[2], group = p[3];
  const int id = DIM(0, IN), ih = DIM(1, IN), iw = DIM(2, IN);
  const int kd = DIM(0, KERNEL), kh = DIM(1, KERNEL), kw = DIM(2, KERNEL);
  const output_element at = split_output(i, p);
  const int n = at.n, m = at.m, oz = at.oz, oy = at.oy, ox = at.ox;
  const int in_per_group = channels / group;
  const int c0 = (m / (out_channels / group)) * in_per_group;
  float sum = has_bias ? bias[bias_off + m] : 0.0f;
  for (int c = 0; c < in_per_group; ++c) {
    global const float* plane = x + x_off + (n * channels + c0 + c) * id * ih * iw;
    global const float* taps = w + w_off + (m * in_per_group + c) * kd * kh * kw;
    for (int a = 0; a < kd; ++a) {
      const int z = oz * DIM(0, STRIDE) + a * DIM(0, DILATION) - DIM(0, PAD);
      if (z < 0 || z >= id) continue;
      for (int b = 0; b < kh; ++b) {
        const int yy = oy * DIM(1, STRIDE) + b * DIM(1, DILATION) - DIM(1, PAD);
        if (yy < 0 || yy >= ih) continue;
        global const float* row = plane + (z * ih + yy) * iw;
        global const float* tap_row = taps + (a * kh + b) * kw;
        for (int e = 0; e < kw; ++e) {
          const int xx = ox * DIM(2, STRIDE) + e * DIM(2, DILATION) - DIM(2, PAD);
          if (xx >= 0 && xx < iw) sum += row[xx] * tap_row[e];
        }
      }
    }
  }
  y[y_off + i] = unary_op(activation, alpha, beta, sum);
}
#endif

// ConvTranspose: output position o along a dim receives input position q through tap t
// when o = q * stride + t * dilation - pad_begin. Weight is [C, M / group, kernel...].
#if ALL_KERNELS || KERNEL_conv_transpose
kernel void conv_transpose(global const float* x, int x_off, global const float* w, int w_off,
                           global const float* bias, int bias_off, int has_bias, global float* y,
                           int y_off, global const int* p, int p_off, int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  p += p_off;
  const int channels = p[1], out_channels = p[2], group = p[3];
  const int id = DIM(0, IN), ih = DIM(1, IN), iw = DIM(2, IN);
  const int kd = DIM(0, KERNEL), kh = DIM(1, KERNEL), kw = DIM(2, KERNEL);
  const output_element at = split_output(i, p);
  const int n = at.n, m = at.m, oz = at.oz, oy = at.oy, ox = at.ox;
  const int out_per_group = out_channels / group;
  const int in_per_group = channels / group;
  const int c0 = (m / out_per_group) * in_per_group;
  const int mg = m % out_per_group;
  float sum = has_bias ? bias[bias_off + m] : 0.0f;
  for (int a = 0; a < kd; ++a) {
    const int zs = oz + DIM(0, PAD) - a * DIM(0, DILATION);
    if (zs < 0 || zs % DIM(0, STRIDE) != 0 || zs / DIM(0, STRIDE) >= id) continue;
    const int z = zs / DIM(0, STRIDE);
    for (int b = 0; b < kh; ++b) {
      const int ys = oy + DIM(1, PAD) - b * DIM(1, DILATION);
      if (ys < 0 || ys % DIM(1, STRIDE) != 0 || ys / DIM(1, STRIDE) >= ih) continue;
      const int yy = ys / DIM(1, STRIDE);
      for (int e = 0; e < kw; ++e) {
        const int xs = ox + DIM(2, PAD) - e * DIM(2, DILATION);
        if (xs < 0 || xs % DIM(2, STRIDE) != 0 || xs / DIM(2, STRIDE) >= iw) continue;
        const int xx = xs / DIM(2, STRIDE);
        for (int c = 0; c < in_per_group; ++c) {
          const float value = x[x_off + (((n * channels + c0 + c) * id + z) * ih + yy) * iw + xx];
          const float tap = w[w_off + ((((c0 + c) * out_per_group + mg) * kd + a) * kh + b) * kw + e];
          sum += value * tap;
        }
      }
    }
  }
  y[y_off + i] = sum;
}
#endif
