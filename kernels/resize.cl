// Resize (nearest and linear, any coordinate transform): the host precomputes, per axis
// and output position, the two input positions lo/hi and the weight of hi; the kernel
// mixes the corners of the cell an output element falls in.
//
// p = [rank, output shape..., input strides..., interpolated-axes mask, table length T,
//      lo[T], hi[T]], the tables holding each axis's output positions in turn;
// weights[T] are the weights of hi (0: lo alone, so an inf or NaN at hi cannot leak in).

#define RESIZE_MAX_RANK 8

kernel void resize(global const float* x, int x_off, global float* y, int y_off,
                   global const int* p, int p_off, global const float* weights, int weights_off,
                   int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  p += p_off;
  weights += weights_off;
  const int rank = p[0];
  global const int* out_shape = p + 1;
  global const int* in_strides = p + 1 + rank;
  const int mask = p[1 + 2 * rank];
  const int table = p[2 + 2 * rank];
  global const int* lo = p + 3 + 2 * rank;
  global const int* hi = lo + table;
  int position[RESIZE_MAX_RANK];   // this element's entry in each axis's tables
  int rest = i;
  int start = table;
  for (int d = rank - 1; d >= 0; --d) {
    start -= out_shape[d];
    position[d] = start + rest % out_shape[d];
    rest /= out_shape[d];
  }
  float sum = 0.0f;
  for (int corner = 0; corner < (1 << rank); ++corner) {
    if (corner & ~mask) continue;   // only interpolated axes have a second side
    float weight = 1.0f;
    int offset = 0;
    for (int d = 0; d < rank; ++d) {
      const int t = position[d];
      const bool upper = (corner >> d) & 1;
      if ((mask >> d) & 1) weight *= upper ? weights[t] : 1.0f - weights[t];
      offset += (upper ? hi[t] : lo[t]) * in_strides[d];
    }
    if (weight != 0.0f) sum += weight * x[x_off + offset];
  }
  y[y_off + i] = sum;
}
