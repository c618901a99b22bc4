// Register-blocked products: MatMul/Gemm (matmul_blocked) and Conv as an implicit GEMM
// (conv_blocked), the OpenCL twin of shaders/gemm_tile.glsl. A work group computes a
// BM x BN block of y = A[M, K] x B[K, N]; each work item keeps a TM x TN micro-tile in
// registers. gemm.cl's simple kernels stay the exact fallback for small and odd shapes.
//
// Tile sizes come in the build options (opencl/gemm_tiling.cpp picks them per device):
//   BM, BN, BK, TM, TN   block, K step, micro-tile (TM and TN multiples of 4, TN <= 16)
//   LOCAL_TILES 1        the group stages each K step of A and B in local memory, the
//                        next step's global loads in flight while this one multiplies (GPUs)
//   LOCAL_TILES 0        no local memory and no barrier: each item reads its rows of A and
//                        columns of B straight from global memory, K in one sweep, B as
//                        TN-wide vectors (CPUs: pocl runs a group as a loop over its items
//                        and keeps values live across a barrier in memory, so a barrier
//                        would take the accumulators out of registers; the caches do what
//                        local memory does on a GPU)
//   VECTOR_OPERANDS 1    (with LOCAL_TILES) only products with VEC_A and VEC_B run here
//   CONV_MODE 1 to 3     (with LOCAL_TILES) the program is kernels/conv_tiled.cl's, built
//                        after this file: its kernels here are left out, B comes from
//                        fetch_conv_b and the flags are the constant CONV_FLAGS
//
// p = [M, N, K, a_row, a_col, b_row, b_col, c_row, c_col, batch_rank,
//      batch shape..., a batch strides..., b batch strides..., conv geometry (conv_blocked)]
// The defaults below only keep the file buildable without options. Products are written
// a * b + c: OpenCL C contracts that to one fma where the hardware has it (FP_CONTRACT is on
// by default), whereas fma() would be emulated in software on a CPU without FMA units.

#ifndef BM
#define BM 64
#define BN 64
#define BK 16
#define TM 4
#define TN 4
#define LOCAL_TILES 1
#endif
#ifndef VECTOR_OPERANDS
#define VECTOR_OPERANDS 0
#endif
#ifndef CONV_MODE
#define CONV_MODE 0
#endif

#define THREADS_M (BM / TM)
#define THREADS_N (BN / TN)
#define THREADS (THREADS_M * THREADS_N)
#define A_PER_ITEM (BM * BK / THREADS)  // floats each item stages per K step (LOCAL_TILES)
#define B_PER_ITEM (BK * BN / THREADS)

#if LOCAL_TILES && ((A_PER_ITEM % 4) || (B_PER_ITEM % 4) || (BK % 4) || (TM % 4) || (TN % 4))
#error "each item must stage whole float4s: BM*BK and BK*BN must split into THREADS x 4"
#endif

// `flags` bits, set by the host where strides and offsets allow (opencl/gemm.cpp).
#define VEC_A 1    // A rows contiguous along K, K % 4 == 0, A 16-byte aligned per row
#define VEC_B 2    // B rows contiguous along N, N % 4 == 0, 16-byte aligned per row
#define VEC_OUT 4  // N % 4 == 0 and y 16-byte aligned
#define A_K_MAJOR 8  // (conv only) A stored [K][M], M % 4 == 0, 16-byte aligned: float4s along M

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FLOATN CAT(float, TN)
#define VLOADN CAT(vload, TN)

typedef struct {
  global const float* a;  // this batch's A and B
  global const float* b;
  int m, n, k;
  int a_row, a_k, b_k, b_col;
  int flags;
  // Implicit GEMM: B[k, j] = x[c][oh * stride_h - pad_h + kh * dilation_h][ow * ...] with
  // k = (c, kh, kw) and j = (oh, ow); the im2col matrix is never built.
  int gather;
  int in_h, in_w, out_w, kernel_h, kernel_w;
  int stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
#if CONV_MODE
  // conv_tiled.cl: the columns are (image, oh, ow) of the whole batch, and the one column
  // of B this item loads in every K step is split once (conv_column).
  int positions, image_size, channels, plane;  // OH * OW, C * H * W, C / groups, H * W
  int splits, k_begin;  // split-K: parts of K, this one's first k (A starts there)
  int column_inside, column_x, column_ih, column_iw;
  int step_c0, step_kh, step_kw;  // tap-major: where the next K step starts
#endif
} Operands;

