// Conv as an implicit GEMM on GPUs, the OpenCL twin of shaders/conv_gemm.comp: built after
// gemm_tiled.cl (LOCAL_TILES 1, CONV_MODE and CONV_FLAGS set), whose tile loop it runs.
// Per group g (get_group_id(2)): y[g] (M/g x N) = W[g] (M/g x K) x X_col (K x N), with the
// columns N = (image, oh, ow) of the whole batch side by side, so that layers with few
// output positions still fill whole blocks. X_col is never built: each item loads the same
// column of it in every K step, split into image and window origin once (conv_column).
//   CONV_MODE 1  unpadded 1x1 stride 1: X_col[k, j] = x[image][c = k][position]
//   CONV_MODE 2  tap-major: the host reordered the weights to k = (kh, kw, c) and C/g is a
//                multiple of BK, so a K step stays in one tap, whose window position and
//                bounds are found once per step; each load is then an add
//   CONV_MODE 3  any other 1-D or 2-D layer: k = (c, kh, kw) split per load
// CONV_FLAGS: A_K_MAJOR when the host stored constant weights as [K][M/g] per group (M/g a
// multiple of 4), else VEC_A when K % 4 == 0 (weights as float4 rows); VEC_B in mode 1 when
// OH * OW % 4 == 0 (4 columns in one image). Bias and the fused activation are applied as
// the block is stored.
//
// Split-K (SPLIT_K 1, a program of its own so that other layers keep the simpler code), for
// layers with too few blocks to fill the GPU: get_group_id(2) is then group x splits +
// split, each split sums `split_k` of K (a multiple of BK) into its own copy of y in scratch
// memory, and conv_split_sum adds the copies, the bias and the activation. The copies are
// laid out as the GEMM's [channel][column], rows padded to a multiple of 4 (split_row), so
// that the first pass always stores float4s from registers, whatever the positions: with
// 49 of them (7x7) it had stored through store_conv_tile_any's rolled loops, which cost its
// program a 288-byte stack on the H100 (r133).
//
// p = [M/g, N, K, OH * OW, C * H * W, C/g, H * W, in_h, in_w, out_w, kernel_h, kernel_w,
//      stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, splits, split_k]; 1-D
// layers come as 2-D ones of height 1, and an unpadded 1x1 layer's input and output
// positions are H * W.

#ifndef SPLIT_K
#define SPLIT_K 0
#endif

#define CONV_POINTWISE 1
#define CONV_TAP_MAJOR 2
#define CONV_GATHER 3

// The item's column of B within the block: the same for every staged value when the group
// has a multiple of BN items (VEC_B: of BN / 4), which the host checks.
int column_in_block(int tid) {
  return (CONV_FLAGS & VEC_B) ? (tid % (BN / 4)) * 4 : tid % BN;
}

void conv_column(Operands* o, int j) {
  const int image = j / o->positions;
  const int position = j - image * o->positions;
  const int oh = position / o->out_w;
  o->column_inside = j < o->n;
  o->column_x = image * o->image_size + (CONV_MODE == CONV_POINTWISE ? position : 0);
  o->column_ih = oh * o->stride_h - o->pad_h;
  o->column_iw = (position - oh * o->out_w) * o->stride_w - o->pad_w;
  if (CONV_MODE == CONV_POINTWISE) o->column_x += o->k_begin * o->positions;
  const int tap = o->k_begin / o->channels;
  o->step_c0 = o->k_begin - tap * o->channels;
  o->step_kh = tap / o->kernel_w;
  o->step_kw = tap - o->step_kh * o->kernel_w;
}

// x's element of the item's column at channel c and tap (kh, kw); 0 outside the image.
float gather_x(const Operands* o, int c, int kh, int kw) {
  const int ih = o->column_ih + kh * o->dilation_h;
  const int iw = o->column_iw + kw * o->dilation_w;
  // Negative coordinates wrap to large unsigned ones: one comparison per bound.
  if (!o->column_inside || (uint)ih >= (uint)o->in_h || (uint)iw >= (uint)o->in_w) return 0.0f;
  return o->b[o->column_x + (c * o->in_h + ih) * o->in_w + iw];
}

