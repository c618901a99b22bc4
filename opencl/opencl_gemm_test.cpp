// MatMul and Gemm on pocl against the float64 reference. Each output is a float32 dot
// product of length K <= 257 over inputs in [-1, 1]: rounding error ~ sqrt(K) * 6e-8 *
// max|partial sum| < 1e-5, so 1e-4 * (1 + max|ref|) leaves a 10x margin and still catches
// a single wrong term. Shapes cover the simple kernels (thin or 1-D operands, small
// products) and the register-blocked kernel of gemm_tiled.cl, with pocl's own tiling and
// with the GPU tilings forced (whole blocks, partial edge blocks, K not a multiple of the
// K step, rows not a multiple of 4 so the float4 paths are off, transposes, batches).
#include <gtest/gtest.h>

#include "core/op_registry.h"
#include "opencl/gemm_tiling.h"
#include "opencl/gemm_tiling_test_support.h"
#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;
constexpr double kTolerance = 1e-4;

void skip_unless(const char* op_type) {
  if (!OpRegistry::instance().find(op_type)) GTEST_SKIP() << "core has no " << op_type << " yet";
}

TEST(GemmOpenCl, MatMulShapes) {
  skip_unless("MatMul");
  ReferenceBatch batch;
  std::mt19937 rng(41);
  const std::vector<std::pair<Shape, Shape>> shapes = {{{13, 31}, {31, 17}},
                                                       {{31, 257}, {257, 33}},
                                                       {{1, 64}, {64, 1}},
                                                       {{2, 3, 13, 7}, {7, 5}},
                                                       {{4, 1, 17, 9}, {3, 9, 16}},
                                                       {{31}, {31, 19}},
                                                       {{5, 7}, {7}},
                                                       {{19}, {19}},
                                                       {{2, 20, 18}, {2, 18, 40}}};
  for (const auto& [a, b] : shapes) {
    batch.add("MatMul", {runtime(random_tensor(rng, a)), runtime(random_tensor(rng, b))}, {},
              kTolerance);
  }
  batch.add("MatMul",
            {runtime(random_tensor(rng, {3, 40, 24})), weight(random_tensor(rng, {24, 20}))}, {},
            kTolerance);
  batch.expect_all_match();
}

TEST(GemmOpenCl, GemmTransposesAlphaBetaAndBiasBroadcast) {
  skip_unless("Gemm");
  ReferenceBatch batch;
  std::mt19937 rng(42);
  const std::int64_t m = 19, k = 23, n = 37;
  for (int trans_a = 0; trans_a < 2; ++trans_a) {
    for (int trans_b = 0; trans_b < 2; ++trans_b) {
      const Tensor a = random_tensor(rng, trans_a ? Shape{k, m} : Shape{m, k});
      const Tensor b = random_tensor(rng, trans_b ? Shape{n, k} : Shape{k, n});
      for (const Shape& c : {Shape{n}, Shape{m, 1}, Shape{m, n}, Shape{}, Shape{1, n}}) {
        batch.add("Gemm", {runtime(a), weight(b), weight(random_tensor(rng, c))},
                  attrs({{"transA", std::int64_t{trans_a}},
                         {"transB", std::int64_t{trans_b}},
                         {"alpha", 0.75},
                         {"beta", -1.5}}),
                  kTolerance);
      }
    }
  }
  batch.add("Gemm", {runtime(random_tensor(rng, {1, 13})), weight(random_tensor(rng, {7, 13}))},
            attrs({{"transB", std::int64_t{1}}}), kTolerance);
  batch.expect_all_match();
}

