// The register-blocked kernels (shaders/gemm_tile.glsl through gemm_tiled.comp and
// conv_gemm.comp) against the float64 reference: every block size the tiling picks, vec4 and
// scalar loads, transposed operands, broadcast batches, partial edge blocks, implicit-GEMM
// convolutions with padding, strides, dilations, bias and fused activations.
#include <chrono>
#include <cstdlib>
#include <random>

#include "core/graph_test_support.h"
#include "core/op_registry.h"
#include "core/planner.h"
#include "core/reference_backend.h"
#include "core/scoped_environment_test_support.h"
#include "core/stopwatch.h"
#include "vulkan/device.h"
#include "vulkan/gemm_tiling.h"
#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

using tandem::testing::add_graph_input;
using tandem::testing::append_node;

class GemmTiledTest : public VulkanTest {
 protected:
  // The limits of the device the tests run on (lavapipe here).
  static VkPhysicalDeviceLimits limits() {
    const auto instance = VulkanInstance::create();
    return instance->find(test_device()).properties.limits;
  }
};

using Ints = std::vector<std::int64_t>;

// Sums of up to ~600 float32 products of values in [-1, 1): rounding stays far below 1e-4
// relative to the output's magnitude.
constexpr double kTolerance = 1e-4;

TEST_F(GemmTiledTest, TilingFollowsShape) {
  const VkPhysicalDeviceLimits device = limits();
  ASSERT_TRUE(choose_gemm_tiling(device, 0, 130, 129, 24, 128).has_value());
  EXPECT_EQ(choose_gemm_tiling(device, 0, 130, 129, 24, 128)->bn, 128u);
  EXPECT_EQ(choose_gemm_tiling(device, 0, 65, 70, 24, 1)->bm, 64u);
  EXPECT_EQ(choose_gemm_tiling(device, 0, 33, 40, 24, 1)->bm, 32u);
  EXPECT_FALSE(choose_gemm_tiling(device, 0, 16, 64, 64, 1).has_value());
  EXPECT_FALSE(choose_gemm_tiling(device, 0, 64, 64, 4, 1).has_value());
  // Convolutions: 128 x 64 blocks for many output channels when there are enough blocks,
  // 64 x 128 / 8 x 8 for other than 1x1 layers with many more, 64 x 64 / 4 x 8 for those
  // with fewer; 1x1 layers that fill a wave of 64 x 64 blocks but not of 128 x 64 ones
  // 64 x 64 / 8 x 4, and not conv_pointwise.
  EXPECT_EQ(choose_conv_tiling(device, 0, 128, 6144, 144, true)->bm, 128u);
  EXPECT_EQ(choose_conv_tiling(device, 0, 512, 784, 4608, false)->bm, 64u);
  EXPECT_EQ(choose_conv_tiling(device, 0, 512, 784, 4608, false)->tm, 4u);
  EXPECT_EQ(choose_conv_tiling(device, 0, 512, 784, 4608, false)->tn, 8u);
  EXPECT_TRUE(pointwise_takes_medium_blocks(device, 0, 512, 3136, 512));  // 392 blocks, 196 tall
  EXPECT_EQ(choose_conv_tiling(device, 0, 512, 3136, 512, true)->tm, 8u);
  EXPECT_EQ(choose_conv_tiling(device, 0, 512, 3136, 512, true)->bn, 64u);
  EXPECT_FALSE(pointwise_takes_medium_blocks(device, 0, 512, 12544, 512));  // 784 tall blocks
  EXPECT_FALSE(pointwise_takes_medium_blocks(device, 0, 256, 3136, 1024));  // 196 blocks
  EXPECT_EQ(choose_conv_tiling(device, 0, 64, 50176, 576, false)->tm, 8u);
  EXPECT_EQ(choose_conv_tiling(device, 0, 64, 50176, 576, false)->bn, 128u);
  EXPECT_EQ(choose_conv_tiling(device, 0, 64, 50176, 256, true)->tm, 4u);
  for (const GemmTiling& tiling : {*choose_gemm_tiling(device, 0, 130, 129, 24, 128),
                                   *choose_gemm_tiling(device, 0, 65, 70, 24, 1)}) {
    EXPECT_LE(tiling.invocations(), device.maxComputeWorkGroupInvocations);
    EXPECT_LE(tiling.shared_bytes(), device.maxComputeSharedMemorySize);
  }
}

