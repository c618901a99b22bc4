// BatchNormalization (inference) and LayerNormalization.

// y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c], c = (i / plane) % channels.
#if ALL_KERNELS || KERNEL_batch_norm
kernel void batch_norm(global const float* x, int x_off, global const float* scale, int scale_off,
                       global const float* bias, int bias_off, global const float* mean, int mean_off,
                       global const float* variance, int variance_off, global float* y, int y_off,
                       int count, int channels, int plane, float epsilon) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const int c = (i / plane) % channels;
  const float deviation = sqrt(variance[variance_off + c] + epsilon);
  y[y_off + i] = (x[x_off + i] - mean[mean_off + c]) / deviation * scale[scale_off + c] +
                 bias[bias_off + c];
}
#endif

// One work group per row of `inner` elements: mean, then variance of the deviations (two
// passes, as the reference does), then the normalized row times scale plus bias, both
// read through broadcast strides over x's shape.
// p = [rank, x shape..., scale strides..., bias strides...] (opencl/broadcast_layout.h).
inline void layer_norm_row(global const float* x, int x_off, global const float* scale,
                           int scale_off, global const float* bias, int bias_off, int has_bias,
                           global float* y, int y_off, global const int* p, int p_off,
                           int rows, int inner, float epsilon, local float* scratch,
                           int group) {
  const int row = get_group_id(0);
  const int lid = get_local_id(0);
  if (row >= rows) return;   // whole groups only: the barriers below stay uniform
  p += p_off;
  const int rank = p[0];
  const int base = row * inner;
  // Loops run equally often in every item (see kernels/softmax.cl for the pocl bug).
  float partial = 0.0f;
  for (int k0 = 0; k0 < inner; k0 += group) {
    if (k0 + lid < inner) partial += x[x_off + base + k0 + lid];
  }
  const float mean = group_reduce(scratch, partial, REDUCE_SUM, group) / (float)inner;
  partial = 0.0f;
  for (int k0 = 0; k0 < inner; k0 += group) {
    if (k0 + lid >= inner) continue;
    const float deviation = x[x_off + base + k0 + lid] - mean;
    partial += deviation * deviation;
  }
  const float variance = group_reduce(scratch, partial, REDUCE_SUM, group) / (float)inner;
  const float inverse_deviation = 1.0f / sqrt(variance + epsilon);
  for (int k0 = 0; k0 < inner; k0 += group) {
    if (k0 + lid >= inner) continue;
    const int i = base + k0 + lid;
    float value = (x[x_off + i] - mean) * inverse_deviation *
                  scale[scale_off + broadcast_offset(i, rank, p + 1, p + 1 + rank)];
    if (has_bias) value += bias[bias_off + broadcast_offset(i, rank, p + 1, p + 1 + 2 * rank)];
    y[y_off + i] = value;
  }
}

#if ALL_KERNELS || KERNEL_layer_norm
kernel __attribute__((reqd_work_group_size(REDUCE_GROUP, 1, 1)))
void layer_norm(global const float* x, int x_off, global const float* scale, int scale_off,
                global const float* bias, int bias_off, int has_bias, global float* y, int y_off,
                global const int* p, int p_off, int rows, int inner, float epsilon) {
  local float scratch[REDUCE_GROUP];
  layer_norm_row(x, x_off, scale, scale_off, bias, bias_off, has_bias, y, y_off, p, p_off, rows,
                 inner, epsilon, scratch, REDUCE_GROUP);
}
#endif

#if ALL_KERNELS || KERNEL_layer_norm_wide
kernel void layer_norm_wide(global const float* x, int x_off, global const float* scale,
                            int scale_off, global const float* bias, int bias_off, int has_bias,
                            global float* y, int y_off, global const int* p, int p_off, int rows,
                            int inner, float epsilon) {
  local float scratch[REDUCE_MAX_GROUP];
  layer_norm_row(x, x_off, scale, scale_off, bias, bias_off, has_bias, y, y_off, p, p_off, rows,
                 inner, epsilon, scratch, get_local_size(0));
}
#endif
