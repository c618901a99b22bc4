// Softmax and LogSoftmax along one axis: one work group per line of `length` elements
// spaced `inner` apart (the input viewed as [outer, length, inner]).
//
// The strided loops run the same number of times in every work item, with a bounds check
// inside: pocl 3.1 miscompiled `for (k = lid; k < length; k += group)` after a barrier
// (items ran the body with k >= length).
inline void softmax_line(global const float* x, int x_off, global float* y, int y_off,
                         int lines, int length, int inner, int log_output,
                         local float* scratch, int group) {
  const int line = get_group_id(0);
  const int lid = get_local_id(0);
  if (line >= lines) return;   // whole groups only: the barriers below stay uniform
  const int base = (line / inner) * length * inner + line % inner;
  // Subtracting the max keeps exp finite.
  float partial = -INFINITY;
  for (int k0 = 0; k0 < length; k0 += group) {
    const int k = k0 + lid;
    if (k < length) partial = fmax(partial, x[x_off + base + k * inner]);
  }
  const float line_max = group_reduce(scratch, partial, REDUCE_MAX, group);
  partial = 0.0f;
  for (int k0 = 0; k0 < length; k0 += group) {
    const int k = k0 + lid;
    if (k < length) partial += exp(x[x_off + base + k * inner] - line_max);
  }
  const float sum = group_reduce(scratch, partial, REDUCE_SUM, group);
  const float log_sum = log(sum);
  for (int k0 = 0; k0 < length; k0 += group) {
    const int k = k0 + lid;
    if (k >= length) continue;
    const float shifted = x[x_off + base + k * inner] - line_max;
    y[y_off + base + k * inner] = log_output ? shifted - log_sum : exp(shifted) / sum;
  }
}

#if ALL_KERNELS || KERNEL_softmax_lines
kernel __attribute__((reqd_work_group_size(REDUCE_GROUP, 1, 1)))
void softmax_lines(global const float* x, int x_off, global float* y, int y_off, int lines,
                   int length, int inner, int log_output) {
  local float scratch[REDUCE_GROUP];
  softmax_line(x, x_off, y, y_off, lines, length, inner, log_output, scratch, REDUCE_GROUP);
}
#endif

#if ALL_KERNELS || KERNEL_softmax_lines_wide
kernel void softmax_lines_wide(global const float* x, int x_off, global float* y, int y_off,
                               int lines, int length, int inner, int log_output) {
  local float scratch[REDUCE_MAX_GROUP];
  softmax_line(x, x_off, y, y_off, lines, length, inner, log_output, scratch,
               get_local_size(0));
}
#endif
