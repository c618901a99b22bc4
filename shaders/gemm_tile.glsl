// The register-blocked tile loop shared by gemm_tiled.comp and conv_gemm.comp.
// A workgroup of (BM / TM) x (BN / TN) invocations computes a BM x BN block of
// C = A[M, K] x B[K, N]; each invocation holds a TM x TN micro-tile of it in registers.
// K is walked BK at a time through shared memory; the next step's operands are fetched from
// global memory into registers while the current step multiplies, so load latency overlaps
// arithmetic. Tile sizes are specialization constants the host picks per device
// (vulkan/gemm_tiling.cpp); TM and TN are multiples of 4.
//
// Every loop but the K loop is unrolled ([[unroll]]), so that acc, staged_a and staged_b are
// indexed by constants only and can live in registers.
//
// The including shader defines, before including this file:
//   float load_a(uint i, uint k)   A[i, k] of the workgroup's batch, 0 outside [M, K)
//   vec4 load_a4(uint i, uint k)   A_MODE 2: A[i, k .. k+3] (k % 4 == 0, K % 4 == 0);
//                                  A_MODE 3: A[i .. i+3, k] (i % 4 == 0, M % 4 == 0)
//   float load_b(uint k, uint j)   B[k, j], 0 outside [K, N)
//   vec4 load_b4(uint k, uint j)   B[k, j .. j+3]      (B_MODE 2 only; j % 4 == 0, N % 4 == 0)
//   void begin_step_b(uint k0)     called before the loads of B[k0 .. k0+BK) (may do nothing)

layout(constant_id = 1) const uint BM = 64;
layout(constant_id = 2) const uint BN = 64;
layout(constant_id = 3) const uint BK = 16;
layout(constant_id = 4) const uint TM = 4;
layout(constant_id = 5) const uint TN = 4;
// How global loads are spread over invocations, so neighbours read neighbouring addresses:
// A_MODE 0: i fastest, 1: k fastest, 2: vec4 along k, 3: vec4 along i.  B_MODE 0: k
// fastest, 1: j fastest, 2: vec4 along j.
layout(constant_id = 6) const int A_MODE = 1;
layout(constant_id = 7) const int B_MODE = 1;

const uint THREADS_M = BM / TM;
const uint THREADS_N = BN / TN;
const uint THREADS = THREADS_M * THREADS_N;
const uint A_PER_THREAD = BM * BK / THREADS;  // floats each invocation stages per K step
const uint B_PER_THREAD = BK * BN / THREADS;

// [k][i] and [k][j]: one K step's operands, read as vec4 along i and j.
shared vec4 tile_a[BK * BM / 4];
shared vec4 tile_b[BK * BN / 4];

float acc[TM * TN];
float staged_a[A_PER_THREAD];
float staged_b[B_PER_THREAD];

// Micro-tile rows come in groups of 4 consecutive rows, the groups THREADS_M * 4 apart, so
// neighbouring invocations read neighbouring vec4s of shared memory (no bank conflicts).
uint tile_row(uint ty, uint r) { return (r / 4) * (THREADS_M * 4) + ty * 4 + r % 4; }
uint tile_col(uint tx, uint c) { return (c / 4) * (THREADS_N * 4) + tx * 4 + c % 4; }

// The (i, k) of staged_a[s] within the block.
uvec2 a_element(uint tid, uint s) {
  if (A_MODE == 3) {
    const uint v = tid + (s / 4) * THREADS;
    return uvec2((v % (BM / 4)) * 4 + s % 4, v / (BM / 4));
  }
  if (A_MODE == 2) {
    const uint v = tid + (s / 4) * THREADS;
    return uvec2(v / (BK / 4), (v % (BK / 4)) * 4 + s % 4);
  }
  const uint e = tid + s * THREADS;
  return A_MODE == 1 ? uvec2(e / BK, e % BK) : uvec2(e % BM, e / BM);
}

// The (k, j) of staged_b[s] within the block.
uvec2 b_element(uint tid, uint s) {
  if (B_MODE == 2) {
    const uint v = tid + (s / 4) * THREADS;
    return uvec2(v / (BN / 4), (v % (BN / 4)) * 4 + s % 4);
  }
  const uint e = tid + s * THREADS;
  return B_MODE == 1 ? uvec2(e / BN, e % BN) : uvec2(e % BK, e / BK);
}

// The column (within the block) of B that invocation tid loads in every K step, B_MODE 1 and
// 2 only: with THREADS a multiple of BN it is the same for every staged element, which lets
// conv_gemm.comp split that column into image and position once per block, not per load.
uint b_column(uint tid) { return b_element(tid, 0).y; }