// Split-K: under 96 blocks of 64 x 128, the count that spreads them most evenly over an
// H100's 132 x 3 slots. With more, but too few to fill it: unpadded 1x1 layers split under
// 96 blocks of 128 x 128 over 132 x 2 slots, or 64 x 64 blocks over 132 x 3 when those
// spread more evenly; padded layers with too few 64 x 64 blocks split those in parts at least
// 512 deep. A device of unknown count (0) splits as an H100.
TEST_F(GemmTiledTest, SplitsConvLayersWithFewBlocks) {
  const VkPhysicalDeviceLimits device = limits();
  const auto split = [&](std::int64_t m, std::int64_t n, std::int64_t k, bool pointwise,
                         std::uint32_t units = 132) {
    const std::optional<ConvSplit> chosen = choose_conv_split(device, units, m, n, k, pointwise);
    return chosen ? std::to_string(chosen->tiling.bm) + "x" + std::to_string(chosen->tiling.bn) +
                        " " + std::to_string(chosen->splits) + "x" + std::to_string(chosen->depth)
                  : std::string("none");
  };
  EXPECT_EQ(split(512, 784, 4608, false), "64x128 7x672");    // 56 blocks: 392
  EXPECT_EQ(split(256, 3136, 2304, false), "64x64 2x1152");   // 196 blocks: 392
  EXPECT_EQ(split(256, 3136, 1024, true), "64x64 2x512");     // 196 blocks: 392 of 396
  EXPECT_EQ(split(384, 2400, 1024, true), "128x128 4x256");   // 2 x 228 of 64 x 64: two waves
  EXPECT_EQ(split(512, 3136, 1024, true), "none");            // 100 blocks of 128 x 128
  EXPECT_EQ(split(128, 12544, 576, false), "none");           // 392 blocks of 64 x 64
  EXPECT_EQ(split(128, 6272, 576, false), "none");            // 196, parts under 512 deep
  EXPECT_EQ(split(512, 3136, 4608, false), "none");           // 392 blocks of 64 x 64
  EXPECT_EQ(split(64, 50176, 576, false), "none");            // 392 blocks of 64 x 128
  EXPECT_EQ(split(512, 784, 4608, false, 0), "64x128 7x672");
  EXPECT_EQ(split(256, 3136, 1024, true, 0), "64x64 2x512");
}

// The wave is the device's own where it counts its multiprocessors, and so are "few" and
// "enough" blocks: as many a multiprocessor as on an H100 (96 and 384 there, 30 and 117 on 40
// units, 18 and 70 on 24). 3x3 512->512 at 7x7, batch 4 (16 blocks of 64 x 128): 8 parts fill
// 128 of an H100's 132 units once, 5 fill 40 units' 120 slots 2 a unit, 3 fill 24 units' 72 2 a
// unit. A 3x3 layer with 150 such blocks is enough for 40 units, too few for an H100 (64 x 64
// blocks there). 3x3 512->512 at 7x7, batch 16 (56 blocks): few on an H100 (7 parts), not on
// 40 units, where 104 blocks of 64 x 64 spread best unsplit.
TEST_F(GemmTiledTest, SplitsOverTheDevicesOwnMultiprocessors) {
  const VkPhysicalDeviceLimits device = limits();
  const auto parts = [&](std::uint32_t units, std::int64_t m, std::int64_t n, std::int64_t k) {
    const std::optional<ConvSplit> chosen = choose_conv_split(device, units, m, n, k, false);
    return chosen ? std::to_string(chosen->tiling.bn) + " " + std::to_string(chosen->splits)
                  : std::string("none");
  };
  EXPECT_EQ(parts(132, 512, 196, 4608), "128 8");
  EXPECT_EQ(parts(40, 512, 196, 4608), "128 5");
  EXPECT_EQ(parts(24, 512, 196, 4608), "128 3");
  EXPECT_EQ(parts(132, 512, 784, 4608), "128 7");
  EXPECT_EQ(parts(40, 512, 784, 4608), "none");
  EXPECT_EQ(choose_conv_tiling(device, 40, 512, 784, 4608, false)->bn, 64u);
  EXPECT_EQ(choose_conv_tiling(device, 40, 64, 19200, 576, false)->bn, 128u);
  EXPECT_EQ(choose_conv_tiling(device, 132, 64, 19200, 576, false)->bn, 64u);
  EXPECT_EQ(parts(40, 64, 19200, 576), "none");
  // 1x1 1024->256 at 14x14, batch 16: 100 blocks of 64 x 128 split 64 x 64 blocks in 2 on an
  // H100 (SplitsConvLayersWithFewBlocks) and are enough for 24 units.
  EXPECT_FALSE(choose_conv_split(device, 24, 256, 3136, 1024, true).has_value());
}