float load_a(const Operands* o, int i, int k) {
  return i < o->m && k < o->k ? o->a[i * o->a_row + k * o->a_k] : 0.0f;
}

float load_b(const Operands* o, int k, int j) {
  return k < o->k && j < o->n ? o->b[k * o->b_k + j * o->b_col] : 0.0f;
}

#if LOCAL_TILES
// VECTOR_OPERANDS 1 (a build option): the program only runs products whose A and B are
// both read as float4 rows, so the flags are constants and the compiler drops the scalar
// paths and the registers their addresses would hold (what Vulkan's specialization
// constants do). NVIDIA's compiler makes 128 x 128 blocks fast only so.
int operand_flags(const Operands* o) {
#if CONV_MODE
  return CONV_FLAGS;
#else
  return VECTOR_OPERANDS ? VEC_A | VEC_B : o->flags;
#endif
}

#if CONV_MODE
void fetch_conv_b(Operands* o, int k0, int tid, float* staged_b);
#endif

// Micro-tile rows come in groups of 4 consecutive rows, the groups THREADS_M * 4 apart, so
// neighbouring items read neighbouring float4s of local memory.
int tile_row(int ty, int r) { return (r / 4) * (THREADS_M * 4) + ty * 4 + r % 4; }
int tile_col(int tx, int c) { return (c / 4) * (THREADS_N * 4) + tx * 4 + c % 4; }

// The (i, k) within the block of A's staged value s: float4s along i (A_K_MAJOR) or k
// (VEC_A), else items spread along whichever index is contiguous so neighbours read
// neighbouring addresses.
int2 a_element(const Operands* o, int tid, int s) {
  if (operand_flags(o) & A_K_MAJOR) {
    const int v = tid + (s / 4) * THREADS;
    return (int2)((v % (BM / 4)) * 4 + s % 4, v / (BM / 4));
  }
  if (operand_flags(o) & VEC_A) {
    const int v = tid + (s / 4) * THREADS;
    return (int2)(v / (BK / 4), (v % (BK / 4)) * 4 + s % 4);
  }
  const int e = tid + s * THREADS;
  return o->a_k == 1 ? (int2)(e / BK, e % BK) : (int2)(e % BM, e / BM);
}

// The (k, j) within the block of B's staged value s.
int2 b_element(const Operands* o, int tid, int s) {
  if (operand_flags(o) & VEC_B) {
    const int v = tid + (s / 4) * THREADS;
    return (int2)(v / (BN / 4), (v % (BN / 4)) * 4 + s % 4);
  }
  const int e = tid + s * THREADS;
  return o->b_col == 1 ? (int2)(e / BN, e % BN) : (int2)(e % BK, e / BK);
}

void fetch_step(Operands* o, int i0, int j0, int k0, int tid, float* staged_a,
                float* staged_b) {
#pragma unroll
  for (int s = 0; s < A_PER_ITEM; s += 4) {
    // Two branches, not one with its address chosen by the flag: that form (the flags are
    // constants in conv programs) made NVIDIA's compiler (580.159.04) slower code, 3x3 s2
    // 64->128 at batch 64 58.2% -> 52.0% of the H100's FP32 peak (r151).
    if (operand_flags(o) & A_K_MAJOR) {
      const int2 ik = a_element(o, tid, s);
      const int i = i0 + ik.x, k = k0 + ik.y;
      const float4 v = i < o->m && k < o->k
                           ? *(global const float4*)(o->a + k * o->a_k + i) : (float4)(0.0f);
      staged_a[s] = v.x, staged_a[s + 1] = v.y, staged_a[s + 2] = v.z, staged_a[s + 3] = v.w;
    } else if (operand_flags(o) & VEC_A) {
      const int2 ik = a_element(o, tid, s);
      const int i = i0 + ik.x, k = k0 + ik.y;
      const float4 v = i < o->m && k < o->k
                           ? *(global const float4*)(o->a + i * o->a_row + k) : (float4)(0.0f);
      staged_a[s] = v.x, staged_a[s + 1] = v.y, staged_a[s + 2] = v.z, staged_a[s + 3] = v.w;
    } else {
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        const int2 ik = a_element(o, tid, s + q);
        staged_a[s + q] = load_a(o, i0 + ik.x, k0 + ik.y);
      }
    }
  }
