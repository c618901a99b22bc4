// Shared by conv_pointwise_shallow.comp, conv_window_shallow.comp and conv_window_quad.comp:
// Conv layers with few inputs per output (K = C x taps, at most 32; group 1), which memory
// bounds. Each invocation gathers its K inputs for 2 neighbouring output positions (4 in
// conv_window_quad.comp) into registers and writes those positions of every output plane,
// so that each store of a subgroup covers consecutive bytes and x is read from memory about
// once; the weights sit in shared memory as [M][K_PAD], zero past K, every invocation
// reading the same vec4 at a time.
// Bindings 2 and 3 (weights, bias) are declared here; 0 (out) and 1 (x) by the shader.
// An invocation's outputs of one plane are an item_outputs: vec2, unless the shader defines
// it first.
#ifndef item_outputs
#define item_outputs vec2
#endif

layout(constant_id = 1) const int ACTIVATION = 0;  // vulkan/activation.h codes
layout(constant_id = 2) const uint K = 32;         // inputs per output, C x taps
layout(constant_id = 3) const uint M = 64;         // output channels
const uint K_PAD = (K + 3) / 4 * 4;

layout(std430, binding = 2) readonly buffer W { float w_data[]; };
layout(std430, binding = 3) readonly buffer B { float b_data[]; };

shared vec4 weights[M * K_PAD / 4];
shared float biases[M];

void load_shallow_weights(uint w_offset, uint b_offset, bool has_bias) {
  for (uint e = gl_LocalInvocationID.x; e < M * K_PAD / 4; e += gl_WorkGroupSize.x) {
    const uint o = e / (K_PAD / 4), k = (e % (K_PAD / 4)) * 4;
    vec4 v;
    [[unroll]] for (uint q = 0; q < 4; ++q) v[q] = k + q < K ? w_data[w_offset + o * K + k + q] : 0.0;
    weights[e] = v;
  }
  for (uint e = gl_LocalInvocationID.x; e < M; e += gl_WorkGroupSize.x) {
    biases[e] = has_bias ? b_data[b_offset + e] : 0.0;
  }
  barrier();
}

// Output channel o at the invocation's positions, bias and activation applied.
item_outputs shallow_sums(uint o, item_outputs xv[K_PAD], float alpha, float beta) {
  item_outputs sum = item_outputs(biases[o]);
  [[unroll]] for (uint k = 0; k < K_PAD; k += 4) {
    const vec4 w = weights[(o * K_PAD + k) / 4];
    sum = fma(item_outputs(w.x), xv[k], sum);
    sum = fma(item_outputs(w.y), xv[k + 1], sum);
    sum = fma(item_outputs(w.z), xv[k + 2], sum);
    sum = fma(item_outputs(w.w), xv[k + 3], sum);
  }
  [[unroll]] for (int j = 0; j < sum.length(); ++j) {
    sum[j] = apply_activation(ACTIVATION, sum[j], alpha, beta);
  }
  return sum;
}
