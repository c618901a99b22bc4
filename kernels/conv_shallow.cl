// Conv layers with few inputs per output (K = C x taps, at most 32; group 1), which memory
// bounds: each output position does 2 x K x M flops for about 4 x (K + M) bytes moved, 10.7
// a byte for a 1x1 32->64 layer, where the H100 needs 20 to be bound by its FP32 peak. Each
// work item gathers its K inputs for 2 neighbouring output positions (4 with quad rows) into
// registers and writes those positions of every output plane, so that, as in a plain copy,
// each store of a warp covers consecutive bytes and x is read from memory about once; the
// weights sit in local memory, every item reading the same float4 at a time (a broadcast).
// On the H100, at batch 64, this ran 1x1 32->64 at 112x112 at 41.0% of FP32 peak and the
// 3x3 s2 3->32 stem at 36.9-37.4% with quad rows (34.0% with a load per tap), against 35.3%
// and 14.5% for the implicit GEMM's tile loop; for 1x1 32->64, one position per item or 4
// was slower, and so were weights in constant memory (shallow-conv-2026-11-25.md,
// stem-2026-11-25.md and stem-4-outputs-2026-11-25.md in the H100 results).
// Built per layer: -DK_IN= (C x taps) -DK_PAD= (K_IN rounded up to 4) -DM_OUT= (output
// channels); conv_window_shallow also -DCHANNELS= -DKH= -DKW= -DQUAD_ROWS=0|1.

// An item's outputs of one plane: 4 neighbouring ones with quad rows, else 2.
#if QUAD_ROWS
typedef float4 item_outputs;
#define ITEM_OUTPUTS 4
#else
typedef float2 item_outputs;
#define ITEM_OUTPUTS 2
#endif

#if ALL_KERNELS || KERNEL_conv_pointwise_shallow || KERNEL_conv_window_shallow
// The weights as [M_OUT][K_PAD], zero past K_IN, and the biases (zero without). Each
// iteration waits for its load: whole float4s where K_IN allows (scalar loads, 4 times as
// many, slowed 1x1 32->64 at batch 64 from 40.9% of the H100's peak to 37.7%, r80).
void load_shallow_weights(local float4* weights, local float* biases, global const float* w,
                          global const float* bias, int has_bias) {
#if K_IN == K_PAD
  for (int i = get_local_id(0); i < M_OUT * K_PAD / 4; i += get_local_size(0)) {
    weights[i] = vload4(i, w);
  }
#else
  for (int i = get_local_id(0); i < M_OUT * K_PAD / 4; i += get_local_size(0)) {
    const int o = i / (K_PAD / 4), k = i % (K_PAD / 4) * 4;
    global const float* wo = w + o * K_IN + k;
    weights[i] = (float4)(wo[0], k + 1 < K_IN ? wo[1] : 0.0f, k + 2 < K_IN ? wo[2] : 0.0f,
                          k + 3 < K_IN ? wo[3] : 0.0f);
  }
#endif
  for (int i = get_local_id(0); i < M_OUT; i += get_local_size(0)) {
    biases[i] = has_bias ? bias[i] : 0.0f;
  }
  barrier(CLK_LOCAL_MEM_FENCE);
}

// The item's outputs of every output channel o, from y[o * plane] on: with quad rows 4 as one
// float4 (y 16-byte aligned and plane a multiple of 4), else 2, the second only if `both`.
// The output loop is unrolled by 2 with 4 outputs an item, by 4 with 2: each the fastest on
// the H100 (r87, r90).
void store_shallow_sums(const item_outputs* xv, local const float4* weights,
                        local const float* biases, global float* y, size_t plane, int both,
                        int activation, float alpha, float beta) {
#if QUAD_ROWS
#pragma unroll 2
#else
#pragma unroll 4
#endif
  for (int o = 0; o < M_OUT; ++o) {
    item_outputs sum = (item_outputs)(biases[o]);
    // Lanes past K_IN are skipped at compile time, where the stem (K_IN = 27) spent one fma in
    // 28 on a padding zero: on the H100 37.8-38.0% of FP32 peak -> 38.3-38.6% at batch 64,
    // 34.0-34.3% -> 34.3-34.7% at 16. Vulkan's shaders lost 0.1-0.3 points that way (r179).
#pragma unroll
    for (int k = 0; k < K_PAD; k += 4) {
      const float4 wv = weights[(o * K_PAD + k) / 4];
      sum = fma((item_outputs)(wv.x), xv[k], sum);
      if (k + 1 < K_IN) sum = fma((item_outputs)(wv.y), xv[k + 1], sum);
      if (k + 2 < K_IN) sum = fma((item_outputs)(wv.z), xv[k + 2], sum);
      if (k + 3 < K_IN) sum = fma((item_outputs)(wv.w), xv[k + 3], sum);
    }
    sum.x = unary_op(activation, alpha, beta, sum.x);
    sum.y = unary_op(activation, alpha, beta, sum.y);
    global float* out = y + (size_t)o * plane;
#if QUAD_ROWS
    sum.z = unary_op(activation, alpha, beta, sum.z);
    sum.w = unary_op(activation, alpha, beta, sum.w);
    *(global float4*)out = sum;
#else
    if (both) {
      vstore2(sum, 0, out);
    } else {
      out[0] = sum.x;
    }
#endif
  }
}
#endif

