#include "opencl/gemm_tiling.h"

#include <cstdio>
#include <cstdlib>

#include "core/ops/conv_geometry.h"

namespace tandem::opencl {
namespace {

// GPUs, measured on an H100 (docs/performance.md): large products whose operands are float4
// rows take 128 x 128 blocks with 8 x 8 per item and K steps of 8, built for those operands
// only (43.9 TFLOP/s at 4096^3; K steps of 16 gave 30.4, of 32 35.0; 64 x 128 with 4 x 8
// 36.1, and 23.5 without the /vec build); others 64 x 128 with 4 x 8; 64 x 64 with 4 x 4
// keeps more groups in flight for medium products; 32 x 32 for small ones. All are 256 or
// 64 items and 4 to 12 KiB of local memory.
constexpr GemmTiling kGpuVectorLarge{128, 128, 8, 8, 8, true, true};
constexpr GemmTiling kGpuLarge{64, 128, 16, 4, 8, true};
constexpr GemmTiling kGpuMedium{64, 64, 16, 4, 4, true};
constexpr GemmTiling kGpuSmall{32, 32, 16, 4, 4, true};

// Conv on GPUs (kernels/conv_tiled.cl), measured on the H100 at batch 16: 64 x 128 blocks
// with 8 x 8 per item (128 items) where there are enough of them, for 3x3 layers about
// three per multiprocessor (46.2% of FP32 peak against 38.2 for 64 x 64 / 4 x 4 on 3x3
// 64->64 at 56x56, 392 blocks; 29.7 against 34.8 on 3x3 s2 64->128 with 196), for unpadded
// 1x1 layers fewer (42.2% against 38.2 for 128 x 64 / 8 x 4 on 1x1 128->128 at 56x56, 37.9
// against 34.0 on 1x1 512->512 at 14x14 with 200 blocks, even at 100). Otherwise 64 x 64
// with 4 x 4, whose gathered loads keep more groups in flight (21.6% against 12.9 on 3x3
// 512->512 at 7x7).
constexpr GemmTiling kGpuConvWide{64, 128, 16, 8, 8, true};
constexpr std::int64_t kConvWideBlocksWanted = 384;
constexpr std::int64_t kPointwiseWideBlocksWanted = 96;
// Layers with fewer than kSplitBelowBlocks such blocks (under one per multiprocessor) split K
// (kernels/conv_tiled.cl's split-K) into parts of at least kMinSplitDepth, at most kMaxSplits
// of them; padded or strided ones below kConvWideBlocksWanted. The count is the one whose
// blocks spread most evenly over one wave (split_k): on the H100 a multiprocessor runs three
// 64 x 128 / 8 x 8 blocks at once (167 registers an item, 128 items) and two 128 x 128 ones
// (128 registers, 256 items). Measured there at batch 16 (r101): 3x3 512->512 at 7x7 (56
// blocks) ran at 36.2% of FP32 peak in 7 parts (392 blocks), 26.4% in 8 (448, a second
// wave); 1x1 1024->256 at 14x14 (50 blocks of 128 x 128) at 40.9% in 5 parts (250 of 264
// slots) against 35.7% in 4 and 29.8% in 6. Unpadded 1x1 layers with 100 to 200 blocks lost
// (1x1 512->512 at 14x14, 2 parts: 38% to 32.5%).
constexpr std::int64_t kSplitBelowBlocks = 96;
constexpr std::int64_t kMinSplitDepth = 128;
constexpr std::int64_t kMaxSplits = 8;
constexpr std::int64_t kWideBlocksPerUnit = 3;
// Unpadded 1x1 layers with enough 64 x 128 blocks not to split but too few for
// kConvWideBlocksWanted split 128 x 128 blocks (8 x 8 per item, K steps of 8) instead when
// there are under kSplitBelowBlocks of those. Padded or strided layers split whichever of the
// two spreads more evenly: 3x3 256->256 at 14x14 (100 blocks of 64 x 128: 300 at best, 38.2%
// of peak) ran at 41.3% on 128 x 128 in 5 parts, against 34.9% on 64 x 128 in 4.
constexpr GemmTiling kGpuConvBig{128, 128, 8, 8, 8, true};
constexpr std::int64_t kBigBlocksPerUnit = 2;
// A forced tiling (tests, tuning) splits as on an H100, so that tests reach the same splits
// on any device.
constexpr Wave kReferenceWave{kH100Multiprocessors, kWideBlocksPerUnit};
// Padded or strided layers with too few 64 x 128 blocks but enough 64 x 64 ones
// (kConvWideBlocksWanted) and a K of at least kLongConvK run unsplit on 64 x 64 / 4 x 8: on
// the H100, 3x3 512->512 at 7x7, batch 64 (200 blocks of 64 x 128, K 4608) ran at 42.0% of
// FP32 peak so, against 38.6-40.1% on 64 x 64 / 4 x 4, 36.2% split in two and 34.6% unsplit
// on 64 x 128. With a short K split-K still wins: 3x3 s2 64->128 at 56x56, batch 16 (392
// blocks of 64 x 64, K 576), 36.6% against 32.3% for 64 x 64 / 4 x 4.
constexpr GemmTiling kGpuConvLongK{64, 64, 16, 4, 8, true};
constexpr std::int64_t kLongConvK = 2048;
// Layers with 32 to 63 output channels take blocks of 32 rows, which leave none empty: on
// the H100, 3x3 s2 3->32 at 224x224 (K 27) went from 11.8% of FP32 peak (32 x 32 / 4 x 4) to
// 14.4% at batch 64, and from 10.6% to 13.4% at batch 16. GPUs now run that layer, with at most
// 32 inputs per output, on the shallow kernels (opencl/conv_shallow.h); wider ones keep these.
constexpr GemmTiling kGpuConvNarrow{32, 128, 16, 4, 8, true};

// CPUs (pocl): no local memory, each item an 8 x 16 micro-tile (8 rows of A broadcast
// against one 16-wide vector of B per k: 8 vector accumulators), a group of 8 items down
// the rows sharing one 16-column panel of B while it is in cache. Measured on pocl 3.1
// (2 AVX-512 cores) against other shapes: see docs/performance.md.
constexpr GemmTiling kCpu{64, 16, 4, 8, 16, false};

// Enough large blocks to give every multiprocessor of a big GPU work (an H100 has 132).
// This count and the conv ones above are an H100's: fills and choose_conv_split take them
// for a device's own compute units (core's h100_blocks_for).
constexpr std::int64_t kLargeBlocksWanted = 128;

bool fits(const GemmTiling& tiling, const ClDevice& device) {
  return static_cast<std::size_t>(tiling.work_items()) <= device.limits.max_work_group_size &&
         tiling.local_bytes() <= device.limits.local_mem_bytes;
}

// As many blocks a compute unit as `h100_blocks` are on an H100.
std::int64_t blocks_for(const ClDevice& device, std::int64_t h100_blocks) {
  return h100_blocks_for(h100_blocks, static_cast<std::int64_t>(device.limits.compute_units));
}

// Whole blocks, enough of them for every multiprocessor (`h100_blocks_wanted` on an H100),
// and the device can run them.
bool fills(const GemmTiling& tiling, const ClDevice& device, std::int64_t m, std::int64_t n,
           std::int64_t batches, std::int64_t h100_blocks_wanted = kLargeBlocksWanted) {
  return m >= tiling.bm && n >= tiling.bn &&
         tiling.blocks(m, n) * batches >= blocks_for(device, h100_blocks_wanted) &&
         fits(tiling, device);
}

// A padded or strided layer that kGpuConvLongK takes (on a GPU, with no forced tiling).
bool long_k_layer(const ClDevice& device, std::int64_t m, std::int64_t n, std::int64_t k,
                  std::int64_t groups, bool pointwise) {
  return !pointwise && k >= kLongConvK &&
         fills(kGpuConvLongK, device, m, n, groups, kConvWideBlocksWanted);
}

GemmTiling with_operands(GemmTiling tiling, bool vector_operands) {
  tiling.vector_operands = tiling.local_tiles && vector_operands;
  return tiling;
}

std::optional<GemmTiling> forced_tiling(const ClDevice& device, const std::string& name,
                                        std::int64_t m, std::int64_t n, bool vector_operands) {
  if (name == "off") return std::nullopt;
  const std::optional<GemmTiling> tiling = parse_gemm_tiling(name);
  if (!tiling || m < tiling->tm || n < tiling->tn || !fits(*tiling, device)) return std::nullopt;
  return with_operands(*tiling, vector_operands);
}

}  // namespace

std::uint64_t GemmTiling::local_bytes() const {
  return local_tiles ? static_cast<std::uint64_t>(bm + bn) * static_cast<std::uint64_t>(bk) * 4
                     : 32;  // the kernels' placeholder tiles
}

std::int64_t GemmTiling::blocks(std::int64_t m, std::int64_t n) const {
  return ((m + bm - 1) / bm) * ((n + bn - 1) / bn);
}

std::string GemmTiling::name() const {
  return std::to_string(bm) + "x" + std::to_string(bn) + "x" + std::to_string(bk) + "/" +
         std::to_string(tm) + "x" + std::to_string(tn) + (local_tiles ? "/local" : "/direct") +
         (vector_operands ? "/vec" : "");
}

std::string GemmTiling::build_options() const {
  return "-DBM=" + std::to_string(bm) + " -DBN=" + std::to_string(bn) +
         " -DBK=" + std::to_string(bk) + " -DTM=" + std::to_string(tm) +
         " -DTN=" + std::to_string(tn) + " -DLOCAL_TILES=" + (local_tiles ? "1" : "0") +
         " -DVECTOR_OPERANDS=" + (vector_operands ? "1" : "0");
}

bool GemmTiling::valid() const {
  if (bm <= 0 || bn <= 0 || bk <= 0 || tm <= 0 || tn <= 0) return false;
  if (bm % tm != 0 || bn % tn != 0 || tm % 4 != 0 || tn % 4 != 0) return false;
  if (!local_tiles) return tn == 4 || tn == 8 || tn == 16;  // float<TN> vectors
  // Each item stages whole float4s of both tiles per K step (kernels/gemm_tiled.cl).
  const int items = work_items();
  return bk % 4 == 0 && (bm * bk) % (4 * items) == 0 && (bn * bk) % (4 * items) == 0;
}

std::optional<GemmTiling> parse_gemm_tiling(const std::string& name) {
  GemmTiling tiling;
  char mode[16] = {};
  char tail = 0;
  const int read = std::sscanf(name.c_str(), "%dx%dx%d/%dx%d/%15[a-z]%c", &tiling.bm, &tiling.bn,
                               &tiling.bk, &tiling.tm, &tiling.tn, mode, &tail);
  if (read != 6) return std::nullopt;
  const std::string kind = mode;
  if (kind != "local" && kind != "direct") return std::nullopt;
  tiling.local_tiles = kind == "local";
  if (!tiling.valid()) return std::nullopt;
  return tiling;
}

std::optional<GemmTiling> choose_gemm_tiling(const ClDevice& device, std::int64_t m,
                                             std::int64_t n, std::int64_t k,
                                             std::int64_t batches, bool vector_operands) {
  if (batches < 1 || k < 1) return std::nullopt;
  if (const char* forced = std::getenv("TANDEM_OPENCL_GEMM_TILING")) {
    return forced_tiling(device, forced, m, n, vector_operands);
  }
  if (k < 8) return std::nullopt;
  if (device.info.type == "cpu") {
    if (m >= kCpu.tm && n >= kCpu.tn && fits(kCpu, device)) return kCpu;
    return std::nullopt;
  }
  if (vector_operands && fills(kGpuVectorLarge, device, m, n, batches)) return kGpuVectorLarge;
  if (fills(kGpuLarge, device, m, n, batches)) return with_operands(kGpuLarge, vector_operands);
  if (m >= 64 && n >= 64 && fits(kGpuMedium, device)) {
    return with_operands(kGpuMedium, vector_operands);
  }
  if (m >= 32 && n >= 32 && fits(kGpuSmall, device)) {
    return with_operands(kGpuSmall, vector_operands);
  }
  return std::nullopt;
}

std::optional<GemmTiling> choose_conv_tiling(const ClDevice& device, std::int64_t m,
                                             std::int64_t n, std::int64_t k, std::int64_t groups,
                                             bool pointwise) {
  const bool forced = std::getenv("TANDEM_OPENCL_GEMM_TILING") != nullptr;
  if (forced || device.info.type == "cpu" || groups < 1 || k < 8) {
    return choose_gemm_tiling(device, m, n, k, groups);
  }
  const std::int64_t wide_wanted = pointwise ? kPointwiseWideBlocksWanted : kConvWideBlocksWanted;
  if (fills(kGpuConvWide, device, m, n, groups, wide_wanted)) return kGpuConvWide;
  if (m < kGpuConvWide.bm && fills(kGpuConvNarrow, device, m, n, groups, kConvWideBlocksWanted)) {
    return kGpuConvNarrow;
  }
  if (long_k_layer(device, m, n, k, groups, pointwise)) return kGpuConvLongK;
  if (m >= 64 && n >= 64 && fits(kGpuMedium, device)) return kGpuMedium;
  return choose_gemm_tiling(device, m, n, k, groups);
}

namespace {

// The split of `tiling`'s blocks over `wave`, or none.
std::optional<ConvSplit> balanced_split(const ClDevice& device, const GemmTiling& tiling,
                                        const Wave& wave, std::int64_t m, std::int64_t n,
                                        std::int64_t k, std::int64_t groups) {
  if (m < tiling.bm || n < tiling.bn || groups < 1 || !fits(tiling, device)) return std::nullopt;
  const KSplit split =
      split_k(tiling.blocks(m, n) * groups, k, tiling.bk, wave, kMinSplitDepth, kMaxSplits);
  if (split.splits == 1) return std::nullopt;
  return ConvSplit{tiling, split.splits, split.depth, split.balance, wave.per_unit};
}

}  // namespace

std::optional<ConvSplit> choose_conv_split(const ClDevice& device, std::int64_t m, std::int64_t n,
                                           std::int64_t k, std::int64_t groups, bool pointwise) {
  if (const char* forced = std::getenv("TANDEM_OPENCL_GEMM_TILING")) {
    const std::optional<GemmTiling> named = forced_tiling(device, forced, m, n, false);
    if (!named || !named->local_tiles || named->blocks(m, n) * groups >= kSplitBelowBlocks) {
      return std::nullopt;
    }
    return balanced_split(device, *named, kReferenceWave, m, n, k, groups);
  }
  if (device.info.type == "cpu" || groups < 1) return std::nullopt;
  const std::int64_t units = device.limits.compute_units;
  const Wave wide_wave{units, kWideBlocksPerUnit}, big_wave{units, kBigBlocksPerUnit};
  const std::int64_t wide_blocks = kGpuConvWide.blocks(m, n) * groups;
  const std::int64_t enough = blocks_for(device, kConvWideBlocksWanted);
  const std::int64_t too_few = blocks_for(device, kSplitBelowBlocks);
  if (!pointwise) {
    if (wide_blocks >= enough || long_k_layer(device, m, n, k, groups, false)) {
      return std::nullopt;
    }
    return more_even(balanced_split(device, kGpuConvWide, wide_wave, m, n, k, groups),
                     balanced_split(device, kGpuConvBig, big_wave, m, n, k, groups));
  }
  if (wide_blocks < too_few) {
    return balanced_split(device, kGpuConvWide, wide_wave, m, n, k, groups);
  }
  if (wide_blocks >= enough || kGpuConvBig.blocks(m, n) * groups >= too_few) {
    return std::nullopt;
  }
  return balanced_split(device, kGpuConvBig, big_wave, m, n, k, groups);
}

int register_cap(const ClDevice& device, const GemmTiling& tiling, std::int64_t blocks_per_unit) {
  constexpr std::int64_t kMostRegisters = 255;  // an NVIDIA thread's limit
  const std::int64_t threads = static_cast<std::int64_t>(tiling.work_items()) * blocks_per_unit;
  if (device.limits.registers_per_unit == 0 || threads <= 0) return 0;
  const std::int64_t cap = device.limits.registers_per_unit / threads / 8 * 8;
  return cap >= 32 && cap < kMostRegisters ? static_cast<int>(cap) : 0;
}

std::int64_t conv_blocks_per_unit(const GemmTiling& tiling) {
  return tiling == kGpuConvWide ? kWideBlocksPerUnit : 0;
}

std::string blocked_program_name(const GemmTiling& tiling) {
  return "gemm_tiled.cl[" + tiling.name() + "]";
}

ProgramRequest blocked_program(const GemmTiling& tiling) {
  ProgramRequest request = embedded_program("gemm_tiled.cl");
  request.file = blocked_program_name(tiling);
  request.build_options += " " + tiling.build_options();
  return request;
}

}  // namespace tandem::opencl