#if CONV_MODE
  fetch_conv_b(o, k0, tid, staged_b);
  return;
#endif
#pragma unroll
  for (int s = 0; s < B_PER_ITEM; s += 4) {
    if (operand_flags(o) & VEC_B) {
      const int2 kj = b_element(o, tid, s);
      const int k = k0 + kj.x, j = j0 + kj.y;
      const float4 v = k < o->k && j < o->n
                           ? *(global const float4*)(o->b + k * o->b_k + j) : (float4)(0.0f);
      staged_b[s] = v.x, staged_b[s + 1] = v.y, staged_b[s + 2] = v.z, staged_b[s + 3] = v.w;
    } else {
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        const int2 kj = b_element(o, tid, s + q);
        staged_b[s + q] = load_b(o, k0 + kj.x, j0 + kj.y);
      }
    }
  }
}

// Tiles are [k][i] and [k][j], so the multiply reads float4s along i and j.
void store_step(const Operands* o, int tid, const float* staged_a, const float* staged_b,
                local float* tile_a, local float* tile_b) {
#pragma unroll
  for (int s = 0; s < A_PER_ITEM; s += 4) {
    if (operand_flags(o) & A_K_MAJOR) {
      // A float4 along i is one float4 of tile_a, at its number among the step's float4s.
      ((local float4*)tile_a)[tid + (s / 4) * THREADS] =
          (float4)(staged_a[s], staged_a[s + 1], staged_a[s + 2], staged_a[s + 3]);
      continue;
    }
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const int2 ik = a_element(o, tid, s + q);
      tile_a[ik.y * BM + ik.x] = staged_a[s + q];
    }
  }
#pragma unroll
  for (int s = 0; s < B_PER_ITEM; ++s) {
    const int2 kj = b_element(o, tid, s);
    tile_b[kj.x * BN + kj.y] = staged_b[s];
  }
}

// One K step's product from the tiles into the micro-tile.
void multiply_step(local const float4* tile_a, local const float4* tile_b, int tx, int ty,
                   float acc[TM][TN]) {
#pragma unroll
  for (int kk = 0; kk < BK; ++kk) {
    float a[TM], b[TN];
#pragma unroll
    for (int r = 0; r < TM / 4; ++r) {
      const float4 v = tile_a[kk * (BM / 4) + r * THREADS_M + ty];
      a[4 * r] = v.x, a[4 * r + 1] = v.y, a[4 * r + 2] = v.z, a[4 * r + 3] = v.w;
    }
#pragma unroll
    for (int c = 0; c < TN / 4; ++c) {
      const float4 v = tile_b[kk * (BN / 4) + c * THREADS_N + tx];
      b[4 * c] = v.x, b[4 * c + 1] = v.y, b[4 * c + 2] = v.z, b[4 * c + 3] = v.w;
    }
#pragma unroll
    for (int r = 0; r < TM; ++r) {
#pragma unroll
      for (int c = 0; c < TN; ++c) acc[r][c] += a[r] * b[c];
    }
  }
}

