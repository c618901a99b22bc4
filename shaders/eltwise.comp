#version 450
// Elementwise ops, one invocation per output element. Binary ops broadcast numpy-style: the
// host collapses the shapes to at most 6 dims and passes per-operand strides (0 = broadcast).
// OP codes match vulkan/eltwise.cpp.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(constant_id = 1) const int OP = 0;

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer A { float a_data[]; };
layout(std430, binding = 2) readonly buffer B { float b_data[]; };

layout(push_constant) uniform Params {
  uint count;
  uint rank;
  uint out_offset;
  uint a_offset;
  uint b_offset;
  float alpha;
  float beta;
  uint unused;
  uint dims[6];
  uint a_strides[6];
  uint b_strides[6];
} p;

bool is_odd_integer(float y) { return floor(y) == y && mod(y, 2.0) == 1.0; }

// numpy/IEEE pow: exact repeated multiplication for small integer exponents, signs for
// negative bases with integer exponents, NaN otherwise.
float pow_ieee(float x, float y) {
  if (y == 0.0) return 1.0;
  if (isnan(x) || isnan(y)) return nan_value();
  if (floor(y) == y && abs(y) <= 16.0) {
    float result = 1.0;
    for (int i = 0; i < int(abs(y)); ++i) result *= x;
    return y < 0.0 ? 1.0 / result : result;
  }
  if (x == 0.0) return y > 0.0 ? 0.0 : inf_value();
  if (x < 0.0 && floor(y) != y) return nan_value();
  const float magnitude = exp2(y * log2(abs(x)));
  return x < 0.0 && is_odd_integer(y) ? -magnitude : magnitude;
}

float unary(float x) {
  switch (OP) {
    case 8: return exp(x);
    case 9: return sqrt(x);
    case 10: return erf_approx(x);
    default: return apply_activation(OP, x, p.alpha, p.beta);   // codes 1-7, 0 = copy
  }
}

float binary(float a, float b) {
  switch (OP) {
    case 100: return a + b;
    case 101: return a - b;
    case 102: return a * b;
    case 103: return a / b;
    default: return pow_ieee(a, b);   // 104
  }
}

void main() {
  const uint i = invocation_index();
  if (i >= p.count) return;
  uint a_index = 0;
  uint b_index = 0;
  uint rest = i;
  for (int d = int(p.rank) - 1; d >= 0; --d) {
    const uint coordinate = rest % p.dims[d];
    rest /= p.dims[d];
    a_index += coordinate * p.a_strides[d];
    b_index += coordinate * p.b_strides[d];
  }
  const float a = a_data[p.a_offset + a_index];
  out_data[p.out_offset + i] = OP < 100 ? unary(a) : binary(a, b_data[p.b_offset + b_index]);
}