// Products big enough for every tiling tested here (M, N >= 8 x 16 micro-tiles).
void add_blocked_cases(ReferenceBatch& batch, std::mt19937& rng) {
  const std::vector<std::pair<Shape, Shape>> matmuls = {
      {{64, 64}, {64, 128}},         // whole blocks, float4 rows
      {{70, 29}, {29, 37}},          // partial blocks, K % 4 != 0, N % 4 != 0
      {{130, 70}, {70, 136}},        // past one 128 x 128 block
      {{132, 68}, {68, 140}},        // float4 rows, partial 128 x 128 blocks
      {{2, 1, 33, 20}, {3, 20, 36}},  // broadcast batches
  };
  for (const auto& [a, b] : matmuls) {
    batch.add("MatMul", {runtime(random_tensor(rng, a)), runtime(random_tensor(rng, b))}, {},
              kTolerance);
  }
  batch.add("MatMul",
            {runtime(random_tensor(rng, {3, 40, 24})), weight(random_tensor(rng, {24, 20}))}, {},
            kTolerance);
  const std::int64_t m = 40, k = 36, n = 48;
  for (int trans_a = 0; trans_a < 2; ++trans_a) {
    for (int trans_b = 0; trans_b < 2; ++trans_b) {
      const Tensor a = random_tensor(rng, trans_a ? Shape{k, m} : Shape{m, k});
      const Tensor b = random_tensor(rng, trans_b ? Shape{n, k} : Shape{k, n});
      for (const Shape& c : {Shape{n}, Shape{m, 1}, Shape{m, n}}) {
        batch.add("Gemm", {runtime(a), weight(b), weight(random_tensor(rng, c))},
                  attrs({{"transA", std::int64_t{trans_a}},
                         {"transB", std::int64_t{trans_b}},
                         {"alpha", 0.75},
                         {"beta", -1.5}}),
                  kTolerance);
      }
    }
  }
  batch.add("Gemm", {runtime(random_tensor(rng, {33, 17})), weight(random_tensor(rng, {17, 21}))},
            attrs({{"alpha", 2.0}}), kTolerance);
}

TEST(GemmOpenCl, BlockedKernelWithThisDevicesTiling) {
  skip_unless("Gemm");
  const ClDevice device = find_device(test_device());
  // The cases really take the blocked kernel here (the simple kernels are checked above).
  ASSERT_TRUE(choose_gemm_tiling(device, 70, 37, 29, 1));
  ASSERT_TRUE(choose_gemm_tiling(device, 33, 36, 20, 6));
  ASSERT_TRUE(choose_gemm_tiling(device, 40, 48, 36, 1));
  ReferenceBatch batch;
  std::mt19937 rng(43);
  add_blocked_cases(batch, rng);
  batch.expect_all_match();
}

// The tilings a GPU gets (gemm_tiling.cpp), run on pocl: the local-memory kernel.
TEST(GemmOpenCl, BlockedKernelWithGpuTilings) {
  skip_unless("Gemm");
  for (const char* tiling :
       {"128x128x8/8x8/local", "64x128x16/4x8/local", "32x32x16/4x4/local"}) {
    SCOPED_TRACE(tiling);
    const ScopedGemmTiling forced(tiling);
    ReferenceBatch batch;
    std::mt19937 rng(44);
    add_blocked_cases(batch, rng);
    batch.expect_all_match();
  }
}

ClDevice fake_device(const char* type, std::size_t work_group, std::uint64_t local_bytes) {
  ClDevice device;
  device.info.type = type;
  device.limits.max_work_group_size = work_group;
  device.limits.local_mem_bytes = local_bytes;
  device.limits.compute_units = 132;  // an H100's
  return device;
}