// Accumulates the block at (i0, j0) over all of K. Every item of the group calls it (it
// has barriers). The K steps are fetched in order: conv programs count their taps in o.
void multiply_block(Operands* o, int i0, int j0, local float4* tile_a,
                    local float4* tile_b, float acc[TM][TN]) {
  const int tid = get_local_id(0);
  const int tx = tid % THREADS_N, ty = tid / THREADS_N;
  float staged_a[A_PER_ITEM], staged_b[B_PER_ITEM];
  fetch_step(o, i0, j0, 0, tid, staged_a, staged_b);
  for (int k0 = 0; k0 < o->k; k0 += BK) {
    barrier(CLK_LOCAL_MEM_FENCE);  // the previous step's reads of the tiles are done
    store_step(o, tid, staged_a, staged_b, (local float*)tile_a, (local float*)tile_b);
    barrier(CLK_LOCAL_MEM_FENCE);
    if (k0 + BK < o->k) fetch_step(o, i0, j0, k0 + BK, tid, staged_a, staged_b);
    multiply_step(tile_a, tile_b, tx, ty, acc);
  }
}

#else  // !LOCAL_TILES

int tile_row(int ty, int r) { return ty * TM + r; }
int tile_col(int tx, int c) { return tx * TN + c; }

// The common case: a whole micro-tile, B rows contiguous. B's row segment is one vector
// load per k, A one scalar per row broadcast against it.
void multiply_whole_tile(const Operands* o, int row0, int col0, float acc[TM][TN]) {
  FLOATN sums[TM];
#pragma unroll
  for (int r = 0; r < TM; ++r) sums[r] = (FLOATN)(0.0f);
  global const float* a = o->a + row0 * o->a_row;
  global const float* b = o->b + col0;
  for (int k = 0; k < o->k; ++k) {
    const FLOATN bv = VLOADN(0, b + k * o->b_k);
#pragma unroll
    for (int r = 0; r < TM; ++r) sums[r] += a[r * o->a_row + k * o->a_k] * bv;
  }
#pragma unroll
  for (int r = 0; r < TM; ++r) CAT(vstore, TN)(sums[r], 0, acc[r]);
}

// Edge tiles, strided B and the implicit GEMM's gather: each (oh, ow) of the item's
// columns is resolved once, each k's (c, kh, kw) once for all columns.
void multiply_any_tile(const Operands* o, int row0, int col0, float acc[TM][TN]) {
  int first_h[TN], first_w[TN];
#pragma unroll
  for (int c = 0; c < TN; ++c) {
    const int j = col0 + c;
    const int oh = o->gather ? j / o->out_w : 0;
    // A column past N reads as out of the image: -2^20 stays negative after any tap offset.
    first_h[c] = j < o->n ? oh * o->stride_h - o->pad_h : -(1 << 20);
    first_w[c] = (j - oh * o->out_w) * o->stride_w - o->pad_w;
  }
  FLOATN sums[TM];
#pragma unroll
  for (int r = 0; r < TM; ++r) sums[r] = (FLOATN)(0.0f);
  const int taps = o->kernel_h * o->kernel_w;
  // Columns on one output row, stride 1 along it: a tap reads TN consecutive inputs.
  const bool one_row = o->gather && o->stride_w == 1 && col0 + TN <= o->n &&
                       col0 % o->out_w + TN <= o->out_w;
  for (int k = 0; k < o->k; ++k) {
    float b[TN];
    FLOATN bv;
    if (o->gather) {
      const int channel = k / taps;
      const int tap = k - channel * taps;
      const int kh = tap / o->kernel_w;
      const int dy = kh * o->dilation_h, dx = (tap - kh * o->kernel_w) * o->dilation_w;
      global const float* plane = o->b + channel * o->in_h * o->in_w;
      const int ih = first_h[0] + dy, iw = first_w[0] + dx;
      if (one_row && ih >= 0 && ih < o->in_h && iw >= 0 && iw + TN <= o->in_w) {
        bv = VLOADN(0, plane + ih * o->in_w + iw);
      } else {
#pragma unroll
        for (int c = 0; c < TN; ++c) {
          const int h = first_h[c] + dy, w = first_w[c] + dx;
          const bool inside = h >= 0 && h < o->in_h && w >= 0 && w < o->in_w;
          b[c] = inside ? plane[h * o->in_w + w] : 0.0f;
        }
        bv = VLOADN(0, b);
      }
    } else {
#pragma unroll
      for (int c = 0; c < TN; ++c) b[c] = load_b(o, k, col0 + c);
      bv = VLOADN(0, b);
    }
#pragma unroll
    for (int r = 0; r < TM; ++r) sums[r] += load_a(o, row0 + r, k) * bv;
  }
#pragma unroll
  for (int r = 0; r < TM; ++r) CAT(vstore, TN)(sums[r], 0, acc[r]);
}

