// Batched matrix products for MatMul, Gemm and 1x1 Conv:
//   y[batch][m][n] = act(alpha * sum_k A[m][k] * B[k][n] + beta * C[m][n])
// A, B and C are read through strides, so transposes, broadcast batches and a bias row or
// column need no copies. y is contiguous.
//
// p = [M, N, K, a_row, a_col, b_row, b_col, c_row, c_col, batch_rank,
//      batch shape..., a batch strides..., b batch strides...]

typedef struct {
  int a_base, b_base;
} BatchBases;

BatchBases batch_bases(global const int* p, int batch) {
  const int rank = p[9];
  BatchBases bases;
  bases.a_base = broadcast_offset(batch, rank, p + 10, p + 10 + rank);
  bases.b_base = broadcast_offset(batch, rank, p + 10, p + 10 + 2 * rank);
  return bases;
}

float finish(global const float* c, int c_off, int has_c, global const int* p, int m, int n,
             float sum, float alpha, float beta, int activation, float act_alpha, float act_beta) {
  float value = alpha * sum;
  if (has_c) value += beta * c[c_off + m * p[7] + n * p[8]];
  return unary_op(activation, act_alpha, act_beta, value);
}

// One work item per output element: for small or thin products.
#if ALL_KERNELS || KERNEL_matmul
kernel void matmul(global const float* a, int a_off, global const float* b, int b_off,
                   global const float* c, int c_off, int has_c, global float* y, int y_off,
                   global const int* p, int p_off, int count, float alpha, float beta,
                   int activation, float act_alpha, float act_beta) {
  const int i = get_global_id(0);
  if (i >= count) return;
  p += p_off;
  const int rows = p[0], columns = p[1], depth = p[2];
  const int n = i % columns;
  const int m = (i / columns) % rows;
  const BatchBases bases = batch_bases(p, i / (rows * columns));
  global const float* a_row = a + a_off + bases.a_base + m * p[3];
  global const float* b_column = b + b_off + bases.b_base + n * p[6];
  float sum = 0.0f;
  for (int k = 0; k < depth; ++k) sum += a_row[k * p[4]] * b_column[k * p[5]];
  y[y_off + i] = finish(c, c_off, has_c, p, m, n, sum, alpha, beta, activation, act_alpha, act_beta);
}
#endif

#define TILE 16

// 16x16 output tiles, staging 16x16 blocks of A and B in local memory so each global value
// is read once per tile instead of once per output. Global size: (N, M, batches) rounded
// up to tiles; items past the edge load zeros and write nothing.
#if ALL_KERNELS || KERNEL_matmul_tiled
kernel __attribute__((reqd_work_group_size(TILE, TILE, 1)))
void matmul_tiled(global const float* a, int a_off, global const float* b, int b_off,
                  global const float* c, int c_off, int has_c, global float* y, int y_off,
                  global const int* p, int p_off, int batches, float alpha, float beta,
                  int activation, float act_alpha, float act_beta) {
  local float a_tile[TILE][TILE + 1];   // +1 keeps column reads off one bank
  local float b_tile[TILE][TILE + 1];
  p += p_off;
  const int rows = p[0], columns = p[1], depth = p[2];
  const int n = get_global_id(0), m = get_global_id(1), batch = get_global_id(2);
  const int tx = get_local_id(0), ty = get_local_id(1);
  const BatchBases bases = batch_bases(p, batch);
  float sum = 0.0f;
  for (int k0 = 0; k0 < depth; k0 += TILE) {
    const int ka = k0 + tx;
    const int kb = k0 + ty;
    a_tile[ty][tx] = (m < rows && ka < depth)
                         ? a[a_off + bases.a_base + m * p[3] + ka * p[4]] : 0.0f;
    b_tile[ty][tx] = (kb < depth && n < columns)
                         ? b[b_off + bases.b_base + kb * p[5] + n * p[6]] : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < TILE; ++k) sum += a_tile[ty][k] * b_tile[k][tx];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (m < rows && n < columns && batch < batches) {
    y[y_off + (batch * rows + m) * columns + n] =
        finish(c, c_off, has_c, p, m, n, sum, alpha, beta, activation, act_alpha, act_beta);
  }
}
#endif
