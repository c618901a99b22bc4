// Elementwise ops: one work item per output element.

#if ALL_KERNELS || KERNEL_unary
kernel void unary(global const float* x, int x_off, global float* y, int y_off, int count,
                  int op, float alpha, float beta) {
  const int i = get_global_id(0);
  if (i >= count) return;
  y[y_off + i] = unary_op(op, alpha, beta, x[x_off + i]);
}
#endif

// Codes mirror enum class BinaryOp in opencl/op_codes.h.
#define BINARY_ADD 0
#define BINARY_SUB 1
#define BINARY_MUL 2
#define BINARY_DIV 3
#define BINARY_POW 4
#define BINARY_MAX 5
#define BINARY_MIN 6
#define BINARY_PRELU 7

// As unary_op (common.cl): -DBINARY_OPS=<mask> keeps the codes the plan passes (pow alone
// is most of this file's PTX).
#ifndef BINARY_OPS
#define BINARY_OPS 0xffffffffu
#endif
#define BINARY_CASE(code) \
  case code:              \
    if (!((BINARY_OPS >> code) & 1u)) break;

float binary_op(int op, float a, float b) {
  switch (op) {
    BINARY_CASE(BINARY_ADD) return a + b;
    BINARY_CASE(BINARY_SUB) return a - b;
    BINARY_CASE(BINARY_MUL) return a * b;
    BINARY_CASE(BINARY_DIV) return a / b;
    BINARY_CASE(BINARY_POW) return pow(a, b);
    // NaN propagates, as in numpy's maximum/minimum (fmax would drop it).
    BINARY_CASE(BINARY_MAX) return isnan(a) || isnan(b) ? NAN : fmax(a, b);
    BINARY_CASE(BINARY_MIN) return isnan(a) || isnan(b) ? NAN : fmin(a, b);
    BINARY_CASE(BINARY_PRELU) return a < 0.0f ? a * b : a;
  }
  return NAN;  // a code the program was not built for
}

// p = [rank, shape..., a strides..., b strides...] (opencl/broadcast_layout.h).
#if ALL_KERNELS || KERNEL_binary
kernel void binary(global const float* a, int a_off, global const float* b, int b_off,
                   global float* y, int y_off, global const int* p, int p_off, int count,
                   int op, float scale) {
  const int i = get_global_id(0);
  if (i >= count) return;
  p += p_off;
  const int rank = p[0];
  const float av = a[a_off + broadcast_offset(i, rank, p + 1, p + 1 + rank)];
  const float bv = b[b_off + broadcast_offset(i, rank, p + 1, p + 1 + 2 * rank)];
  y[y_off + i] = binary_op(op, av, bv) * scale;
}
#endif

// Where: condition stored as int (a constant uploaded as int32).
#if ALL_KERNELS || KERNEL_where_select
kernel void where_select(global const int* c, int c_off, global const float* a, int a_off,
                         global const float* b, int b_off, global float* y, int y_off,
                         global const int* p, int p_off, int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  p += p_off;
  const int rank = p[0];
  const int cv = c[c_off + broadcast_offset(i, rank, p + 1, p + 1 + rank)];
  const float av = a[a_off + broadcast_offset(i, rank, p + 1, p + 1 + 2 * rank)];
  const float bv = b[b_off + broadcast_offset(i, rank, p + 1, p + 1 + 3 * rank)];
  y[y_off + i] = cv != 0 ? av : bv;
}
#endif