void multiply_block(Operands* o, int i0, int j0, local float4* tile_a,
                    local float4* tile_b, float acc[TM][TN]) {
  const int tid = get_local_id(0);
  const int row0 = i0 + tile_row(tid / THREADS_N, 0);
  const int col0 = j0 + tile_col(tid % THREADS_N, 0);
  if (row0 >= o->m || col0 >= o->n) return;
  const bool whole = row0 + TM <= o->m && col0 + TN <= o->n && o->b_col == 1 && !o->gather;
  if (whole) {
    multiply_whole_tile(o, row0, col0, acc);
  } else {
    multiply_any_tile(o, row0, col0, acc);
  }
}

#endif  // LOCAL_TILES

#define TILE_A_VECS (LOCAL_TILES ? BK * BM / 4 : 1)
#define TILE_B_VECS (LOCAL_TILES ? BK * BN / 4 : 1)

// The block this group computes: get_group_id(0) its column, (1) its row, (2) its batch.
Operands batch_operands(global const float* a, global const float* b, global const int* p,
                        int flags) {
  const int rank = p[9];
  const int batch = get_group_id(2);
  Operands o;
  o.a = a + broadcast_offset(batch, rank, p + 10, p + 10 + rank);
  o.b = b + broadcast_offset(batch, rank, p + 10, p + 10 + 2 * rank);
  o.m = p[0], o.n = p[1], o.k = p[2];
  o.a_row = p[3], o.a_k = p[4], o.b_k = p[5], o.b_col = p[6];
  o.flags = flags;
  o.gather = 0;
  o.in_h = o.in_w = o.out_w = o.kernel_h = o.kernel_w = 1;
  o.stride_h = o.stride_w = o.dilation_h = o.dilation_w = 1;
  o.pad_h = o.pad_w = 0;
  return o;
}

// What happens to a sum before it is stored: act(alpha * sum + beta * C[i * c_row + j * c_col]).
typedef struct {
  global const float* c;
  int has_c, c_row, c_col;
  float alpha, beta;
  int activation;
  float act_alpha, act_beta;
} Epilogue;

float finish_sum(const Epilogue* e, int i, int j, float sum) {
  const float c = e->has_c ? e->beta * e->c[i * e->c_row + j * e->c_col] : 0.0f;
  const float value = e->alpha * sum + c;
  return unary_op(e->activation, e->act_alpha, e->act_beta, value);
}

// Writes the item's micro-tile to y (this batch's [M, N]), float4 at a time where VEC_OUT
// allows. acc is copied out by an unrolled loop and the epilogue loops stay rolled: acc is
// never indexed at run time (that would take it out of registers for the whole K loop) and
// unary_op's switch is not repeated TM x TN times (that multiplied the build time).
void store_tile(const Operands* o, const Epilogue* e, global float* y, int i0, int j0,
                float acc[TM][TN]) {
  const int tid = get_local_id(0);
  const int tx = tid % THREADS_N, ty = tid / THREADS_N;
  float sums[TM][TN];
#pragma unroll
  for (int r = 0; r < TM; ++r) {
#pragma unroll
    for (int c = 0; c < TN; ++c) sums[r][c] = acc[r][c];
  }
#pragma unroll 1
  for (int r = 0; r < TM; ++r) {
    const int i = i0 + tile_row(ty, r);
    if (i >= o->m) continue;
    global float* row = y + i * o->n;
#pragma unroll 1
    for (int c = 0; c < TN; ++c) {
      const int j = j0 + tile_col(tx, c);
      if (j < o->n) sums[r][c] = finish_sum(e, i, j, sums[r][c]);
    }
#pragma unroll 1
    for (int c = 0; c < TN; c += 4) {
      const int j = j0 + tile_col(tx, c);
      if ((o->flags & VEC_OUT) && j < o->n) {
        *(global float4*)(row + j) = vload4(0, &sums[r][c]);
        continue;
      }
#pragma unroll 1
      for (int q = 0; q < 4; ++q) {
        if (j + q < o->n) row[j + q] = sums[r][c + q];
      }
    }
  }
}