void fetch_step(uint i0, uint j0, uint k0, uint tid) {
  [[unroll]] for (uint s = 0; s < A_PER_THREAD; s += (A_MODE >= 2 ? 4 : 1)) {
    const uvec2 ik = a_element(tid, s);
    if (A_MODE >= 2) {
      const vec4 v = load_a4(i0 + ik.x, k0 + ik.y);
      staged_a[s] = v.x;
      staged_a[s + 1] = v.y;
      staged_a[s + 2] = v.z;
      staged_a[s + 3] = v.w;
    } else {
      staged_a[s] = load_a(i0 + ik.x, k0 + ik.y);
    }
  }
  begin_step_b(k0);
  [[unroll]] for (uint s = 0; s < B_PER_THREAD; s += (B_MODE == 2 ? 4 : 1)) {
    const uvec2 kj = b_element(tid, s);
    if (B_MODE == 2) {
      const vec4 v = load_b4(k0 + kj.x, j0 + kj.y);
      staged_b[s] = v.x;
      staged_b[s + 1] = v.y;
      staged_b[s + 2] = v.z;
      staged_b[s + 3] = v.w;
    } else {
      staged_b[s] = load_b(k0 + kj.x, j0 + kj.y);
    }
  }
}

// B's staged value s lies in tile_b at value 0's index plus a constant: always in B_MODE 1
// and 2, whose tile index is linear in the staged element's number, and in B_MODE 0 when
// THREADS is a multiple of BK. Stored so, with the constant's vec4 part split off, NVIDIA's
// Vulkan compiler (580.159.04, H100) makes faster tile loops: at batch 16 3x3 64->64 at 56x56
// went from 43.9% to 49.1% of FP32 peak, 3x3 512->512 at 7x7 from 37.7% to 40.0%, 3x3
// 256->256 at 14x14 from 37.7% to 38.7% (r118). The same form for A's stores lost 6 points on
// 128 x 64 / 8 x 4 blocks.
const bool B_AT_CONSTANT_OFFSETS = B_MODE != 0 || THREADS % BK == 0;

uint b_tile_index(uint tid, uint s) {
  const uvec2 kj = b_element(tid, s);
  return kj.x * BN + kj.y;
}

void store_a(uint tid) {
  if (A_MODE == 3) {
    // A vec4 along i is one vec4 of tile_a, at its number among the step's vec4s.
    [[unroll]] for (uint s = 0; s < A_PER_THREAD; s += 4) {
      tile_a[tid + (s / 4) * THREADS] =
          vec4(staged_a[s], staged_a[s + 1], staged_a[s + 2], staged_a[s + 3]);
    }
    return;
  }
  [[unroll]] for (uint s = 0; s < A_PER_THREAD; ++s) {
    const uvec2 ik = a_element(tid, s);
    const uint index = ik.y * BM + ik.x;
    tile_a[index / 4][index % 4] = staged_a[s];
  }
}

void store_b(uint tid) {
  const uint b0 = b_tile_index(tid, 0);
  if (B_MODE == 2) {
    // Four values read as one vec4 along j are one vec4 of tile_b: one store, not four. On
    // the H100 this took SGEMM from 33.8 / 34.7 to 37.1 / 38.2 TFLOP/s at 4096^3 / 8192^3
    // (r121).
    [[unroll]] for (uint s = 0; s < B_PER_THREAD; s += 4) {
      const uint index = b0 / 4 + b_tile_index(0, s) / 4;
      tile_b[index] = vec4(staged_b[s], staged_b[s + 1], staged_b[s + 2], staged_b[s + 3]);
    }
  } else {
    [[unroll]] for (uint s = 0; s < B_PER_THREAD; ++s) {
      const uint offset = b_tile_index(0, s);
      if (B_AT_CONSTANT_OFFSETS && offset % 4 == 0) {
        tile_b[b0 / 4 + offset / 4][b0 % 4] = staged_b[s];
      } else {
        const uint index = b_tile_index(tid, s);
        tile_b[index / 4][index % 4] = staged_b[s];
      }
    }
  }
}

void store_step(uint tid) {
  store_a(tid);
  store_b(tid);
}

// Accumulates the block at (i0, j0) over all of K into acc. Every invocation of the
// workgroup must call it (it has barriers); k is uniform.
void multiply_block(uint i0, uint j0, uint k) {
  const uint tid = gl_LocalInvocationID.x;
  const uint tx = tid % THREADS_N;
  const uint ty = tid / THREADS_N;
  [[unroll]] for (uint r = 0; r < TM * TN; ++r) acc[r] = 0.0;
  fetch_step(i0, j0, 0, tid);
  for (uint k0 = 0; k0 < k; k0 += BK) {
    barrier();  // the previous step's reads of shared memory are done
    store_step(tid);
    barrier();
    if (k0 + BK < k) fetch_step(i0, j0, k0 + BK, tid);
    [[unroll]] for (uint kk = 0; kk < BK; ++kk) {
      vec4 a[TM / 4];
      vec4 b[TN / 4];
      // tile_row(ty, 4 * r) / 4, written so that only ty and tx are not constants.
      [[unroll]] for (uint r = 0; r < TM / 4; ++r) a[r] = tile_a[kk * (BM / 4) + r * THREADS_M + ty];
      [[unroll]] for (uint c = 0; c < TN / 4; ++c) b[c] = tile_b[kk * (BN / 4) + c * THREADS_N + tx];
      [[unroll]] for (uint r = 0; r < TM; ++r) {
        [[unroll]] for (uint c = 0; c < TN; ++c) acc[r * TN + c] += a[r / 4][r % 4] * b[c / 4][c % 4];
      }
    }
  }
}
