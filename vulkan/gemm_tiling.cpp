#include "vulkan/gemm_tiling.h"

#include <cstdio>
#include <cstdlib>

#include "core/ops/conv_geometry.h"

namespace tandem::vulkan {
namespace {

// 64 x 128 blocks with 4 x 8 per invocation: 32 multiply-adds per 12 floats read from shared
// memory. Measured on an H100 (NVIDIA 580.159.04, SGEMM 4096^3): 33.7 TFLOP/s, against 24.3
// for 64 x 64 / 4 x 4 and 2.0 for the classic 128 x 128 / 8 x 8, which NVIDIA's Vulkan
// compiler does not keep in registers; 37.2 since B's vec4 loads are stored as vec4s (r122).
// 64 x 64 with 4 x 4 keeps more blocks in flight for medium products.
constexpr GemmTiling kLarge{64, 128, 16, 4, 8};
constexpr GemmTiling kMedium{64, 64, 16, 4, 4};
constexpr GemmTiling kSmall{32, 32, 16, 4, 4};
// Unpadded 1x1 convolutions with >= 128 output channels: 128 x 64 blocks with 8 x 4 per
// invocation.
// Measured on the H100 (batch 16): 39.4% of FP32 peak against 37.5% for 64 x 128 on a 1x1
// 128->128 layer at 56x56, 33.4 against 30.6 on 1x1 512->512 at 14x14, 30.8 against 27.7
// on 1x1 1024->256 at 14x14 (98 blocks); with only 52 blocks (3x3 512->512 at 7x7) it fell
// to 11% against 17% for 64 x 64.
constexpr GemmTiling kConvTall{128, 64, 16, 8, 4};
constexpr std::uint64_t kConvTallBlocksWanted = 96;
// Padded or strided convolutions with enough blocks for about three per multiprocessor:
// 64 x 128 with 8 x 8 per invocation (128 invocations). On the H100, 3x3 64->64 at 56x56
// (392 blocks) ran at 43.3-45.3% of FP32 peak, against 31.8% or 43.3% (it varies from run
// to run) for 64 x 128 / 4 x 8; 1x1 layers were slower with it (36.7% against 39.4 for
// 128 x 64 on 1x1 128->128 at 56x56).
constexpr GemmTiling kConvWide{64, 128, 16, 8, 8};
constexpr std::uint64_t kConvWideBlocksWanted = 384;
// Layers with fewer than kSplitBelowBlocks such blocks (under one per multiprocessor of an
// H100) split K (conv_gemm.comp's split-K) into parts of at least kMinSplitDepth, at most
// kMaxSplits of them, the count whose blocks spread most evenly over one wave (split_k): the
// device's multiprocessors where a vendor extension counts them, else an H100's 132, each
// running kWideBlocksPerUnit 64 x 128 / 8 x 8 blocks at once. Measured on the H100 at batch 16
// (r101): 3x3 512->512 at 7x7 (56 blocks) ran at 37.3% of FP32 peak in 7 parts (392
// blocks), 28.0% in 8 (448, a second wave).
constexpr std::uint64_t kSplitBelowBlocks = 96;
constexpr std::int64_t kMinSplitDepth = 256;
constexpr std::int64_t kMaxSplits = 8;
constexpr std::int64_t kWideBlocksPerUnit = 3;
// Padded or strided layers with too few 64 x 128 blocks take 64 x 64 blocks with 4 x 8 per
// invocation (128 of them), and split K when those do not fill the wave (three a multiprocessor,
// as 64 x 128 / 8 x 8). On the H100 at batch 16 (r132, r133): 3x3 s2 64->128 at 56x56 (392
// blocks) ran at 39.1-39.7% of FP32 peak against 37.9-38.0% for 64 x 64 / 4 x 4 (38.7 with
// 8 x 4); 3x3 256->256 at 14x14 (196 blocks, 2 parts) at 40.7% against 38.9-39.5% for 128 x
// 64 / 8 x 4 in 4 parts, the split these layers took before. Their parts are at least
// kPaddedSplitDepth deep: shorter ones lost (3x3 s2 64->128, K 576, on 128 x 64 blocks in 2
// parts: 24.0% against 38.5% unsplit, r101).
constexpr GemmTiling kConvMedium{64, 64, 16, 4, 8};
constexpr std::int64_t kPaddedSplitDepth = 512;
// Unpadded 1x1 layers with too few 128 x 64 blocks for the wave but enough 64 x 64 ones
// take those with 8 x 4 per invocation, rather than conv_pointwise.comp: 1x1 512->512 at
// 14x14, batch 16 (392 blocks), 41.5-41.6% against 37.5-38.2% (4 x 8: 40.3-40.4%, 4 x 4:
// 40.3%).
constexpr GemmTiling kPointwiseMedium{64, 64, 16, 8, 4};
// Unpadded 1x1 layers with kSplitBelowBlocks to kConvWideBlocksWanted blocks of 64 x 128 but
// fewer than kSplitBelowBlocks of 128 x 128 / 8 x 8 (kConvBig) split those, in parts at least
// kBigSplitDepth deep, over a wave of kBigBlocksPerUnit at once per multiprocessor, as the OpenCL
// backend does: 1x1 1024->256 at 14x14, batch 16 (50 blocks, 5 parts: 250 of 264 slots) ran
// at 33.7% of FP32 peak against 31.1% on 128 x 64 / 8 x 4 unsplit; in 4 parts 29.1%, in 6
// 24.3% (r103).
constexpr GemmTiling kConvBig{128, 128, 8, 8, 8};
constexpr std::int64_t kBigBlocksPerUnit = 2;
constexpr std::int64_t kBigSplitDepth = 128;
// Those layers split 64 x 64 blocks (kConvMedium, three a multiprocessor) instead when they
// spread more evenly: 1x1 1024->256 at 14x14, batch 16 (196 blocks, 2 parts: 392 of 396
// slots) ran at 38.2-39.1% of FP32 peak with 4 x 8 per invocation (r133), 36.3-37.0% with
// 4 x 4, 35.1-35.9% with 8 x 4, 35.3-35.4% for kConvBig in 5 parts (r130).

// Enough large blocks to give every multiprocessor of a big GPU work (an H100 has 132).
// This count and the conv ones above are an H100's: the choices take them for a device's own
// multiprocessors where a vendor extension counts them (core's h100_blocks_for).
constexpr std::uint64_t kLargeBlocksWanted = 128;

// gemm_tile.glsl stages whole vec4s per invocation: each operand tile must split into
// invocations x (a multiple of 4) floats.
constexpr bool stages_whole_vec4s(const GemmTiling& tiling) {
  const std::uint32_t threads = (tiling.bm / tiling.tm) * (tiling.bn / tiling.tn);
  return tiling.tm % 4 == 0 && tiling.tn % 4 == 0 && tiling.bk % 4 == 0 &&
         (tiling.bm * tiling.bk) % (4 * threads) == 0 && (tiling.bn * tiling.bk) % (4 * threads) == 0;
}
static_assert(stages_whole_vec4s(kLarge) && stages_whole_vec4s(kMedium) &&
              stages_whole_vec4s(kSmall) && stages_whole_vec4s(kConvTall) &&
              stages_whole_vec4s(kConvWide) && stages_whole_vec4s(kConvBig) &&
              stages_whole_vec4s(kConvMedium) && stages_whole_vec4s(kPointwiseMedium));

bool fits(const GemmTiling& tiling, const VkPhysicalDeviceLimits& limits) {
  return tiling.invocations() <= limits.maxComputeWorkGroupInvocations &&
         tiling.invocations() <= limits.maxComputeWorkGroupSize[0] &&
         tiling.shared_bytes() <= limits.maxComputeSharedMemorySize;
}

// Whole blocks, and the device can run them.
bool fills(const GemmTiling& tiling, const VkPhysicalDeviceLimits& limits, std::int64_t m,
           std::int64_t n) {
  return m >= tiling.bm && n >= tiling.bn && fits(tiling, limits);
}

// As many blocks a multiprocessor of `units` as `h100_blocks` are on an H100.
std::uint64_t blocks_for(std::uint32_t units, std::uint64_t h100_blocks) {
  return static_cast<std::uint64_t>(
      h100_blocks_for(static_cast<std::int64_t>(h100_blocks), static_cast<std::int64_t>(units)));
}

// Whole blocks, as many a multiprocessor as `h100_blocks_wanted` on an H100, and the device
// can run them (as OpenCL's fills in opencl/gemm_tiling.cpp).
bool fills(const GemmTiling& tiling, const VkPhysicalDeviceLimits& limits, std::uint32_t units,
           std::int64_t m, std::int64_t n, std::uint64_t h100_blocks_wanted) {
  return fills(tiling, limits, m, n) &&
         tiling.blocks(m, n) >= blocks_for(units, h100_blocks_wanted);
}

// TANDEM_VULKAN_GEMM_TILING, when set: the forced tiling or none ("off", a product smaller
// than one block, a tiling the device cannot run). Unset: nullopt, the choice is ours.
std::optional<std::optional<GemmTiling>> forced_tiling(const VkPhysicalDeviceLimits& limits,
                                                      std::int64_t m, std::int64_t n) {
  const char* forced = std::getenv("TANDEM_VULKAN_GEMM_TILING");
  if (forced == nullptr) return std::nullopt;
  const std::optional<GemmTiling> tiling = parse_gemm_tiling(forced);
  if (!tiling || !fills(*tiling, limits, m, n)) {
    return std::optional<GemmTiling>();
  }
  return tiling;
}

// Split-K of `tiling`'s blocks over `wave`, in parts at least `min_depth` deep, or none.
std::optional<ConvSplit> split_over(const VkPhysicalDeviceLimits& limits, const GemmTiling& tiling,
                                    const Wave& wave, std::int64_t min_depth, std::int64_t m,
                                    std::int64_t n, std::int64_t k) {
  if (!fills(tiling, limits, m, n)) return std::nullopt;
  const KSplit split = split_k(static_cast<std::int64_t>(tiling.blocks(m, n)), k, tiling.bk, wave,
                               min_depth, kMaxSplits);
  if (split.splits == 1) return std::nullopt;
  return ConvSplit{tiling, split.splits, split.depth, split.balance};
}

// Layers with fewer than kSplitBelowBlocks of `tiling`'s blocks on an H100, as many a
// multiprocessor of `units` elsewhere, split them.
bool few_blocks(const GemmTiling& tiling, std::uint32_t units, std::int64_t m, std::int64_t n) {
  return tiling.blocks(m, n) < blocks_for(units, kSplitBelowBlocks);
}

}  // namespace

std::optional<GemmTiling> parse_gemm_tiling(const std::string& name) {
  GemmTiling tiling;
  char tail = 0;
  const int read = std::sscanf(name.c_str(), "%ux%ux%u/%ux%u%c", &tiling.bm, &tiling.bn,
                               &tiling.bk, &tiling.tm, &tiling.tn, &tail);
  if (read != 5 || tiling.bm == 0 || tiling.bn == 0 || tiling.bk == 0 || tiling.tm == 0 ||
      tiling.tn == 0 || tiling.bm % tiling.tm != 0 || tiling.bn % tiling.tn != 0 ||
      !stages_whole_vec4s(tiling)) {
    return std::nullopt;
  }
  return tiling;
}

std::uint64_t GemmTiling::blocks(std::int64_t m, std::int64_t n) const {
  return static_cast<std::uint64_t>((m + bm - 1) / bm) * static_cast<std::uint64_t>((n + bn - 1) / bn);
}

std::vector<std::int32_t> GemmTiling::constants() const {
  return {static_cast<std::int32_t>(bm), static_cast<std::int32_t>(bn),
          static_cast<std::int32_t>(bk), static_cast<std::int32_t>(tm),
          static_cast<std::int32_t>(tn)};
}

std::optional<GemmTiling> choose_gemm_tiling(const VkPhysicalDeviceLimits& limits,
                                             std::uint32_t compute_units, std::int64_t m,
                                             std::int64_t n, std::int64_t k, std::int64_t batches) {
  if (k < 8 || batches < 1) return std::nullopt;
  if (const auto forced = forced_tiling(limits, m, n)) return *forced;
  const auto large_blocks = kLarge.blocks(m, n) * static_cast<std::uint64_t>(batches);
  if (large_blocks >= blocks_for(compute_units, kLargeBlocksWanted) &&
      fills(kLarge, limits, m, n)) {
    return kLarge;
  }
  if (fills(kMedium, limits, m, n)) return kMedium;
  if (fills(kSmall, limits, m, n)) return kSmall;
  return std::nullopt;
}

std::optional<GemmTiling> choose_conv_tiling(const VkPhysicalDeviceLimits& limits,
                                             std::uint32_t compute_units, std::int64_t m,
                                             std::int64_t n, std::int64_t k, bool pointwise) {
  if (const auto forced = forced_tiling(limits, m, n)) return k >= 8 ? *forced : std::nullopt;
  if (!pointwise && k >= 8 &&
      fills(kConvWide, limits, compute_units, m, n, kConvWideBlocksWanted)) {
    return kConvWide;
  }
  // Other padded or strided layers: kConvMedium (on the H100 3x3 s2 64->128 at 56x56 ran at
  // 38.1% of peak on 64 x 64 / 4 x 4 against 31.3% for 128 x 64 / 8 x 4).
  if (!pointwise && k >= 8 && fills(kConvMedium, limits, m, n)) return kConvMedium;
  if (pointwise_takes_medium_blocks(limits, compute_units, m, n, k)) return kPointwiseMedium;
  if (k >= 8 && fills(kConvTall, limits, compute_units, m, n, kConvTallBlocksWanted)) {
    return kConvTall;
  }
  return choose_gemm_tiling(limits, compute_units, m, n, k, 1);
}

std::optional<ConvSplit> choose_conv_split(const VkPhysicalDeviceLimits& limits,
                                           std::uint32_t compute_units, std::int64_t m,
                                           std::int64_t n, std::int64_t k, bool pointwise) {
  const Wave reference{kH100Multiprocessors, kWideBlocksPerUnit};
  if (const auto forced = forced_tiling(limits, m, n)) {
    if (!*forced || !few_blocks(**forced, kH100Multiprocessors, m, n)) return std::nullopt;
    return split_over(limits, **forced, reference, kMinSplitDepth, m, n, k);
  }
  const std::int64_t units = units_or_h100(compute_units);
  const Wave wide{units, kWideBlocksPerUnit}, big{units, kBigBlocksPerUnit};
  const std::uint64_t enough = blocks_for(compute_units, kConvWideBlocksWanted);
  if (few_blocks(kConvWide, compute_units, m, n)) {
    return split_over(limits, kConvWide, wide, kMinSplitDepth, m, n, k);
  }
  if (kConvWide.blocks(m, n) >= enough) return std::nullopt;
  if (pointwise) {
    if (!few_blocks(kConvBig, compute_units, m, n)) return std::nullopt;
    return more_even(split_over(limits, kConvBig, big, kBigSplitDepth, m, n, k),
                     split_over(limits, kConvMedium, wide, kMinSplitDepth, m, n, k));
  }
  if (kConvMedium.blocks(m, n) >= enough) return std::nullopt;
  return split_over(limits, kConvMedium, wide, kPaddedSplitDepth, m, n, k);
}

bool pointwise_takes_medium_blocks(const VkPhysicalDeviceLimits& limits,
                                   std::uint32_t compute_units, std::int64_t m, std::int64_t n,
                                   std::int64_t k) {
  return k >= 8 && kConvTall.blocks(m, n) < blocks_for(compute_units, kConvWideBlocksWanted) &&
         fills(kPointwiseMedium, limits, compute_units, m, n, kConvWideBlocksWanted);
}

}  // namespace tandem::vulkan