void clear_tile(float acc[TM][TN]) {
#pragma unroll
  for (int r = 0; r < TM; ++r) {
#pragma unroll
    for (int c = 0; c < TN; ++c) acc[r][c] = 0.0f;
  }
}

#if !CONV_MODE
// y[batch] = act(alpha * A B + beta * C), C read at i * c_row + j * c_col.
#if ALL_KERNELS || KERNEL_matmul_blocked
kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void matmul_blocked(global const float* a, int a_off, global const float* b, int b_off,
                    global const float* c, int c_off, int has_c, global float* y, int y_off,
                    global const int* p, int p_off, int flags, float alpha, float beta,
                    int activation, float act_alpha, float act_beta) {
  local float4 tile_a[TILE_A_VECS];
  local float4 tile_b[TILE_B_VECS];
  p += p_off;
  Operands o = batch_operands(a + a_off, b + b_off, p, flags);
  const int i0 = get_group_id(1) * BM, j0 = get_group_id(0) * BN;
  float acc[TM][TN];
  clear_tile(acc);
  multiply_block(&o, i0, j0, tile_a, tile_b, acc);
  const Epilogue e = {c + c_off, has_c, p[7], p[8], alpha, beta, activation, act_alpha, act_beta};
  store_tile(&o, &e, y + y_off + get_group_id(2) * o.m * o.n, i0, j0, acc);
}
#endif

#endif  // !CONV_MODE

#if !LOCAL_TILES
// Conv on CPUs (GPUs run conv_tiled.cl), group g of image n as batch n * groups + g:
// A = the group's weights [M/g, K],
// B = that group's input channels gathered (or read as a [C/g, H*W] matrix for an
// unpadded 1x1 stride-1 layer), y[n][g * M/g + i][j] = act(sum + bias[g * M/g + i]).
// Geometry after the batch strides: groups, gather, in_h, in_w, out_w, kernel_h, kernel_w,
// stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w.
#if ALL_KERNELS || KERNEL_conv_blocked
kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void conv_blocked(global const float* x, int x_off, global const float* w, int w_off,
                  global const float* bias, int bias_off, int has_bias, global float* y, int y_off,
                  global const int* p, int p_off, int flags, int activation, float act_alpha,
                  float act_beta) {
  local float4 tile_a[TILE_A_VECS];
  local float4 tile_b[TILE_B_VECS];
  p += p_off;
  Operands o = batch_operands(w + w_off, x + x_off, p, flags);
  global const int* g = p + 10 + 3 * p[9];
  const int groups = g[0];
  o.gather = g[1];
  o.in_h = g[2], o.in_w = g[3], o.out_w = g[4], o.kernel_h = g[5], o.kernel_w = g[6];
  o.stride_h = g[7], o.stride_w = g[8], o.pad_h = g[9], o.pad_w = g[10];
  o.dilation_h = g[11], o.dilation_w = g[12];
  const int i0 = get_group_id(1) * BM, j0 = get_group_id(0) * BN;
  float acc[TM][TN];
  clear_tile(acc);
  multiply_block(&o, i0, j0, tile_a, tile_b, acc);
  // The bias is a column: C[i * 1 + j * 0], offset to this group's output channels.
  const Epilogue e = {bias + bias_off + (get_group_id(2) % groups) * o.m, has_bias, 1, 0, 1.0f,
                      1.0f, activation, act_alpha, act_beta};
  store_tile(&o, &e, y + y_off + get_group_id(2) * o.m * o.n, i0, j0, acc);
}
#endif

#endif  // !LOCAL_TILES