// B's values for the K step at k0: the rows b_element gives, all in the item's column.
void fetch_conv_b(Operands* o, int k0, int tid, float* staged_b) {
#if CONV_MODE == CONV_TAP_MAJOR
  // K steps come in order, BK apart, and C/g is a multiple of BK: the tap advances after
  // every C/g, so it is counted here rather than divided out of k0 each step.
  const int c0 = o->step_c0, kh = o->step_kh, kw = o->step_kw;
  o->step_c0 += BK;
  if (o->step_c0 == o->channels) {
    o->step_c0 = 0;
    if (++o->step_kw == o->kernel_w) o->step_kw = 0, ++o->step_kh;
  }
  const int ih = o->column_ih + kh * o->dilation_h;
  const int iw = o->column_iw + kw * o->dilation_w;
  const bool inside = o->column_inside && k0 < o->k && (uint)ih < (uint)o->in_h &&
                      (uint)iw < (uint)o->in_w;
  const int first = inside ? o->column_x + (c0 * o->in_h + ih) * o->in_w + iw : 0;
#endif
#pragma unroll
  for (int s = 0; s < B_PER_ITEM; s += 4) {
#if CONV_MODE == CONV_POINTWISE
    if (CONV_FLAGS & VEC_B) {
      const int k = k0 + b_element(o, tid, s).x;
      const float4 v = o->column_inside && k < o->k
                           ? *(global const float4*)(o->b + o->column_x + k * o->positions)
                           : (float4)(0.0f);
      staged_b[s] = v.x, staged_b[s + 1] = v.y, staged_b[s + 2] = v.z, staged_b[s + 3] = v.w;
      continue;
    }
#endif
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const int k = k0 + b_element(o, tid, s + q).x;
#if CONV_MODE == CONV_POINTWISE
      staged_b[s + q] = o->column_inside && k < o->k ? o->b[o->column_x + k * o->positions] : 0.0f;
#elif CONV_MODE == CONV_TAP_MAJOR
      staged_b[s + q] = inside ? o->b[first + (k - k0) * o->plane] : 0.0f;
#else
      const int taps = o->kernel_h * o->kernel_w;
      const int c = (k + o->k_begin) / taps;
      const int tap = k + o->k_begin - c * taps;
      const int kh = tap / o->kernel_w;
      staged_b[s + q] = k < o->k ? gather_x(o, c, kh, tap - kh * o->kernel_w) : 0.0f;
#endif
    }
  }
}

int conv_splits(global const int* p) { return SPLIT_K ? p[18] : 1; }

Operands conv_operands(global const float* w, global const float* x, global const int* p,
                       int flags) {
  Operands o;
  o.m = p[0], o.n = p[1];
  o.positions = p[3], o.image_size = p[4], o.channels = p[5], o.plane = p[6];
  o.in_h = p[7], o.in_w = p[8], o.out_w = p[9], o.kernel_h = p[10], o.kernel_w = p[11];
  o.stride_h = p[12], o.stride_w = p[13], o.pad_h = p[14], o.pad_w = p[15];
  o.dilation_h = p[16], o.dilation_w = p[17];
  o.splits = conv_splits(p);
  const int group = get_group_id(2) / o.splits;
  o.k_begin = SPLIT_K ? (get_group_id(2) % o.splits) * p[19] : 0;
  o.k = SPLIT_K ? min(p[2] - o.k_begin, p[19]) : p[2];
  const bool k_major = CONV_FLAGS & A_K_MAJOR;
  o.a = w + group * o.m * p[2] + o.k_begin * (k_major ? o.m : 1);
  o.b = x + group * o.channels * o.plane;
  o.a_row = k_major ? 1 : p[2], o.a_k = k_major ? o.m : 1;
  o.b_k = o.positions, o.b_col = 1;
  o.flags = flags;
  return o;
}

// Where column j of the output starts: y[image][0][position]. Found after the K loop, so
// that nothing of it holds a register during the loop, of which 8 x 8 micro-tiles leave few.
int output_column(const Operands* o, int j) {
  const int channels = o->m * (get_num_groups(2) / o->splits);
  const int image = j / o->positions;
  return image * channels * o->positions + (j - image * o->positions);
}

