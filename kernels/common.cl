// Prepended to every program (see opencl/program_cache.cpp, embedded_program): the unary
// functions shared by eltwise and the activations fused into conv, and index helpers.
// The codes mirror enum class UnaryOp in opencl/unary_op.h; keep both lists in step.

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

// alpha and beta are the op's attributes: LeakyRelu/Elu alpha, Clip min/max,
// HardSigmoid alpha/beta, Selu alpha/gamma.
float unary_op(int op, float alpha, float beta, float x) {
  switch (op) {
    case UNARY_IDENTITY: return x;
    // Written so that NaN falls through to x, as in the reference (core/ops/eltwise.cpp).
    case UNARY_RELU: return x < 0.0f ? 0.0f : x;
    case UNARY_LEAKY_RELU: return x < 0.0f ? alpha * x : x;
    // min(max(x, low), high): low > high gives high.
    case UNARY_CLIP: {
      const float low = x < alpha ? alpha : x;
      return low > beta ? beta : low;
    }
    case UNARY_SIGMOID: return 1.0f / (1.0f + exp(-x));
    case UNARY_HARD_SIGMOID: return clamp01(alpha * x + beta);
    case UNARY_HARD_SWISH: return x * clamp01(x / 6.0f + 0.5f);
    case UNARY_TANH: return tanh(x);
    case UNARY_EXP: return exp(x);
    case UNARY_LOG: return log(x);
    case UNARY_SQRT: return sqrt(x);
    case UNARY_ABS: return fabs(x);
    case UNARY_NEG: return -x;
    case UNARY_RECIPROCAL: return 1.0f / x;
    case UNARY_FLOOR: return floor(x);
    case UNARY_CEIL: return ceil(x);
    case UNARY_ERF: return erf(x);
    case UNARY_ELU: return x >= 0.0f ? x : alpha * (exp(x) - 1.0f);
    case UNARY_SELU: return beta * (x > 0.0f ? x : alpha * (exp(x) - 1.0f));
    // log1p(exp(x)) overflows to inf in float long before the result does.
    case UNARY_SOFTPLUS: return x > 20.0f ? x : log1p(exp(x));
    case UNARY_SOFTSIGN: return x / (1.0f + fabs(x));
    case UNARY_SIN: return sin(x);
    case UNARY_COS: return cos(x);
    case UNARY_GELU: return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
    case UNARY_GELU_TANH:
      return 0.5f * x * (1.0f + tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    case UNARY_ROUND: return rint(x);
    case UNARY_SIGN: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x);
    default: return NAN;
  }
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
