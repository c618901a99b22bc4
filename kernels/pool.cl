// MaxPool, AveragePool and the global pools, up to three spatial dims (missing ones are
// size 1), one work item per output element.
//
// p = [planes (N * C), then per spatial dim d = 0..2 (outermost first):
//      input, output, kernel, stride, dilation, pad_begin, pad_end]

#define POOL_MAX 0
#define POOL_AVERAGE 1              // divisor: taps inside the input
#define POOL_AVERAGE_WITH_PADS 2    // divisor: taps inside the input and its padding

#define PDIM(d, field) p[1 + 7 * (d) + (field)]
#define P_IN 0
#define P_OUT 1
#define P_KERNEL 2
#define P_STRIDE 3
#define P_DILATION 4
#define P_PAD_BEGIN 5
#define P_PAD_END 6

// Window taps along one dim land at out * stride + tap * dilation - pad_begin.
int tap_position(global const int* p, int d, int out, int tap) {
  return out * PDIM(d, P_STRIDE) + tap * PDIM(d, P_DILATION) - PDIM(d, P_PAD_BEGIN);
}

bool inside_padded(global const int* p, int d, int position) {
  return position >= -PDIM(d, P_PAD_BEGIN) && position < PDIM(d, P_IN) + PDIM(d, P_PAD_END);
}

kernel void pool(global const float* x, int x_off, global float* y, int y_off, global const int* p,
                 int p_off, int count, int mode) {
  const int i = get_global_id(0);
  if (i >= count) return;
  p += p_off;
  const int id = PDIM(0, P_IN), ih = PDIM(1, P_IN), iw = PDIM(2, P_IN);
  const int od = PDIM(0, P_OUT), oh = PDIM(1, P_OUT), ow = PDIM(2, P_OUT);
  const int ox = i % ow;
  const int oy = (i / ow) % oh;
  const int oz = (i / (ow * oh)) % od;
  const int plane = i / (ow * oh * od);
  global const float* source = x + x_off + plane * id * ih * iw;
  float best = -INFINITY;
  float sum = 0.0f;
  int inside = 0;
  int padded = 0;
  for (int a = 0; a < PDIM(0, P_KERNEL); ++a) {
    const int z = tap_position(p, 0, oz, a);
    for (int b = 0; b < PDIM(1, P_KERNEL); ++b) {
      const int yy = tap_position(p, 1, oy, b);
      for (int e = 0; e < PDIM(2, P_KERNEL); ++e) {
        const int xx = tap_position(p, 2, ox, e);
        if (inside_padded(p, 0, z) && inside_padded(p, 1, yy) && inside_padded(p, 2, xx)) ++padded;
        if (z < 0 || z >= id || yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
        const float value = source[(z * ih + yy) * iw + xx];
        if (value > best) best = value;   // NaN is skipped, as in the reference
        sum += value;
        ++inside;
      }
    }
  }
  float result = best;
  if (mode == POOL_AVERAGE) result = sum / (float)inside;
  if (mode == POOL_AVERAGE_WITH_PADS) result = sum / (float)padded;
  y[y_off + i] = result;
}