// A quad-row program holds the window kernel alone.
#if (ALL_KERNELS || KERNEL_conv_pointwise_shallow) && !QUAD_ROWS
// Unpadded 1x1, stride 1: items cover images x positions / 2 pairs of neighbouring positions;
// positions (per image) must be even. K_IN = C is a multiple of 4.
kernel void conv_pointwise_shallow(global const float* x, int x_off, global const float* w,
                                   int w_off, global const float* bias, int bias_off,
                                   int has_bias, global float* y, int y_off, int positions,
                                   int pairs, int activation, float alpha, float beta) {
  local float4 weights[M_OUT * K_PAD / 4];
  local float biases[M_OUT];
  load_shallow_weights(weights, biases, w + w_off, bias + bias_off, has_bias);
  const int pair = get_global_id(0);
  if (pair >= pairs) return;
  const int image = pair * 2 / positions;
  const int position = pair * 2 - image * positions;
  global const float* xi = x + x_off + (size_t)image * K_IN * positions + position;
  float2 xv[K_PAD];
#pragma unroll
  for (int c = 0; c < K_IN; ++c) xv[c] = vload2(0, xi + (size_t)c * positions);
  store_shallow_sums(xv, weights, biases, y + y_off + (size_t)image * M_OUT * positions + position,
                     positions, 1, activation, alpha, beta);
}
#endif

#if ALL_KERNELS || KERNEL_conv_window_shallow
// Any 2-D window (1-D as height 1): items cover images x output rows x row_items runs of
// ITEM_OUTPUTS neighbouring outputs of a row; without quad rows, the last of an odd row is
// alone. Taps outside x read zero.
// p = [in_h, in_w, out_h, out_w, row_items, stride_h, stride_w, pad_h, pad_w, dilation_h,
//      dilation_w]
kernel void conv_window_shallow(global const float* x, int x_off, global const float* w,
                                int w_off, global const float* bias, int bias_off, int has_bias,
                                global float* y, int y_off, global const int* p, int p_off,
                                int count, int activation, float alpha, float beta) {
  local float4 weights[M_OUT * K_PAD / 4];
  local float biases[M_OUT];
  // The inputs are loaded before the weights' copy and barrier, so that their latencies
  // overlap; items past the end load the last item's and skip the store. On the H100 that took
  // the stem from 32.3-32.4% of FP32 peak to 34.0% at batch 16 and from 37.0-37.4% to
  // 37.9-38.1% at batch 64; the pointwise kernel lost that way (1x1 32->64 at batch 64: 40.9%
  // -> 38.5%; r162, stem-inputs-first-2026-11-26.md in the H100 results).
  const int id = get_global_id(0);
  const int item = min(id, count - 1);
  p += p_off;
  const int in_h = p[0], in_w = p[1], out_h = p[2], out_w = p[3], row_items = p[4];
  const int row = item / row_items;  // image * out_h + oh
  const int ow = (item - row * row_items) * ITEM_OUTPUTS;
  const int image = row / out_h;
  const int ih0 = (row - image * out_h) * p[5] - p[7];
  const int iw0 = ow * p[6] - p[8];
  global const float* xi = x + x_off + (size_t)image * CHANNELS * in_h * in_w;
  item_outputs xv[K_PAD];
#pragma unroll
  for (int c = 0; c < CHANNELS; ++c) {
#pragma unroll
    for (int kh = 0; kh < KH; ++kh) {
      const int ih = ih0 + kh * p[9];
      // Negative coordinates wrap to large unsigned ones: one comparison per bound.
      const bool row_in = (uint)ih < (uint)in_h;
      global const float* xr = xi + ((size_t)c * in_h + ih) * in_w;
#if QUAD_ROWS
      // Core's has_quad_rows: the 9 columns of the item's 4 outputs are iw0 and the two
      // float4s after it, which start on multiples of 4 columns: 3 loads where the taps make
      // 12. iw0 is the last of the float4 before them, read whole as Vulkan's shader reads it
      // (one view of x there; the same speed as a scalar load here, r168). Column j feeds
      // output j / 2 at tap j % 2 and, if j is even, output j / 2 - 1 at tap 2.
      const float left = row_in && iw0 >= 0 ? ((global const float4*)(xr + iw0 - 3))->w : 0.0f;
      const float4 a = row_in ? *(global const float4*)(xr + iw0 + 1) : (float4)(0.0f);
      const float4 b = row_in ? *(global const float4*)(xr + iw0 + 5) : (float4)(0.0f);
      xv[(c * KH + kh) * 3] = (float4)(left, a.y, a.w, b.y);
      xv[(c * KH + kh) * 3 + 1] = (float4)(a.x, a.z, b.x, b.z);
      xv[(c * KH + kh) * 3 + 2] = (float4)(a.y, a.w, b.y, b.w);
#else
#pragma unroll
      for (int kw = 0; kw < KW; ++kw) {
        const int iw = iw0 + kw * p[10];
        xv[(c * KH + kh) * KW + kw] =
            (float2)(row_in && (uint)iw < (uint)in_w ? xr[iw] : 0.0f,
                     row_in && (uint)(iw + p[6]) < (uint)in_w ? xr[iw + p[6]] : 0.0f);
      }
#endif
    }
  }
  load_shallow_weights(weights, biases, w + w_off, bias + bias_off, has_bias);
  if (id >= count) return;
  const size_t plane = (size_t)out_h * out_w;
  store_shallow_sums(xv, weights, biases,
                     y + y_off + (size_t)image * M_OUT * plane + (row - image * out_h) * out_w + ow,
                     plane, ow + 1 < out_w, activation, alpha, beta);
}
#endif
