#pragma once
// Block and micro-tile sizes for the register-blocked kernels of kernels/gemm_tiled.cl
// (MatMul, Gemm and Conv as an implicit GEMM), chosen from the device's type and limits
// and the product's shape. No tiling means the product is too small or thin for blocks:
// gemm.cl's simple kernels take it. Each tiling is its own program (the sizes are build
// options), requested per node before nodes compile (OpImplementation::node_programs).
#include <cstdint>
#include <optional>
#include <string>

#include "opencl/device.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {

struct GemmTiling {
  int bm = 64, bn = 64, bk = 16;  // block of the output a work group computes, K step
  int tm = 4, tn = 4;             // micro-tile per work item
  bool local_tiles = true;        // K steps staged in local memory (GPUs) or not (CPUs)
  // Local tiles only: the program runs only products whose A and B rows are float4s
  // (VEC_A and VEC_B), so the kernel's flags are constants ("/vec" in the name).
  bool vector_operands = false;

  bool operator==(const GemmTiling&) const = default;
  int work_items() const { return (bm / tm) * (bn / tn); }
  std::uint64_t local_bytes() const;
  std::int64_t blocks(std::int64_t m, std::int64_t n) const;
  std::string name() const;           // "64x64x16/4x4/local", "128x128x16/8x8/local/vec"
  std::string build_options() const;  // "-DBM=64 ... -DLOCAL_TILES=1 -DVECTOR_OPERANDS=0"
  // What the kernel can build: sizes that divide, whole float4s staged, TN a vector width.
  bool valid() const;
};

// A tiling from its name ("128x128x8/8x8/local", "64x16x1/8x16/direct"); nullopt if the
// text is not one or the tiling is not valid().
std::optional<GemmTiling> parse_gemm_tiling(const std::string& name);

// The tiling for `batches` independent m x n x k products on `device`, or none;
// `vector_operands`: A and B rows can be read as float4s (VEC_A and VEC_B). The
// environment variable TANDEM_OPENCL_GEMM_TILING overrides the choice, for tests and
// tuning: "off" keeps every product on the simple kernels, a tiling name forces that
// tiling wherever the product has at least one whole micro-tile.
std::optional<GemmTiling> choose_gemm_tiling(const ClDevice& device, std::int64_t m,
                                             std::int64_t n, std::int64_t k, std::int64_t batches,
                                             bool vector_operands = false);

// The tiling of a GPU convolution (kernels/conv_tiled.cl): `groups` products of m x n x k,
// `pointwise` for unpadded 1x1 layers. Other devices, and a forced tiling
// (TANDEM_OPENCL_GEMM_TILING), get choose_gemm_tiling's.
std::optional<GemmTiling> choose_conv_tiling(const ClDevice& device, std::int64_t m,
                                             std::int64_t n, std::int64_t k, std::int64_t groups,
                                             bool pointwise);

// Split-K for a GPU convolution with too few blocks to fill the device: `splits` parts of
// K, each `depth` deep (a multiple of the tiling's BK; the last may be shorter).
struct ConvSplit {
  GemmTiling tiling;
  std::int64_t splits = 1;
  std::int64_t depth = 0;
  double balance = 0.0;  // of the blocks over one wave (wave_balance in core/ops/conv_geometry.h)
  std::int64_t blocks_per_unit = 1;  // at once on a compute unit, as the wave counted them
};

// The split for `groups` products of m x n x k, or none (CPUs, enough blocks already, no
// split spreads the blocks more evenly over the compute units; "few" and "enough" are as
// many blocks a compute unit as on an H100): of 64 x 128 blocks when
// there are few of them, of 128 x 128 blocks for unpadded 1x1 (`pointwise`) layers between
// few and enough; padded or strided layers with fewer than fill the GPU (unless K is long
// and 64 x 64 blocks fill it) split whichever of the two spreads more evenly. A forced
// tiling with local tiles (TANDEM_OPENCL_GEMM_TILING) is split when it gives few blocks, as
// on an H100, so that tests reach the same split-K on any device.
std::optional<ConvSplit> choose_conv_split(const ClDevice& device, std::int64_t m,
                                           std::int64_t n, std::int64_t k, std::int64_t groups,
                                           bool pointwise);

// The most registers an item of `tiling` may use so that `blocks_per_unit` work-groups fit on
// one compute unit at once (a multiple of 8, NVIDIA's allocation step), or 0: no cap (not
// NVIDIA, or the device's own limit of 255 is lower).
int register_cap(const ClDevice& device, const GemmTiling& tiling, std::int64_t blocks_per_unit);

// The work-groups of an unsplit conv `tiling` that choose_conv_tiling counted on a compute
// unit at once (three 64 x 128 / 8 x 8 blocks on an H100), or 0 where it counted none.
std::int64_t conv_blocks_per_unit(const GemmTiling& tiling);

// gemm_tiled.cl built with the tiling's options; the request's `file` is the name the
// program is found by: "gemm_tiled.cl[<tiling name>]".
ProgramRequest blocked_program(const GemmTiling& tiling);
std::string blocked_program_name(const GemmTiling& tiling);

}  // namespace tandem::opencl