TEST(GemmTiling, ChoosesByDeviceAndShape) {
  const ClDevice gpu = fake_device("gpu", 1024, 48 << 10);
  EXPECT_EQ(choose_gemm_tiling(gpu, 4096, 4096, 4096, 1)->name(), "64x128x16/4x8/local");
  // Operands that are float4 rows: 128 x 128 blocks, built for such operands only.
  EXPECT_EQ(choose_gemm_tiling(gpu, 4096, 4096, 4096, 1, true)->name(),
            "128x128x8/8x8/local/vec");
  EXPECT_EQ(choose_gemm_tiling(gpu, 1024, 1024, 1024, 1, true)->name(),
            "64x128x16/4x8/local/vec");
  EXPECT_EQ(choose_gemm_tiling(gpu, 1024, 1024, 1024, 1)->name(), "64x128x16/4x8/local");
  // 512^2 has 32 blocks of 64 x 128, too few for a large GPU: 64 x 64 keeps it busier.
  EXPECT_EQ(choose_gemm_tiling(gpu, 512, 512, 512, 1)->name(), "64x64x16/4x4/local");
  EXPECT_EQ(choose_gemm_tiling(gpu, 512, 512, 512, 4)->name(), "64x128x16/4x8/local");
  EXPECT_EQ(choose_gemm_tiling(gpu, 48, 40, 64, 1)->name(), "32x32x16/4x4/local");
  EXPECT_FALSE(choose_gemm_tiling(gpu, 16, 64, 64, 1));    // the examples' 16-token rows
  EXPECT_FALSE(choose_gemm_tiling(gpu, 512, 512, 4, 1));   // K too short to pay
  // A device with small work groups gets the one tiling of 64 items.
  EXPECT_EQ(choose_gemm_tiling(fake_device("gpu", 128, 48 << 10), 512, 512, 512, 1)->name(),
            "32x32x16/4x4/local");
  const ClDevice cpu = fake_device("cpu", 4096, 512 << 10);
  EXPECT_EQ(choose_gemm_tiling(cpu, 1024, 1024, 1024, 1)->name(), "64x16x4/8x16/direct");
  EXPECT_EQ(choose_gemm_tiling(cpu, 1024, 1024, 1024, 1, true)->name(), "64x16x4/8x16/direct");
  EXPECT_FALSE(choose_gemm_tiling(cpu, 4, 1024, 1024, 1));
  const ScopedGemmTiling off("off");
  EXPECT_FALSE(choose_gemm_tiling(gpu, 4096, 4096, 4096, 1));
}

// Conv layers at batch 16 ([M, batch x positions, K]): 8 x 8 micro-tiles where there are
// enough 64 x 128 blocks (fewer needed for unpadded 1x1 layers), else 64 x 64; 32-row blocks
// for 32 to 63 output channels where there are enough of them.
TEST(GemmTiling, ChoosesConvTilingByBlocks) {
  const ClDevice gpu = fake_device("gpu", 1024, 48 << 10);
  EXPECT_EQ(choose_conv_tiling(gpu, 64, 50176, 576, 1, false)->name(), "64x128x16/8x8/local");
  EXPECT_EQ(choose_conv_tiling(gpu, 128, 12544, 576, 1, false)->name(), "64x64x16/4x4/local");
  EXPECT_EQ(choose_conv_tiling(gpu, 512, 3136, 512, 1, true)->name(), "64x128x16/8x8/local");
  EXPECT_EQ(choose_conv_tiling(gpu, 512, 784, 4608, 1, false)->name(), "64x64x16/4x4/local");
  EXPECT_EQ(choose_conv_tiling(gpu, 512, 3136, 4608, 1, false)->name(), "64x64x16/4x8/local");
  EXPECT_EQ(choose_conv_tiling(gpu, 512, 3136, 1152, 1, false)->name(), "64x64x16/4x4/local");
  EXPECT_EQ(choose_conv_tiling(gpu, 64, 1024, 288, 1, true)->name(), "64x64x16/4x4/local");
  EXPECT_EQ(choose_conv_tiling(gpu, 32, 802816, 27, 1, false)->name(), "32x128x16/4x8/local");
  EXPECT_EQ(choose_conv_tiling(gpu, 48, 50176, 64, 1, true)->name(), "32x128x16/4x8/local");
  EXPECT_EQ(choose_conv_tiling(gpu, 32, 1024, 27, 1, false)->name(), "32x32x16/4x4/local");
  const ClDevice cpu = fake_device("cpu", 4096, 512 << 10);
  EXPECT_EQ(choose_conv_tiling(cpu, 64, 50176, 576, 1, false)->name(), "64x16x4/8x16/direct");
}