// Writes the item's micro-tile with any activation, float4 at a time when VEC_OUT (then 4
// columns share an image). As in store_tile, the loops over the copied sums stay rolled.
void store_conv_tile_any(const Operands* o, const Epilogue* e, global float* y, int i0,
                         int j0, float acc[TM][TN]) {
  const int tid = get_local_id(0);
  const int tx = tid % THREADS_N, ty = tid / THREADS_N;
  float sums[TM][TN];
#pragma unroll
  for (int r = 0; r < TM; ++r) {
#pragma unroll
    for (int c = 0; c < TN; ++c) sums[r][c] = acc[r][c];
  }
#pragma unroll 1
  for (int c = 0; c < TN; c += 4) {
    const int j = j0 + tile_col(tx, c);
    if (j >= o->n) continue;
    const int column = output_column(o, j);
#pragma unroll 1
    for (int r = 0; r < TM; ++r) {
      const int i = i0 + tile_row(ty, r);
      if (i >= o->m) continue;
      float v[4];
#pragma unroll 1
      for (int q = 0; q < 4; ++q) v[q] = finish_sum(e, i, 0, sums[r][c + q]);
      if (o->flags & VEC_OUT) {
        *(global float4*)(y + column + i * o->positions) = vload4(0, v);
        continue;
      }
#pragma unroll 1
      for (int q = 0; q < 4 && j + q < o->n; ++q) {
        y[output_column(o, j + q) + i * o->positions] = v[q];
      }
    }
  }
}

// Split-K's copies: the raw sums at [channel][column] with rows of split_row(n) floats.
int split_row(int n) { return (n + 3) / 4 * 4; }

void store_split_copy(const Operands* o, global float* y, int i0, int j0, float acc[TM][TN]) {
  const int tid = get_local_id(0);
  const int tx = tid % THREADS_N, ty = tid / THREADS_N;
  const int row = split_row(o->n);
#pragma unroll
  for (int c = 0; c < TN; c += 4) {
    const int j = j0 + tile_col(tx, c);
    if (j >= o->n) continue;
#pragma unroll
    for (int r = 0; r < TM; ++r) {
      const int i = i0 + tile_row(ty, r);
      if (i < o->m) {
        *(global float4*)(y + i * row + j) =
            (float4)(acc[r][c], acc[r][c + 1], acc[r][c + 2], acc[r][c + 3]);
      }
    }
  }
}

// Identity, Relu and Clip, the activations convs carry, as one clamp (x < low ? low : x,
// then > high ? high : x, so NaN passes as in unary_op). Others return false.
bool clamp_bounds(const Epilogue* e, float* low, float* high) {
  *low = -INFINITY, *high = INFINITY;
  if (e->activation == UNARY_RELU) *low = 0.0f;
  if (e->activation == UNARY_CLIP) *low = e->act_alpha, *high = e->act_beta;
  return e->activation == UNARY_IDENTITY || e->activation == UNARY_RELU ||
         e->activation == UNARY_CLIP;
}

// Writes the micro-tile. With a clamp activation and float4 stores the loops are unrolled,
// so the sums stay in registers: on the H100 that took 1x1 128->128 at 56x56 from 28.1% of
// FP32 peak to 42.2% (64 x 128 / 8 x 8), 3x3 64->64 from 40.0 to 46.2%.
void store_conv_tile(const Operands* o, const Epilogue* e, global float* y, int i0, int j0,
                     float acc[TM][TN]) {
  float low, high;
  if (!(o->flags & VEC_OUT) || !clamp_bounds(e, &low, &high)) {
    store_conv_tile_any(o, e, y, i0, j0, acc);
    return;
  }
  const int tid = get_local_id(0);
  const int tx = tid % THREADS_N, ty = tid / THREADS_N;
#pragma unroll
  for (int c = 0; c < TN; c += 4) {
    const int j = j0 + tile_col(tx, c);
    if (j >= o->n) continue;
    global float* column = y + output_column(o, j);
#pragma unroll
    for (int r = 0; r < TM; ++r) {
      const int i = i0 + tile_row(ty, r);
      if (i >= o->m) continue;
      const float bias = e->has_c ? e->c[i] : 0.0f;
      float4 v = (float4)(acc[r][c], acc[r][c + 1], acc[r][c + 2], acc[r][c + 3]) + bias;
      v = select(v, (float4)(low), v < low);
      v = select(v, (float4)(high), v > high);
      *(global float4*)(column + i * o->positions) = v;
    }
  }
}