// TANDEM_VULKAN_GEMM_TILING: a valid name forces that tiling where a whole block fits,
// "off" and names the shader cannot build leave the simple kernels.
TEST_F(GemmTiledTest, TilingFromTheEnvironment) {
  const VkPhysicalDeviceLimits device = limits();
  ASSERT_TRUE(parse_gemm_tiling("128x64x16/8x4").has_value());
  EXPECT_EQ(parse_gemm_tiling("128x64x16/8x4")->tm, 8u);
  EXPECT_FALSE(parse_gemm_tiling("64x128x8/4x8").has_value());  // half a vec4 per invocation
  EXPECT_FALSE(parse_gemm_tiling("64x64x16/4x4/local").has_value());
  setenv("TANDEM_VULKAN_GEMM_TILING", "32x32x16/4x4", 1);
  const std::optional<GemmTiling> forced = choose_gemm_tiling(device, 0, 130, 129, 24, 128);
  const std::optional<GemmTiling> forced_conv = choose_conv_tiling(device, 0, 128, 6144, 144, true);
  const bool too_small = choose_gemm_tiling(device, 0, 16, 64, 64, 1).has_value();
  setenv("TANDEM_VULKAN_GEMM_TILING", "off", 1);
  const bool off = choose_gemm_tiling(device, 0, 130, 129, 24, 128).has_value();
  unsetenv("TANDEM_VULKAN_GEMM_TILING");
  ASSERT_TRUE(forced.has_value());
  EXPECT_EQ(forced->bn, 32u);
  EXPECT_EQ(forced_conv->bm, 32u);
  EXPECT_FALSE(too_small);
  EXPECT_FALSE(off);
}

// Each MatMul names the block size and load layouts it exercises.
TEST_F(GemmTiledTest, MatMulBlocks) {
  std::mt19937 rng(41);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{64, 64}, {64, 64}},            // 64 blocks, vec4 A and B, vec4 stores, exact fit
      {{65, 37}, {37, 70}},            // 64 blocks, scalar loads, partial blocks, K % 16 != 0
      {{33, 20}, {20, 45}},            // 32 blocks, vec4 A, scalar B
      {{2, 1, 66, 24}, {3, 24, 64}},   // broadcast batches on both sides
      {{128, 129, 20}, {20, 130}},     // 64 x 128 blocks (enough of them), partial edges, K step
  };
  for (const auto& [a, b] : cases) {
    SCOPED_TRACE("A " + shape_to_string(a) + " B " + shape_to_string(b));
    expect_matches_reference("MatMul", {},
                             {runtime(random_tensor(rng, a)), constant(random_tensor(rng, b))},
                             kTolerance);
  }
}

// MatMul and Gemm on 8 x 8 micro-tiles, forced (the tiling picks 4 x 8, faster on the H100:
// vulkan-registers-2026-11-25.md): vec4 and scalar loads, partial blocks, alpha, beta and C.
TEST_F(GemmTiledTest, EightByEightMicroTiles) {
  std::mt19937 rng(50);
  const tandem::testing::ScopedEnvironment forced("TANDEM_VULKAN_GEMM_TILING", "128x128x8/8x8");
  expect_matches_reference(
      "MatMul", {},
      {runtime(random_tensor(rng, {256, 72})), constant(random_tensor(rng, {72, 132}))},
      kTolerance);
  expect_matches_reference(
      "MatMul", {},
      {runtime(random_tensor(rng, {130, 37})), constant(random_tensor(rng, {37, 129}))},
      kTolerance);
  expect_matches_reference(
      "Gemm", attrs({{"transA", 1}, {"alpha", 0.5}, {"beta", -1.25}}),
      {runtime(random_tensor(rng, {40, 136})), constant(random_tensor(rng, {40, 140})),
       constant(random_tensor(rng, {140}))},
      kTolerance);
}

TEST_F(GemmTiledTest, GemmTransposesAndC) {
  std::mt19937 rng(42);
  struct Case {
    Shape a, b, c;
    std::int64_t trans_a, trans_b;
  };
  const std::vector<Case> cases = {
      {{96, 72}, {96, 68}, {68}, 1, 0},     // A read along i (transposed)
      {{72, 96}, {68, 96}, {72, 1}, 0, 1},  // B read along k (transposed)
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("A " + shape_to_string(c.a) + " B " + shape_to_string(c.b));
    expect_matches_reference(
        "Gemm",
        attrs({{"transA", c.trans_a}, {"transB", c.trans_b}, {"alpha", 0.5}, {"beta", -1.25}}),
        {runtime(random_tensor(rng, c.a)), constant(random_tensor(rng, c.b)),
         constant(random_tensor(rng, c.c))},
        kTolerance);
  }
}

