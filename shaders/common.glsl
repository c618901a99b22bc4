// Shared by every shader family (included with glslc -I shaders).
// Workgroup size: specialization constant 0 (set by the host, 64 by default).
layout(local_size_x_id = 0) in;

// The host spreads large dispatches over a 2-D grid of workgroups; this flattens it back.
uint invocation_index() {
  return gl_GlobalInvocationID.y * (gl_NumWorkGroups.x * gl_WorkGroupSize.x) + gl_GlobalInvocationID.x;
}

float nan_value() { return uintBitsToFloat(0x7fc00000u); }
float inf_value() { return uintBitsToFloat(0x7f800000u); }

// tanh through exp overflows to inf/inf = NaN for large |x| on some drivers; beyond 15 the
// float result is +-1 anyway.
float safe_tanh(float x) {
  return isnan(x) ? x : tanh(clamp(x, -15.0, 15.0));
}

float sigmoid(float x) { return 1.0 / (1.0 + exp(-x)); }

// erf: a Taylor series near 0 (relative error < 1e-7 for |x| < 0.5), else Abramowitz &
// Stegun 7.1.26 (absolute error < 1.5e-7). GLSL has no erf.
float erf_approx(float x) {
  if (isnan(x)) return x;
  const float ax = abs(x);
  if (ax < 0.5) {
    const float x2 = x * x;
    return 1.1283791671 * x *
           (1.0 + x2 * (-1.0 / 3.0 + x2 * (0.1 + x2 * (-1.0 / 42.0 + x2 * (1.0 / 216.0 + x2 * (-1.0 / 1320.0))))));
  }
  const float t = 1.0 / (1.0 + 0.3275911 * ax);
  const float poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const float result = 1.0 - poly * exp(-ax * ax);
  return x < 0.0 ? -result : result;
}

// ONNX Clip: min(max(x, low), high), so low > high gives high; NaN passes through.
// The isnan guard is needed: NVIDIA's compiler turns the selects into max/min, which drop
// NaN (the conformance suite caught Clip(NaN) = -1 on an H100).
float min_then_max(float x, float low, float high) {
  if (isnan(x)) return x;
  const float raised = x < low ? low : x;
  return raised > high ? high : raised;
}

// The activations the fusion pass may fold into a Conv (core/ops/op_util.h apply_activation);
// codes match kActivation* in vulkan/activation.h. NaN propagates through every one.
float apply_activation(int kind, float x, float alpha, float beta) {
  switch (kind) {
    case 1: return isnan(x) || x >= 0.0 ? x : 0.0;                      // Relu
    case 2: return isnan(x) || x >= 0.0 ? x : alpha * x;                // LeakyRelu
    case 3: return min_then_max(x, alpha, beta);                        // Clip
    case 4: return sigmoid(x);                                          // Sigmoid
    case 5: return isnan(x) ? x : clamp(alpha * x + beta, 0.0, 1.0);    // HardSigmoid
    case 6: return isnan(x) ? x : x * clamp(x / 6.0 + 0.5, 0.0, 1.0);   // HardSwish
    case 7: return safe_tanh(x);                                        // Tanh
    default: return x;
  }
}
