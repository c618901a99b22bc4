// Data movement: strided copies (reshapes, Transpose, Slice, Concat), Gather and Pad.
// One work item per element walked.

// p = [rank, shape..., x strides..., y strides...]: element i of the walk reads x at
// x_off + its x offset and writes y at y_off + its y offset (strides may be negative).
#if ALL_KERNELS || KERNEL_copy_strided
kernel void copy_strided(global const float* x, int x_off, global float* y, int y_off,
                         global const int* p, int p_off, int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  p += p_off;
  const int rank = p[0];
  y[y_off + broadcast_offset(i, rank, p + 1, p + 1 + 2 * rank)] =
      x[x_off + broadcast_offset(i, rank, p + 1, p + 1 + rank)];
}
#endif

// y[outer][j][inner] = x[outer][indices[j]][inner]; negative indices count from the end.
#if ALL_KERNELS || KERNEL_gather
kernel void gather(global const float* x, int x_off, global const int* indices, int indices_off,
                   global float* y, int y_off, int count, int axis_dim, int index_count,
                   int inner) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const int k = i % inner;
  const int j = (i / inner) % index_count;
  const int outer = i / (inner * index_count);
  int index = indices[indices_off + j];
  if (index < 0) index += axis_dim;
  index = clamp(index, 0, axis_dim - 1);   // checked on the host; never read out of bounds
  y[y_off + i] = x[x_off + (outer * axis_dim + index) * inner + k];
}
#endif

#define PAD_CONSTANT 0
#define PAD_REFLECT 1
#define PAD_EDGE 2

// Input position read by padded position `i` (already shifted by the leading pad), or -1
// for the constant; reflect mirrors about the edge elements without repeating them.
int pad_source(int i, int dim, int mode) {
  if (i >= 0 && i < dim) return i;
  if (mode == PAD_CONSTANT) return -1;
  if (mode == PAD_EDGE || dim == 1) return i < 0 ? 0 : dim - 1;
  const int period = 2 * (dim - 1);
  const int m = ((i % period) + period) % period;
  return m < dim ? m : period - m;
}

// p = [rank, output shape..., input shape..., leading pads...].
#if ALL_KERNELS || KERNEL_pad
kernel void pad(global const float* x, int x_off, global float* y, int y_off, global const int* p,
                int p_off, int count, int mode, float value) {
  const int i = get_global_id(0);
  if (i >= count) return;
  p += p_off;
  const int rank = p[0];
  global const int* out_shape = p + 1;
  global const int* in_shape = p + 1 + rank;
  global const int* pads = p + 1 + 2 * rank;
  int rest = i;
  int offset = 0;
  int stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    const int coordinate = rest % out_shape[d];
    rest /= out_shape[d];
    const int source = pad_source(coordinate - pads[d], in_shape[d], mode);
    if (source < 0) {
      y[y_off + i] = value;
      return;
    }
    offset += source * stride;
    stride *= in_shape[d];
  }
  y[y_off + i] = x[x_off + offset];
}
#endif