struct ConvCase {
  Shape x;
  Shape w;
  Attributes attributes;
  bool bias = true;
};

// Each layer on fresh inputs from rng (x, weights, bias in that order) against the reference.
void expect_convs_match(std::mt19937& rng, const std::vector<ConvCase>& cases) {
  for (const ConvCase& c : cases) {
    std::vector<NodeInput> inputs{runtime(random_tensor(rng, c.x)),
                                  constant(random_tensor(rng, c.w))};
    if (c.bias) inputs.push_back(constant(random_tensor(rng, {c.w[0]})));
    SCOPED_TRACE("x " + shape_to_string(c.x) + " w " + shape_to_string(c.w));
    expect_matches_reference("Conv", c.attributes, inputs, kTolerance);
  }
}

TEST_F(GemmTiledTest, ConvImplicitGemm) {
  std::mt19937 rng(43);
  const std::vector<ConvCase> cases = {
      // Pointwise: vec4 gathers (8x8 positions) and scalar ones (7x9). Pointwise layers with
      // positions in vec4s take conv_pointwise.comp up to 512 input channels.
      {{2, 516, 8, 8}, {40, 516, 1, 1}, {}},
      {{1, 33, 7, 9}, {36, 33, 1, 1}, {}, false},
      // 3x3 strided with padding (64 blocks), then dilated, asymmetric and batched.
      {{1, 5, 17, 16}, {64, 5, 3, 3}, attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}})},
      {{2, 6, 13, 14},
       {33, 6, 3, 2},
       attrs({{"dilations", Ints{2, 1}}, {"pads", Ints{2, 0, 1, 1}}, {"strides", Ints{1, 2}}})},
      // 1-D.
      {{2, 12, 50}, {32, 12, 5}, attrs({{"pads", Ints{2, 2}}})},
      // The batch's columns side by side: blocks that straddle images, with scalar stores
      // (7x7 positions), vec4 gathers and stores (6x6), and 64 x 128 blocks.
      {{3, 20, 7, 7}, {64, 20, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}})},
      {{3, 516, 6, 6}, {48, 516, 1, 1}, {}},
      {{4, 2, 64, 64}, {64, 2, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}})},
      // 128 x 64 blocks (1x1, 128 output channels, 96 blocks).
      {{2, 516, 48, 64}, {128, 516, 1, 1}, {}},
      // 64 x 64 / 8 x 4 blocks, not conv_pointwise.comp: a 1x1 layer with 384 of those and
      // 192 of 128 x 64.
      {{3, 16, 64, 64}, {128, 16, 1, 1}, attrs({{kFusedActivation, std::string("Relu")}})},
      // 64 x 64 blocks for a padded layer with too few 64 x 128 ones, tap-major.
      {{2, 16, 24, 32}, {128, 16, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}})},
      // C a multiple of 16: weights reordered tap-major, a K step per tap; strided, dilated,
      // asymmetric pads, images straddled.
      {{3, 32, 9, 10},
       {40, 32, 3, 3},
       attrs({{"strides", Ints{2, 1}}, {"dilations", Ints{1, 2}}, {"pads", Ints{2, 1, 1, 2}}})},
  };
  expect_convs_match(rng, cases);
}

// 64 x 128 blocks with 8 x 8 per invocation, which layers with many blocks take on big GPUs
// (forced here: the layers are small), tap-major with several K steps per tap.
TEST_F(GemmTiledTest, ConvWideBlocks) {
  std::mt19937 rng(47);
  const tandem::testing::ScopedEnvironment forced("TANDEM_VULKAN_GEMM_TILING", "64x128x16/8x8");
  expect_convs_match(
      rng, {{{2, 32, 12, 12}, {64, 32, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}})},
            {{3, 48, 9, 20},
             {70, 48, 3, 3},
             attrs({{"strides", Ints{2, 1}}, {"pads", Ints{1, 0, 1, 2}}})}});
}

