#pragma once
// Block and micro-tile sizes for the register-blocked kernels (shaders/gemm_tile.glsl, used
// by gemm_tiled.comp and conv_gemm.comp), chosen from the device's limits and the product's
// shape. No tiling means the product is too small or thin for whole blocks: the simple
// kernels take it.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tandem::vulkan {

struct GemmTiling {
  std::uint32_t bm = 64, bn = 64, bk = 16;  // block
  std::uint32_t tm = 4, tn = 4;             // per-invocation micro-tile

  std::uint32_t invocations() const { return (bm / tm) * (bn / tn); }
  std::uint32_t shared_bytes() const { return (bm + bn) * bk * 4; }
  std::uint64_t blocks(std::int64_t m, std::int64_t n) const;
  // Specialization constants 1..5 of gemm_tile.glsl.
  std::vector<std::int32_t> constants() const;
};

// `batches` independent m x n x k products. The environment variable
// TANDEM_VULKAN_GEMM_TILING overrides this choice and choose_conv_tiling's, for measurements:
// "off" keeps every product on the simple kernels, "BMxBNxBK/TMxTN" (as "128x128x8/8x8")
// forces that tiling wherever the product has at least one whole block and it fits.
// `compute_units`: the device's multiprocessors where a vendor extension counts them, else 0
// (an H100's 132); "enough" blocks are as many a multiprocessor as on an H100.
std::optional<GemmTiling> choose_gemm_tiling(const VkPhysicalDeviceLimits& limits,
                                             std::uint32_t compute_units, std::int64_t m,
                                             std::int64_t n, std::int64_t k, std::int64_t batches);

// The implicit-GEMM convolution's tiling (conv_gemm.comp, one m x n x k product for the whole
// batch; `pointwise` for unpadded 1x1 layers): other layers take 64 x 128 blocks with 8 x 8
// micro-tiles when there are enough of them, else 64 x 64 with 4 x 8; 1x1 layers 64 x 64 with
// 8 x 4 where pointwise_takes_medium_blocks, else with many output channels 128 x 64 with
// 8 x 4 when there are enough of those; the rest choose_gemm_tiling's.
std::optional<GemmTiling> choose_conv_tiling(const VkPhysicalDeviceLimits& limits,
                                             std::uint32_t compute_units, std::int64_t m,
                                             std::int64_t n, std::int64_t k, bool pointwise);

// Split-K for an implicit-GEMM convolution with too few blocks to fill a big GPU: `splits`
// parts of K, each `depth` deep (a multiple of the tiling's BK; the last may be shorter).
struct ConvSplit {
  GemmTiling tiling;
  std::int64_t splits = 1;
  std::int64_t depth = 0;
  double balance = 0.0;  // of the blocks over one wave (wave_balance in core/ops/conv_geometry.h)
};

// The split for an m x n x k convolution (`pointwise` for unpadded 1x1 layers) on a device of
// `compute_units` multiprocessors (0 when unknown: an H100's 132, where the counts were
// measured), or none (enough blocks already, K too short to share, no split spreads the blocks
// more evenly over one wave):
// of 64 x 128 blocks when there are few of them; with more, but too few to fill a big GPU,
// unpadded 1x1 layers of 128 x 128 or 64 x 64 blocks if they have few 128 x 128 ones, padded
// or strided layers with too few 64 x 64 blocks too of those.
// A forced tiling (TANDEM_VULKAN_GEMM_TILING) is split as on an H100 when it gives few blocks,
// so that tests reach the same splits on any device.
std::optional<ConvSplit> choose_conv_split(const VkPhysicalDeviceLimits& limits,
                                           std::uint32_t compute_units, std::int64_t m,
                                           std::int64_t n, std::int64_t k, bool pointwise);

// Whether an unpadded 1x1 layer (m output channels, n positions, k input channels) fills one
// wave of a big GPU with 64 x 64 blocks but not with 128 x 64 ones: it then runs conv_gemm.comp
// on those, not conv_pointwise.comp.
bool pointwise_takes_medium_blocks(const VkPhysicalDeviceLimits& limits,
                                   std::uint32_t compute_units, std::int64_t m, std::int64_t n,
                                   std::int64_t k);

// A tiling from its name ("64x128x16/4x8"); nullopt if the text is not one or the shader
// could not build it (gemm_tile.glsl stages whole vec4s per invocation).
std::optional<GemmTiling> parse_gemm_tiling(const std::string& name);

// Global-load layouts of gemm_tile.glsl (A_MODE / B_MODE). Vec4KMajor: A stored as [K, M],
// read in vec4s along M.
enum class LoadMode : std::int32_t {
  OtherFastest = 0,
  ContiguousFastest = 1,
  Vec4 = 2,
  Vec4KMajor = 3
};

}  // namespace tandem::vulkan
