#pragma once
// Block and micro-tile sizes for the register-blocked kernels (shaders/gemm_tile.glsl, used
// by gemm_tiled.comp and conv_gemm.comp), chosen from the device's limits and the product's
// shape. No tiling means the product is too small or thin for whole blocks: the simple
// kernels take it.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <optional>
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

// `batches` independent m x n x k products.
std::optional<GemmTiling> choose_gemm_tiling(const VkPhysicalDeviceLimits& limits,
                                             std::int64_t m, std::int64_t n, std::int64_t k,
                                             std::int64_t batches);

// The implicit-GEMM convolution's tiling (conv_gemm.comp, one m x n x k product for the whole
// batch): choose_gemm_tiling's, except that layers with many output channels take 128 x 64
// blocks with 8 x 4 micro-tiles when there are enough of them.
std::optional<GemmTiling> choose_conv_tiling(const VkPhysicalDeviceLimits& limits,
                                             std::int64_t m, std::int64_t n, std::int64_t k);

// Global-load layouts of gemm_tile.glsl (A_MODE / B_MODE).
enum class LoadMode : std::int32_t { OtherFastest = 0, ContiguousFastest = 1, Vec4 = 2 };

}  // namespace tandem::vulkan