// A tiling of 8 invocations and K steps of 12, neither a multiple of the other: B read along
// k (a transposed Gemm B) must be stored at each value's own index, not at value 0's plus a
// constant (gemm_tile.glsl's store_b); B read along j, as vec4s or scalars, and a conv's
// gathered B still are.
TEST_F(GemmTiledTest, StagingStoresOfFewInvocations) {
  std::mt19937 rng(51);
  const tandem::testing::ScopedEnvironment forced("TANDEM_VULKAN_GEMM_TILING", "16x8x12/4x4");
  expect_matches_reference(
      "Gemm", attrs({{"transB", 1}}),
      {runtime(random_tensor(rng, {26, 50})), constant(random_tensor(rng, {68, 50}))}, kTolerance);
  expect_matches_reference(
      "MatMul", {}, {runtime(random_tensor(rng, {26, 48})), constant(random_tensor(rng, {48, 68}))},
      kTolerance);
  expect_matches_reference(
      "MatMul", {}, {runtime(random_tensor(rng, {25, 30})), constant(random_tensor(rng, {30, 67}))},
      kTolerance);
  expect_convs_match(rng, {{{2, 8, 9, 9}, {20, 8, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}})}});
}

// Split-K (K >= 512 and few blocks; forced tilings so that small layers split): splits
// starting inside a tap, pointwise and gathered reads, bias and activations applied once
// after the splits are summed. K up to 720 keeps float32 rounding well inside kTolerance.
TEST_F(GemmTiledTest, ConvSplitK) {
  const VkPhysicalDeviceLimits device = limits();
  for (const char* tiling : {"64x128x16/8x8", "64x64x16/4x8"}) {
    SCOPED_TRACE(tiling);
    const tandem::testing::ScopedEnvironment forced("TANDEM_VULKAN_GEMM_TILING", tiling);
    const std::optional<ConvSplit> split = choose_conv_split(device, 0, 70, 162, 720, false);
    ASSERT_TRUE(split.has_value());
    EXPECT_EQ(split->splits, 2);
    EXPECT_EQ(split->depth, 368);
    std::mt19937 rng(48);
    const std::vector<ConvCase> cases = {
        {{2, 80, 9, 9},
         {70, 80, 3, 3},
         attrs({{"pads", Ints{1, 1, 1, 1}}, {kFusedActivation, std::string("Relu")}})},
        {{2, 96, 8, 9},
         {64, 96, 3, 3},
         attrs({{"strides", Ints{1, 2}},
                {"pads", Ints{2, 1, 1, 1}},
                {kFusedActivation, std::string("Clip")},
                {kFusedAlpha, -0.5},
                {kFusedBeta, 0.5}})},
        {{2, 600, 8, 8}, {64, 600, 1, 1}, {}},
        // 5751 outputs: the second pass's scalar path and a last invocation of 3 elements.
        {{1, 80, 9, 9}, {71, 80, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}})},
    };
    expect_convs_match(rng, cases);
    // Weights fed at run time: the gather finds each k's tap from the split's first k.
    expect_matches_reference("Conv", attrs({{"pads", Ints{1, 1, 1, 1}}}),
                             {runtime(random_tensor(rng, {2, 64, 10, 10})),
                              runtime(random_tensor(rng, {72, 64, 3, 3}))},
                             kTolerance);
  }
  // 128 x 128 blocks with K steps of 8, as 14x14 1x1 layers split on big GPUs.
  const tandem::testing::ScopedEnvironment big("TANDEM_VULKAN_GEMM_TILING", "128x128x8/8x8");
  ASSERT_TRUE(choose_conv_split(device, 0, 130, 128, 520, true).has_value());
  EXPECT_EQ(choose_conv_split(device, 0, 130, 128, 520, true)->splits, 2);
  std::mt19937 rng(49);
  expect_convs_match(rng, {{{2, 520, 8, 8}, {130, 520, 1, 1}, {}},
                           {{2, 64, 8, 8}, {130, 64, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}})}});
}

// x -> Conv 64->80 (3x3, bias) -> Relu -> Conv 80->72 (3x3): two convolutions that split K.
Graph two_split_convs(std::mt19937& rng) {
  Graph graph;
  const ValueId x = add_graph_input(graph, "x", {2, 64, 9, 9});
  const Attributes padded = attrs({{"pads", Ints{1, 1, 1, 1}}});
  const ValueId conv = append_node(graph, "Conv",
                                   {x, graph.add_constant("w1", random_tensor(rng, {80, 64, 3, 3})),
                                    graph.add_constant("b1", random_tensor(rng, {80}))},
                                   padded);
  const ValueId relu = append_node(graph, "Relu", {conv});
  graph.outputs() = {append_node(
      graph, "Conv", {relu, graph.add_constant("w2", random_tensor(rng, {72, 80, 3, 3}))}, padded)};
  return graph;
}