// Split-K cuts K, in parts at least 128 deep, into the count that spreads the blocks most
// evenly over one wave of the 132 compute units (three 64 x 128 or two 128 x 128 blocks at
// once on each): padded or strided layers with under 384 blocks of 64 x 128, on whichever
// of the two spreads more evenly, unless K is 2048 or more and 64 x 64 blocks number 384
// (those run unsplit on 64 x 64 / 4 x 8); unpadded 1x1 layers only under 96 such blocks,
// and with 96 to 383 they split 128 x 128 blocks if they have under 96 of those.
TEST(GemmTiling, SplitsConvLayersWithFewBlocks) {
  const ClDevice gpu = fake_device("gpu", 1024, 48 << 10);
  const auto split = [&](std::int64_t m, std::int64_t n, std::int64_t k, bool pointwise) {
    const std::optional<ConvSplit> chosen = choose_conv_split(gpu, m, n, k, 1, pointwise);
    return chosen ? std::vector<std::int64_t>{chosen->splits, chosen->depth}
                  : std::vector<std::int64_t>{};
  };
  const auto tiling = [&](std::int64_t m, std::int64_t n, std::int64_t k, bool pointwise) {
    return choose_conv_split(gpu, m, n, k, 1, pointwise)->tiling.name();
  };
  using Split = std::vector<std::int64_t>;
  EXPECT_EQ(split(512, 784, 4608, false), (Split{7, 672}));  // 56 blocks: 392
  EXPECT_EQ(tiling(512, 784, 4608, false), "64x128x16/8x8/local");
  EXPECT_EQ(split(256, 1536, 2304, false), (Split{8, 288}));    // 48: at most 8
  EXPECT_EQ(split(128, 1024, 1000, true), (Split{8, 128}));     // 16 blocks
  EXPECT_EQ(split(128, 12544, 576, false), (Split{2, 288}));    // 196 blocks: 392
  // 100 blocks of 64 x 128 reach 300 of 396 slots at best; 50 of 128 x 128, 250 of 264.
  EXPECT_EQ(split(256, 3136, 2304, false), (Split{5, 464}));
  EXPECT_EQ(tiling(256, 3136, 2304, false), "128x128x8/8x8/local");
  EXPECT_EQ(split(512, 3136, 4608, false), Split{});            // 392 of 64 x 64, K long
  EXPECT_EQ(split(64, 50176, 576, false), Split{});             // 392 blocks: enough
  EXPECT_EQ(split(256, 3136, 1024, true), (Split{5, 208}));     // 50 of 128 x 128: 250
  EXPECT_EQ(tiling(256, 3136, 1024, true), "128x128x8/8x8/local");
  EXPECT_EQ(split(512, 3136, 512, true), Split{});              // 100 of 128 x 128
  EXPECT_EQ(split(64, 3000, 200, false), Split{});              // too short to share
  EXPECT_FALSE(choose_conv_split(fake_device("cpu", 4096, 512 << 10), 512, 784, 4608, 1, false));
}

// The wave and the thresholds follow the device's compute units: "few" and "enough" blocks
// are as many a unit as on an H100 (96 and 384 of 64 x 128 for padded layers there, 30 and
// 117 on 40 units). 3x3 512->512 at 7x7, batch 4 (16 blocks): 8 parts fill 128 of an H100's
// 132 units once, 5 fill 40 units' 120 slots 2 a unit. A 3x3 layer with 150 blocks is enough
// for 40 units (64 x 128, unsplit) and too few for an H100 (64 x 64). A 1x1 layer with 50
// such blocks (few under 96 on an H100, under 30 on 40 units) splits them 5 ways on an H100
// (250 of 396 slots); on 40 units they are not few, but its 25 blocks of 128 x 128 are, and
// split 3 ways fill 75 of 80 slots.
TEST(GemmTiling, ThresholdsFollowTheComputeUnits) {
  ClDevice h100 = fake_device("gpu", 1024, 48 << 10), forty = h100;
  forty.limits.compute_units = 40;
  const auto split = [](const ClDevice& gpu, std::int64_t m, std::int64_t n, std::int64_t k,
                        bool pointwise) {
    const std::optional<ConvSplit> chosen = choose_conv_split(gpu, m, n, k, 1, pointwise);
    return chosen ? chosen->tiling.name() + " " + std::to_string(chosen->splits)
                  : std::string("none");
  };
  EXPECT_EQ(split(h100, 512, 196, 4608, false), "64x128x16/8x8/local 8");
  EXPECT_EQ(split(forty, 512, 196, 4608, false), "64x128x16/8x8/local 5");
  EXPECT_EQ(choose_conv_tiling(h100, 64, 19200, 576, 1, false)->name(), "64x64x16/4x4/local");
  EXPECT_EQ(choose_conv_tiling(forty, 64, 19200, 576, 1, false)->name(), "64x128x16/8x8/local");
  EXPECT_EQ(split(forty, 64, 19200, 576, false), "none");
  EXPECT_EQ(choose_conv_tiling(h100, 128, 3200, 1024, 1, true)->name(), "64x64x16/4x4/local");
  EXPECT_EQ(choose_conv_tiling(forty, 128, 3200, 1024, 1, true)->name(), "64x128x16/8x8/local");
  EXPECT_EQ(split(h100, 128, 3200, 1024, true), "64x128x16/8x8/local 5");
  EXPECT_EQ(split(forty, 128, 3200, 1024, true), "128x128x8/8x8/local 3");
}