#if ALL_KERNELS || KERNEL_conv_tiled
// REGISTER_CAP: the host caps the program's registers (-cl-nv-maxrregcount; split programs
// and 64 x 128 / 8 x 8 ones on NVIDIA) so that the blocks its wave counts fit on a
// multiprocessor. NVIDIA's compiler ignores that cap for kernels with launch bounds, which
// reqd_work_group_size becomes (.reqntid): with it, the 7x7 split program took 189
// registers, two blocks a multiprocessor where three were counted (r138, r139).
#ifndef REGISTER_CAP
#define REGISTER_CAP 0
#endif
#if REGISTER_CAP
kernel
#else
kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
#endif
void conv_tiled(global const float* x, int x_off, global const float* w, int w_off,
                global const float* bias, int bias_off, int has_bias, global float* y, int y_off,
                global const int* p, int p_off, int flags, int activation, float act_alpha,
                float act_beta) {
  local float4 tile_a[TILE_A_VECS];
  local float4 tile_b[TILE_B_VECS];
  Operands o = conv_operands(w + w_off, x + x_off, p + p_off, flags);
  const int i0 = get_group_id(1) * BM, j0 = get_group_id(0) * BN;
  conv_column(&o, j0 + column_in_block(get_local_id(0)));
  float acc[TM][TN];
  clear_tile(acc);
  multiply_block(&o, i0, j0, tile_a, tile_b, acc);
  const int group_rows = get_group_id(2) / o.splits * o.m;
#if SPLIT_K
  const int channels = o.m * (get_num_groups(2) / o.splits);
  const int split = get_group_id(2) % o.splits;
  store_split_copy(&o, y + y_off + (split * channels + group_rows) * split_row(o.n), i0, j0,
                   acc);
#else
  const Epilogue e = {bias + bias_off + group_rows, has_bias, 1, 0, 1.0f,
                      1.0f, activation, act_alpha, act_beta};
  store_conv_tile(&o, &e, y + y_off + group_rows * o.positions, i0, j0, acc);
#endif
}
#endif

// Split-K's second pass: y = act(the splits' copies + bias), y [image][channel][position] of
// `n` columns (image, position) a channel, each copy [channel][split_row(n)] (store_split_copy).
// An item takes 4 columns of one channel, and issues the float4 loads of up to MAX_SPLITS
// copies together (the loop is unrolled): with one scalar load in flight an item the pass had
// read 1.3-1.7 TB/s on the H100 (r124).
#define MAX_SPLITS 8  // opencl/gemm_tiling.cpp's kMaxSplits

#if ALL_KERNELS || KERNEL_conv_split_sum
kernel void conv_split_sum(global const float* partial, int partial_off, global const float* bias,
                           int bias_off, int has_bias, global float* y, int y_off, int channels,
                           int n, int splits, int positions, int activation, float act_alpha,
                           float act_beta) {
  const int quads = split_row(n) / 4;
  const int item = get_global_id(0);
  if (item >= channels * quads) return;
  const int channel = item / quads, j = (item - channel * quads) * 4;
  global const float4* copies = (global const float4*)(partial + partial_off) + item;
  const int copy = channels * quads;
  float4 sum = copies[0];
#pragma unroll
  for (int s = 1; s < MAX_SPLITS; ++s) {
    if (s < splits) sum += copies[s * copy];
  }
  for (int s = MAX_SPLITS; s < splits; ++s) sum += copies[s * copy];
  if (has_bias) sum += bias[bias_off + channel];
  float v[4] = {sum.x, sum.y, sum.z, sum.w};
#pragma unroll
  for (int q = 0; q < 4; ++q) v[q] = unary_op(activation, act_alpha, act_beta, v[q]);
  int image = j / positions, position = j - image * positions;
  y += y_off;
  if (positions % 4 == 0) {  // the 4 columns lie in one image
    vstore4(vload4(0, v), 0, y + (image * channels + channel) * positions + position);
    return;
  }
  for (int q = 0; q < 4 && j + q < n; ++q, ++position) {
    if (position == positions) position = 0, ++image;
    y[(image * channels + channel) * positions + position] = v[q];
  }
}
#endif
