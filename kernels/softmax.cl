// Softmax and LogSoftmax along one axis: one work group per line of `length` elements
// spaced `inner` apart (the input viewed as [outer, length, inner]).
kernel __attribute__((reqd_work_group_size(REDUCE_GROUP, 1, 1)))
void softmax(global const float* x, int x_off, global float* y, int y_off, int lines, int length,
             int inner, int log_output) {
  local float scratch[REDUCE_GROUP];
  const int line = get_group_id(0);
  const int lid = get_local_id(0);
  if (line >= lines) return;   // whole groups only: the barriers below stay uniform
  const int base = (line / inner) * length * inner + line % inner;
  global const float* in = x + x_off + base;
  global float* out = y + y_off + base;
  // Subtracting the max keeps exp finite.
  float partial = -INFINITY;
  for (int k = lid; k < length; k += REDUCE_GROUP) partial = fmax(partial, in[k * inner]);
  const float max = group_reduce(scratch, partial, REDUCE_MAX);
  partial = 0.0f;
  for (int k = lid; k < length; k += REDUCE_GROUP) partial += exp(in[k * inner] - max);
  const float sum = group_reduce(scratch, partial, REDUCE_SUM);
  if (log_output) {
    const float log_sum = log(sum);
    for (int k = lid; k < length; k += REDUCE_GROUP) out[k * inner] = in[k * inner] - max - log_sum;
  } else {
    for (int k = lid; k < length; k += REDUCE_GROUP) out[k * inner] = exp(in[k * inner] - max) / sum;
  }
}