// On NVIDIA, split programs cap their registers so that the blocks the wave counted fit on a
// compute unit at once: 65536 registers over three 128-item blocks of 64 x 128 / 8 x 8 leave
// 168 an item (170 in steps of 8), over two 256-item blocks of 128 x 128 128. No cap where
// the device does not say (not NVIDIA) or where the share passes 255.
TEST(GemmTiling, CapsRegistersOfSplitsOnNvidia) {
  ClDevice gpu = fake_device("gpu", 1024, 48 << 10);
  const GemmTiling wide = *parse_gemm_tiling("64x128x16/8x8/local");
  EXPECT_EQ(register_cap(gpu, wide, 3), 0);
  gpu.limits.registers_per_unit = 65536;
  const auto cap = [&](std::int64_t m, std::int64_t n, std::int64_t k, bool pointwise) {
    const std::optional<ConvSplit> split = choose_conv_split(gpu, m, n, k, 1, pointwise);
    return register_cap(gpu, split->tiling, split->blocks_per_unit);
  };
  EXPECT_EQ(cap(512, 784, 4608, false), 168);
  EXPECT_EQ(cap(256, 3136, 2304, false), 128);
  EXPECT_EQ(cap(256, 3136, 1024, true), 128);
  EXPECT_EQ(register_cap(gpu, wide, 2), 0);  // 256 an item
  EXPECT_EQ(register_cap(gpu, *parse_gemm_tiling("32x32x16/4x4/local"), 3), 0);
}

TEST(GemmTiling, ParsesNamesAndRejectsWhatTheKernelCannotBuild) {
  const std::optional<GemmTiling> large = parse_gemm_tiling("128x128x8/8x8/local");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->work_items(), 256);
  EXPECT_EQ(large->local_bytes(), 8192u);
  EXPECT_EQ(large->build_options(),
            "-DBM=128 -DBN=128 -DBK=8 -DTM=8 -DTN=8 -DLOCAL_TILES=1 -DVECTOR_OPERANDS=0");
  EXPECT_EQ(blocked_program(*large).file, "gemm_tiled.cl[128x128x8/8x8/local]");
  EXPECT_TRUE(parse_gemm_tiling("64x16x4/8x16/direct"));
  EXPECT_FALSE(parse_gemm_tiling("64x16x4/8x12/direct"));   // no float12
  EXPECT_FALSE(parse_gemm_tiling("64x64x4/4x4/local"));     // 1 float per item per step
  EXPECT_FALSE(parse_gemm_tiling("60x64x16/4x4/local"));    // B's tile: no whole float4s
  EXPECT_FALSE(parse_gemm_tiling("64x64x16/4x4/global"));
  EXPECT_FALSE(parse_gemm_tiling("64x64x16/4x4/local trailing"));
  EXPECT_FALSE(parse_gemm_tiling("off"));
}

}  // namespace
}  // namespace tandem::opencl