// Split-K's tickets (conv_gemm.comp): each conv's last split to arrive adds up the copies and
// resets its block's ticket, so replays with fresh inputs stay right, with two split layers
// sharing the scratch copies.
TEST_F(GemmTiledTest, ConvSplitKAcrossReplays) {
  const tandem::testing::ScopedEnvironment forced("TANDEM_VULKAN_GEMM_TILING", "64x64x16/4x8");
  const VkPhysicalDeviceLimits device = limits();
  for (const auto& [m, k] : {std::pair{80, 576}, std::pair{72, 720}}) {
    const std::optional<ConvSplit> split = choose_conv_split(device, 0, m, 162, k, false);
    ASSERT_TRUE(split.has_value()) << m << " channels";
    EXPECT_EQ(split->splits, 2) << m << " channels";
  }
  std::mt19937 rng(52);
  const Plan plan = make_plan(two_split_convs(rng), {{DType::F32, {2, 64, 9, 9}}}, {});
  CompileOptions options;
  options.cache.mode = CacheMode::Off;
  const std::unique_ptr<Executable> executable =
      test_backend().compile(plan, test_device(), options);
  for (int replay = 0; replay < 3; ++replay) {
    SCOPED_TRACE("replay " + std::to_string(replay));
    const std::vector<Tensor> inputs{random_tensor(rng, {2, 64, 9, 9})};
    const Mismatch mismatch = compare(executable->run(inputs)[0], run_reference(plan, inputs)[0]);
    EXPECT_LE(mismatch.max_abs_error, kTolerance * (1.0 + mismatch.max_abs_reference));
    EXPECT_GT(mismatch.max_abs_reference, 0.0);
  }
}

// Weights fed at run time cannot be reordered: the gather splits k = (c, kh, kw) itself.
TEST_F(GemmTiledTest, ConvRuntimeWeights) {
  std::mt19937 rng(46);
  expect_matches_reference("Conv", attrs({{"pads", Ints{1, 1, 1, 1}}}),
                           {runtime(random_tensor(rng, {2, 16, 10, 10})),
                            runtime(random_tensor(rng, {40, 16, 3, 3})),
                            constant(random_tensor(rng, {40}))},
                           kTolerance);
}

TEST_F(GemmTiledTest, ConvFusedActivations) {
  std::mt19937 rng(44);
  for (const Attributes& fused : {attrs({{kFusedActivation, std::string("Clip")},
                                         {kFusedAlpha, 0.0},
                                         {kFusedBeta, 0.5}}),
                                  attrs({{kFusedActivation, std::string("HardSwish")}})}) {
    Attributes attributes = fused;
    attributes.set("pads", Ints{1, 1, 1, 1});
    SCOPED_TRACE(fused.get_string(kFusedActivation));
    expect_matches_reference("Conv", attributes,
                             {runtime(random_tensor(rng, {1, 16, 12, 12}, -2.0f, 2.0f)),
                              constant(random_tensor(rng, {48, 16, 3, 3})),
                              constant(random_tensor(rng, {48}))},
                             kTolerance);
  }
}

// Timestamp queries bracket the dispatches: no figure before the first run, then a positive
// one no longer than the run's wall clock (which adds the host copies).
TEST_F(GemmTiledTest, DeviceTimeOfLastRun) {
  std::mt19937 rng(45);
  const op_test::SingleNodeGraph single = op_test::make_single_node_graph(
      "MatMul", {}, {runtime(random_tensor(rng, {96, 64})), constant(random_tensor(rng, {64, 80}))});
  CompileOptions options;
  options.cache.mode = CacheMode::Off;
  const std::unique_ptr<Executable> executable =
      test_backend().compile(op_test::plan_single_node(single), test_device(), options);
  EXPECT_FALSE(executable->last_run_device_ms().has_value());
  const auto start = std::chrono::steady_clock::now();
  executable->run(single.runtime_inputs);
  const double wall_ms = ms_since(start);
  const std::optional<double> device_ms = executable->last_run_device_ms();
  ASSERT_TRUE(device_ms.has_value());
  EXPECT_GT(*device_ms, 0.0);
  EXPECT_LE(*device_ms, wall_ms);
}

}  // namespace
}  // namespace tandem::vulkan::testing
