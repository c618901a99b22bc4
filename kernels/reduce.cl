// ReduceSum, ReduceMean, ReduceMax, ReduceMin: one work group per output element, its
// items striding over the reduced elements, then a tree reduction in local memory.
//
// p = [kept rank, kept shape..., kept strides..., reduced rank, reduced shape...,
//      reduced strides...]: strides are the input's, so output element o reads
//      x[kept offset of o + reduced offset of r] for every reduced position r.
inline void reduce_output(global const float* x, int x_off, global float* y, int y_off,
                          global const int* p, int p_off, int outputs, int reduced_count, int op,
                          float scale, local float* scratch, int group) {
  const int o = get_group_id(0);
  const int lid = get_local_id(0);
  if (o >= outputs) return;   // whole groups only: the barriers below stay uniform
  p += p_off;
  const int kept_rank = p[0];
  global const int* reduced = p + 1 + 2 * kept_rank;
  const int reduced_rank = reduced[0];
  const int base = x_off + broadcast_offset(o, kept_rank, p + 1, p + 1 + kept_rank);
  float partial = op == REDUCE_MAX ? -INFINITY : (op == REDUCE_MIN ? INFINITY : 0.0f);
  // Loops run equally often in every item (see kernels/softmax.cl for the pocl bug).
  for (int r0 = 0; r0 < reduced_count; r0 += group) {
    const int r = r0 + lid;
    if (r >= reduced_count) continue;
    const float value = x[base + broadcast_offset(r, reduced_rank, reduced + 1, reduced + 1 + reduced_rank)];
    partial = reduce_combine(op, partial, value);
  }
  const float result = group_reduce(scratch, partial, op, group);
  if (lid == 0) y[y_off + o] = result * scale;
}

#if ALL_KERNELS || KERNEL_reduce
kernel __attribute__((reqd_work_group_size(REDUCE_GROUP, 1, 1)))
void reduce(global const float* x, int x_off, global float* y, int y_off, global const int* p,
            int p_off, int outputs, int reduced_count, int op, float scale) {
  local float scratch[REDUCE_GROUP];
  reduce_output(x, x_off, y, y_off, p, p_off, outputs, reduced_count, op, scale, scratch,
                REDUCE_GROUP);
}
#endif

#if ALL_KERNELS || KERNEL_reduce_wide
kernel void reduce_wide(global const float* x, int x_off, global float* y, int y_off,
                        global const int* p, int p_off, int outputs, int reduced_count, int op,
                        float scale) {
  local float scratch[REDUCE_MAX_GROUP];
  reduce_output(x, x_off, y, y_off, p, p_off, outputs, reduced_count, op, scale, scratch,
                get_local_size(0));
}
#endif
