// Prepended to every program (see opencl/program_cache.cpp, embedded_program): the unary
// functions shared by eltwise and the activations fused into conv, and index helpers.
// The codes mirror enum class UnaryOp in opencl/op_codes.h; keep both lists in step.

// A program built for a plan holds the kernels the plan launches alone: it is built with
// -DKERNEL_LIST -DKERNEL_<name>=1 for each (opencl/executable.cpp), and each kernel of a
// file with several sits in `#if ALL_KERNELS || KERNEL_<name>`. NVIDIA JIT-compiles every
// kernel of a cached program at each load; without a list a program holds them all.
#ifdef KERNEL_LIST
#define ALL_KERNELS 0
#else
#define ALL_KERNELS 1
#endif

#define UNARY_IDENTITY 0
#define UNARY_RELU 1
#define UNARY_LEAKY_RELU 2
#define UNARY_CLIP 3
#define UNARY_SIGMOID 4
#define UNARY_HARD_SIGMOID 5
#define UNARY_HARD_SWISH 6
#define UNARY_TANH 7
#define UNARY_EXP 8
#define UNARY_LOG 9
#define UNARY_SQRT 10
#define UNARY_ABS 11
#define UNARY_NEG 12
#define UNARY_RECIPROCAL 13
#define UNARY_FLOOR 14
#define UNARY_CEIL 15
#define UNARY_ERF 16
#define UNARY_ELU 17
#define UNARY_SELU 18
#define UNARY_SOFTPLUS 19
#define UNARY_SOFTSIGN 20
#define UNARY_SIN 21
#define UNARY_COS 22
#define UNARY_GELU 23
#define UNARY_GELU_TANH 24
#define UNARY_ROUND 25
#define UNARY_SIGN 26

// clamp() may turn NaN into a bound (pocl gives 0); the reference lets NaN through.
float clamp01(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }

// A program is built with -DUNARY_OPS=<mask>, bit i set for each code its plan passes
// (opencl/op_codes.cpp); the other cases compile to nothing. Every call site inlines this
// switch, and NVIDIA JIT-compiles a cached program's PTX again at each load: with all 27
// cases (sin, cos, erf, tanh ...) it was most of a program's PTX and of its load time.
#ifndef UNARY_OPS
#define UNARY_OPS 0xffffffffu
#endif
#define UNARY_CASE(code) \
  case code:             \
    if (!((UNARY_OPS >> code) & 1u)) break;

// alpha and beta are the op's attributes: LeakyRelu/Elu alpha, Clip min/max,
// HardSigmoid alpha/beta, Selu alpha/gamma.
float unary_op(int op, float alpha, float beta, float x) {
  switch (op) {
    UNARY_CASE(UNARY_IDENTITY) return x;
    // Written so that NaN falls through to x, as in the reference (core/ops/eltwise.cpp).
    UNARY_CASE(UNARY_RELU) return x < 0.0f ? 0.0f : x;
    UNARY_CASE(UNARY_LEAKY_RELU) return x < 0.0f ? alpha * x : x;
    // min(max(x, low), high): low > high gives high.
    UNARY_CASE(UNARY_CLIP) {
      const float low = x < alpha ? alpha : x;
      return low > beta ? beta : low;
    }
    UNARY_CASE(UNARY_SIGMOID) return 1.0f / (1.0f + exp(-x));
    UNARY_CASE(UNARY_HARD_SIGMOID) return clamp01(alpha * x + beta);
    UNARY_CASE(UNARY_HARD_SWISH) return x * clamp01(x / 6.0f + 0.5f);
    UNARY_CASE(UNARY_TANH) return tanh(x);
    UNARY_CASE(UNARY_EXP) return exp(x);
    UNARY_CASE(UNARY_LOG) return log(x);
    UNARY_CASE(UNARY_SQRT) return sqrt(x);
    UNARY_CASE(UNARY_ABS) return fabs(x);
    UNARY_CASE(UNARY_NEG) return -x;
    UNARY_CASE(UNARY_RECIPROCAL) return 1.0f / x;
    UNARY_CASE(UNARY_FLOOR) return floor(x);
    UNARY_CASE(UNARY_CEIL) return ceil(x);
    UNARY_CASE(UNARY_ERF) return erf(x);
    UNARY_CASE(UNARY_ELU) return x >= 0.0f ? x : alpha * (exp(x) - 1.0f);
    UNARY_CASE(UNARY_SELU) return beta * (x > 0.0f ? x : alpha * (exp(x) - 1.0f));
    // log1p(exp(x)) overflows to inf in float long before the result does.
    UNARY_CASE(UNARY_SOFTPLUS) return x > 20.0f ? x : log1p(exp(x));
    UNARY_CASE(UNARY_SOFTSIGN) return x / (1.0f + fabs(x));
    UNARY_CASE(UNARY_SIN) return sin(x);
    UNARY_CASE(UNARY_COS) return cos(x);
    UNARY_CASE(UNARY_GELU) return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
    UNARY_CASE(UNARY_GELU_TANH)
      return 0.5f * x * (1.0f + tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    UNARY_CASE(UNARY_ROUND) return rint(x);
    UNARY_CASE(UNARY_SIGN) return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x);
  }
  return NAN;  // a code the program was not built for
}

// Offset of flat index `index` in a tensor of `rank` dims (shape[]) read through
// `strides` (0 where the tensor is broadcast).
int broadcast_offset(int index, int rank, global const int* shape, global const int* strides) {
  int offset = 0;
  for (int d = rank - 1; d >= 0; --d) {
    const int coordinate = index % shape[d];
    index /= shape[d];
    offset += coordinate * strides[d];
  }
  return offset;
}

// Work-group reductions for kernels that give one work group of `group` items to each row
// (softmax, normalization, reduce): a power of two, REDUCE_GROUP for most rows, up to
// REDUCE_MAX_GROUP for long ones (opencl/group_reduce.h). Each such kernel has two entry
// points: one fixed at REDUCE_GROUP items, a constant the compiler unrolls the tree by, and
// a `_wide` one that reads the launch's size. Every item of the group must call, with the
// same `op`.
#define REDUCE_GROUP 64
#define REDUCE_MAX_GROUP 256
#define REDUCE_SUM 0
#define REDUCE_MAX 1
#define REDUCE_MIN 2

float reduce_combine(int op, float a, float b) {
  if (op == REDUCE_MAX) return a > b ? a : b;
  if (op == REDUCE_MIN) return a < b ? a : b;
  return a + b;
}

float group_reduce(local float* scratch, float value, int op, int group) {
  const int lid = get_local_id(0);
  scratch[lid] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int width = group / 2; width > 0; width /= 2) {
    if (lid < width) scratch[lid] = reduce_combine(op, scratch[lid], scratch[lid + width]);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  const float result = scratch[0];
  barrier(CLK_LOCAL_MEM_FENCE);   // the next call reuses scratch
  return result;
}
