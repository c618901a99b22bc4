// Conv and ConvTranspose on pocl against the float64 reference. Each output is a float32
// sum of K = C/group * prod(kernel) products (K <= 300 here) of inputs in [-1, 1]; its
// rounding error grows like sqrt(K) * 6e-8 * max|partial sum| and stays below 1e-5 in
// practice, so 1e-4 * (1 + max|ref|) has a 10x margin yet catches any wrong tap (>= 1e-2).
#include <gtest/gtest.h>

#include "core/op_registry.h"
#include "core/ops/conv_geometry.h"
#include "core/reference_backend.h"
#include "core/scoped_environment_test_support.h"
#include "opencl/conv_depthwise.h"
#include "opencl/conv_shallow.h"
#include "opencl/conv_tiled.h"
#include "opencl/gemm_tiling.h"
#include "opencl/gemm_tiling_test_support.h"
#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;
using Ints = std::vector<std::int64_t>;
constexpr double kTolerance = 1e-4;

void add_conv(ReferenceBatch& batch, std::mt19937& rng, const Shape& x, const Shape& w,
              const Attributes& attributes, bool bias = true, const char* op = "Conv") {
  std::vector<TestInput> inputs = {runtime(random_tensor(rng, x)), weight(random_tensor(rng, w))};
  const std::int64_t channels =
      std::string(op) == "Conv" ? w[0] : w[1] * attributes.get_int("group", 1);
  if (bias) inputs.push_back(weight(random_tensor(rng, {channels})));
  batch.add(op, inputs, attributes, kTolerance);
}

TEST(ConvOpenCl, Conv2dPadsStridesDilations) {
  ReferenceBatch batch;
  std::mt19937 rng(31);
  add_conv(batch, rng, {1, 3, 13, 13}, {8, 3, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}}));
  add_conv(batch, rng, {2, 5, 31, 17}, {7, 5, 3, 3},
           attrs({{"strides", Ints{2, 3}}, {"pads", Ints{0, 1, 2, 0}}, {"dilations", Ints{2, 1}}}));
  add_conv(batch, rng, {1, 4, 9, 10}, {3, 4, 5, 2}, attrs({{"kernel_shape", Ints{5, 2}}}), false);
  add_conv(batch, rng, {1, 16, 7, 7}, {13, 16, 1, 1}, {});  // 1x1
  add_conv(batch, rng, {1, 3, 1, 1}, {2, 3, 1, 1}, {});     // 1x1 spatial
  batch.expect_all_match();
}

TEST(ConvOpenCl, GroupsAndDepthwise) {
  ReferenceBatch batch;
  std::mt19937 rng(32);
  add_conv(batch, rng, {2, 6, 9, 11}, {4, 3, 3, 3},
           attrs({{"group", std::int64_t{2}}, {"pads", Ints{1, 1, 1, 1}}}));
  add_conv(
      batch, rng, {1, 13, 9, 9}, {13, 1, 3, 3},
      attrs({{"group", std::int64_t{13}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}));
  add_conv(batch, rng, {1, 4, 8, 8}, {12, 1, 3, 3},
           attrs({{"group", std::int64_t{4}}}));  // multiplier 3
  batch.expect_all_match();
}

// kernels/conv_depthwise.cl's kernels for layers without quad columns, one output an item
// (GPUs) and four of a row (CPUs), each forced: rows whose width is not a multiple of four,
// strides, dilations, asymmetric pads, 1-D, the largest kernel they take (7x7) and one past it
// (9x9, the direct kernel), fused activations, batches of several images, large planes.
TEST(ConvOpenCl, DepthwiseKernel) {
  auto depthwise = [](std::int64_t channels, Attributes attributes) {
    attributes.set("group", channels);
    return attributes;
  };
  for (const char* flat : {"on", "off"}) {
    SCOPED_TRACE(std::string("TANDEM_OPENCL_DEPTHWISE_FLAT=") + flat);
    const tandem::testing::ScopedEnvironment forced("TANDEM_OPENCL_DEPTHWISE_FLAT", flat);
    ReferenceBatch batch;
    std::mt19937 rng(39);
    const Attributes padded = attrs({{"pads", Ints{1, 1, 1, 1}}});
    add_conv(batch, rng, {2, 8, 13, 11}, {8, 1, 3, 3}, depthwise(8, padded));
    add_conv(batch, rng, {1, 6, 16, 17}, {6, 1, 3, 3},
             depthwise(6, attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}})), false);
    add_conv(batch, rng, {1, 5, 12, 12}, {5, 1, 5, 5},
             depthwise(5, attrs({{"dilations", Ints{2, 2}}, {"pads", Ints{4, 4, 4, 4}}})));
    add_conv(batch, rng, {1, 4, 8, 7}, {4, 1, 3, 3},
             depthwise(4, attrs({{"pads", Ints{0, 2, 1, 0}}})));
    add_conv(batch, rng, {1, 3, 9, 10}, {3, 1, 7, 7},
             depthwise(3, attrs({{"pads", Ints{3, 3, 3, 3}}})));
    add_conv(batch, rng, {1, 3, 12, 12}, {3, 1, 9, 9},
             depthwise(3, attrs({{"pads", Ints{4, 4, 4, 4}}})));
    add_conv(batch, rng, {2, 4, 29}, {4, 1, 5},
             depthwise(4, attrs({{"strides", Ints{2}}, {"pads", Ints{2, 2}}})));
    add_conv(
        batch, rng, {1, 7, 6, 6}, {7, 1, 3, 3},
        depthwise(7, attrs({{"pads", Ints{1, 1, 1, 1}}, {kFusedActivation, std::string("Relu")}})));
    add_conv(batch, rng, {1, 7, 5, 9}, {7, 1, 3, 3},
             depthwise(7, attrs({{"pads", Ints{1, 1, 1, 1}},
                                 {kFusedActivation, std::string("Clip")},
                                 {kFusedAlpha, 0.0},
                                 {kFusedBeta, 0.5}})));
    add_conv(batch, rng, {3, 5, 7, 7}, {5, 1, 3, 3}, depthwise(5, padded));
    add_conv(batch, rng, {1, 3, 61, 59}, {3, 1, 3, 3}, depthwise(3, padded));
    add_conv(batch, rng, {2, 2, 58, 57}, {2, 1, 7, 7},
             depthwise(2, attrs({{"strides", Ints{2, 2}}, {"pads", Ints{3, 2, 3, 1}}})));
    add_conv(batch, rng, {2, 2, 3500}, {2, 1, 3}, depthwise(2, attrs({{"pads", Ints{1, 1}}})),
             false);
    batch.expect_all_match();
  }
}

// conv_depthwise_quads (core's has_quad_columns, x and y 16-byte aligned): strides 1 and 2 along
// w, a single item a row, a narrower output than stride x input, no end pad, a different
// stride and dilation along h, 1-D, fused activations; and which program each layer takes.
TEST(ConvOpenCl, DepthwiseQuadColumns) {
  ReferenceBatch batch;
  std::mt19937 rng(40);
  auto depthwise = [](std::int64_t channels, Attributes attributes) {
    attributes.set("group", channels);
    return attributes;
  };
  const Attributes padded = attrs({{"pads", Ints{1, 1, 1, 1}}});
  const Attributes strided = attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  add_conv(batch, rng, {2, 8, 12, 16}, {8, 1, 3, 3}, depthwise(8, padded));
  add_conv(batch, rng, {1, 6, 10, 16}, {6, 1, 3, 3}, depthwise(6, strided), false);
  add_conv(batch, rng, {1, 5, 9, 8}, {5, 1, 3, 3},
           depthwise(5, attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 0, 0}}})));
  add_conv(
      batch, rng, {1, 4, 7, 4}, {4, 1, 3, 3},
      depthwise(4, attrs({{"pads", Ints{1, 1, 1, 1}}, {kFusedActivation, std::string("Relu")}})));
  add_conv(
      batch, rng, {1, 3, 11, 12}, {3, 1, 3, 3},
      depthwise(
          3,
          attrs({{"strides", Ints{2, 1}}, {"pads", Ints{2, 1, 2, 1}}, {"dilations", Ints{2, 1}}})));
  add_conv(batch, rng, {2, 4, 32}, {4, 1, 3}, depthwise(4, attrs({{"pads", Ints{1, 1}}})));
  add_conv(batch, rng, {1, 7, 6, 8}, {7, 1, 3, 3},
           depthwise(7, attrs({{"pads", Ints{1, 1, 1, 1}},
                               {kFusedActivation, std::string("HardSwish")}})));
  batch.expect_all_match();

  const ClDevice device = find_device(test_device());
  const auto program = [&](const Shape& x, const Attributes& attributes, bool io_aligned = true) {
    Node node;
    node.op_type = "Conv";
    node.attributes = attributes;
    node.attributes.set("group", x[1]);
    const Shape w{x[1], 1, 3, 3};
    return depthwise_program(device, resolve_conv(node, x, w), io_aligned).file;
  };
  EXPECT_EQ(program({64, 32, 112, 112}, padded), "conv_depthwise.cl[3x3q1]");
  EXPECT_EQ(program({64, 64, 112, 112}, strided), "conv_depthwise.cl[3x3q2]");
  const tandem::testing::ScopedEnvironment flat("TANDEM_OPENCL_DEPTHWISE_FLAT", "on");
  EXPECT_EQ(program({64, 32, 112, 112}, padded, false),
            "conv_depthwise.cl[3x3f,112,112,112,112,1,1,1,1,1,1]");
  EXPECT_EQ(program({64, 256, 28, 28}, strided), "conv_depthwise.cl[3x3f,28,28,14,14,2,2,1,1,1,1]");
  const tandem::testing::ScopedEnvironment rows("TANDEM_OPENCL_DEPTHWISE_FLAT", "off");
  EXPECT_EQ(program({64, 512, 14, 14}, padded), "conv_depthwise.cl[3x3]");
  EXPECT_EQ(program({64, 32, 112, 112}, padded), "conv_depthwise.cl[3x3q1]");
  const tandem::testing::ScopedEnvironment wrong("TANDEM_OPENCL_DEPTHWISE_FLAT", "yes");
  EXPECT_THROW(program({64, 512, 14, 14}, padded), Error);
}

TEST(ConvOpenCl, AutoPad) {
  ReferenceBatch batch;
  std::mt19937 rng(33);
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    add_conv(batch, rng, {1, 2, 12, 13}, {3, 2, 4, 3},
             attrs({{"auto_pad", std::string(mode)}, {"strides", Ints{2, 2}}}));
  }
  batch.expect_all_match();
}

TEST(ConvOpenCl, OneAndThreeSpatialDims) {
  ReferenceBatch batch;
  std::mt19937 rng(34);
  add_conv(batch, rng, {2, 5, 31}, {7, 5, 3}, attrs({{"pads", Ints{1, 2}}, {"strides", Ints{2}}}));
  add_conv(batch, rng, {1, 2, 5, 6, 7}, {3, 2, 2, 3, 3},
           attrs({{"pads", Ints{0, 1, 1, 1, 0, 1}}, {"strides", Ints{1, 2, 1}}}));
  batch.expect_all_match();
}

TEST(ConvOpenCl, FusedActivations) {
  ReferenceBatch batch;
  std::mt19937 rng(35);
  const struct {
    const char* name;
    double alpha;
    double beta;
  } cases[] = {{"Relu", 0, 0},    {"LeakyRelu", 0.2, 0},     {"Clip", -0.3, 0.4},
               {"Sigmoid", 0, 0}, {"HardSigmoid", 0.3, 0.6}, {"HardSwish", 0, 0},
               {"Tanh", 0, 0}};
  for (const auto& fused : cases) {
    Attributes attributes = attrs({{kFusedActivation, std::string(fused.name)},
                                   {kFusedAlpha, fused.alpha},
                                   {kFusedBeta, fused.beta},
                                   {"pads", Ints{1, 1, 1, 1}}});
    add_conv(batch, rng, {1, 3, 7, 9}, {5, 3, 3, 3}, attributes);
  }
  batch.expect_all_match();
  std::unique_ptr<Backend> backend = BackendRegistry::instance().create("opencl");
  EXPECT_TRUE(backend->fuses_activation("Conv", "Relu"));
  EXPECT_TRUE(backend->fuses_activation("Conv", "HardSwish"));
  EXPECT_FALSE(backend->fuses_activation("Conv", "Gelu"));
  EXPECT_FALSE(backend->fuses_activation("MatMul", "Relu"));
}

// Through the planner: the fusion pass folds Relu into the Conv because the backend says
// it can; the fused result must match the reference of the unfused graph.
TEST(ConvOpenCl, PlannerFusesReluIntoConv) {
  std::mt19937 rng(37);
  const Tensor x = random_tensor(rng, {1, 3, 9, 9});
  Graph graph;
  add_test_node(
      graph, "conv_", "Conv",
      {runtime(x), weight(random_tensor(rng, {4, 3, 3, 3})), weight(random_tensor(rng, {4}))},
      attrs({{"pads", Ints{1, 1, 1, 1}}}), 1);
  Node relu;
  relu.name = "relu";
  relu.op_type = "Relu";
  relu.inputs = {graph.outputs()[0]};
  Value y;
  y.name = "y";
  relu.outputs = {graph.add_value(y)};
  graph.outputs() = relu.outputs;
  graph.add_node(relu);
  std::unique_ptr<Backend> backend = BackendRegistry::instance().create("opencl");
  PlanOptions fused_options;
  fused_options.fuses = [&backend](const std::string& op, const std::string& activation) {
    return backend->fuses_activation(op, activation);
  };
  const Plan fused = make_plan(graph, {x.info()}, fused_options);
  ASSERT_EQ(fused.graph.nodes().size(), 1u);
  EXPECT_EQ(fused.graph.nodes()[0].attributes.get_string(kFusedActivation, ""), "Relu");
  PlanOptions unfused_options;
  unfused_options.optimize = false;
  const Plan unfused = make_plan(graph, {x.info()}, unfused_options);
  ASSERT_EQ(unfused.graph.nodes().size(), 2u);
  CompileOptions compile_options;
  compile_options.cache.mode = CacheMode::Off;
  const Tensor actual = backend->compile(fused, test_device(), compile_options)->run({x})[0];
  const Tensor expected = run_reference(unfused, {x})[0];
  const Mismatch mismatch = compare(actual, expected);
  EXPECT_LE(mismatch.max_abs_error, kTolerance * (1.0 + mismatch.max_abs_reference));
  EXPECT_GT(mismatch.max_abs_reference, 0.0);
}

TEST(ConvOpenCl, ConvTranspose) {
  if (!OpRegistry::instance().find("ConvTranspose")) GTEST_SKIP() << "no ConvTranspose in core";
  ReferenceBatch batch;
  std::mt19937 rng(36);
  add_conv(
      batch, rng, {1, 4, 5, 7}, {4, 3, 3, 3},
      attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}, {"output_padding", Ints{1, 0}}}),
      true, "ConvTranspose");
  add_conv(batch, rng, {2, 6, 4, 3}, {6, 2, 2, 3},
           attrs({{"group", std::int64_t{3}}, {"dilations", Ints{2, 1}}}), false, "ConvTranspose");
  add_conv(batch, rng, {1, 3, 13}, {3, 5, 4}, attrs({{"strides", Ints{3}}}), true, "ConvTranspose");
  batch.expect_all_match();
}

// Layers for the implicit-GEMM kernels (conv_blocked in gemm_tiled.cl on CPUs, conv_tiled.cl
// on GPUs): at least 8 output channels per group and 16 output positions, so every tiling
// tested here takes them. Layers with 16 channels per group read their weights tap-major
// on GPUs (every GPU tiling's K step divides 16), and gathered when the weights are
// computed (runtime inputs).
void add_blocked_convs(ReferenceBatch& batch, std::mt19937& rng) {
  add_conv(batch, rng, {2, 5, 12, 11}, {20, 5, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}}));
  add_conv(batch, rng, {1, 6, 19, 17}, {16, 6, 3, 3},
           attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 0, 2, 1}}, {"dilations", Ints{1, 2}}}));
  add_conv(batch, rng, {2, 12, 8, 8}, {24, 12, 1, 1}, {});       // 1x1 as a plain matrix, float4
  add_conv(batch, rng, {1, 9, 5, 7}, {17, 9, 1, 1}, {}, false);  // 1x1, 35 positions
  add_conv(batch, rng, {2, 16, 12, 12}, {136, 16, 1, 1}, {});    // float4 rows, partial blocks
  add_conv(batch, rng, {2, 16, 6, 6}, {24, 8, 1, 1}, attrs({{"group", std::int64_t{2}}}));
  add_conv(batch, rng, {1, 8, 10, 10}, {16, 8, 1, 1}, attrs({{"strides", Ints{2, 2}}}));
  add_conv(batch, rng, {2, 8, 9, 9}, {32, 4, 3, 3},
           attrs({{"group", std::int64_t{2}}, {"pads", Ints{1, 1, 1, 1}}}));
  add_conv(batch, rng, {2, 6, 40}, {12, 6, 5}, attrs({{"pads", Ints{2, 1}}}));  // 1-D
  // 20 positions a row: some micro-tiles of 16 columns lie on one row, some straddle two.
  add_conv(batch, rng, {1, 3, 6, 20}, {8, 3, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}}));
  add_conv(batch, rng, {2, 16, 9, 9}, {24, 16, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}}));
  add_conv(batch, rng, {2, 32, 11, 9}, {40, 16, 3, 3},
           attrs({{"group", std::int64_t{2}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 0, 1, 2}}}));
  add_conv(batch, rng, {3, 16, 30}, {12, 16, 3}, attrs({{"pads", Ints{1, 1}}}), false);  // 1-D
  batch.add("Conv",
            {runtime(random_tensor(rng, {2, 16, 8, 7})), runtime(random_tensor(rng, {20, 16, 3, 3})),
             runtime(random_tensor(rng, {20}))},
            attrs({{"pads", Ints{1, 1, 1, 1}}}), kTolerance);
  add_conv(batch, rng, {1, 4, 10, 10}, {16, 4, 3, 3},
           attrs({{kFusedActivation, std::string("LeakyRelu")}, {kFusedAlpha, 0.2}}));
  add_conv(batch, rng, {1, 4, 10, 10}, {16, 4, 3, 3},
           attrs({{kFusedActivation, std::string("Clip")},
                  {kFusedAlpha, -0.5},
                  {kFusedBeta, 0.5},
                  {"pads", Ints{1, 1, 1, 1}}}));
}

TEST(ConvOpenCl, ImplicitGemmWithThisDevicesTiling) {
  const ClDevice device = find_device(test_device());
  // [M / group, positions, C / group x taps, images x groups] of three of the layers. A CPU
  // tiles them; a GPU runs layers this narrow (M < 32) on the simple kernel, and its tilings
  // are tested by ImplicitGemmWithGpuTilings.
  if (device.info.type == "cpu") {
    ASSERT_TRUE(choose_gemm_tiling(device, 20, 132, 45, 2));
    ASSERT_TRUE(choose_gemm_tiling(device, 16, 81, 36, 4));
    ASSERT_TRUE(choose_gemm_tiling(device, 12, 39, 30, 2));
  }
  ReferenceBatch batch;
  std::mt19937 rng(38);
  add_blocked_convs(batch, rng);
  batch.expect_all_match();
}

// kernels/conv_shallow.cl, which GPUs choose, here forced on. Pointwise: the layer it was
// written for (1x1 32->64) and smaller ones, an odd output count, 1-D and 3-D positions.
// Window: a 3x3 stride-2 RGB stem with odd output rows, asymmetric pads and dilations, 1-D,
// a 1x1 layer it cannot pair (odd positions), 27 and 32 inputs per output. Fused
// activations, no bias.
TEST(ConvOpenCl, ShallowKernels) {
  const tandem::testing::ScopedEnvironment shallow("TANDEM_OPENCL_SHALLOW_CONV", "on");
  ReferenceBatch batch;
  std::mt19937 rng(42);
  const Attributes relu = attrs({{kFusedActivation, std::string("Relu")}});
  add_conv(batch, rng, {2, 32, 28, 28}, {64, 32, 1, 1}, relu);
  add_conv(batch, rng, {3, 4, 5, 6}, {3, 4, 1, 1}, {});
  add_conv(batch, rng, {1, 12, 10}, {1, 12, 1}, {}, false);
  add_conv(
      batch, rng, {1, 8, 2, 3, 4}, {5, 8, 1, 1, 1},
      attrs({{kFusedActivation, std::string("Clip")}, {kFusedAlpha, -0.4}, {kFusedBeta, 0.3}}));
  add_conv(batch, rng, {2, 16, 7, 8}, {24, 16, 1, 1},
           attrs({{kFusedActivation, std::string("HardSwish")}}));
  add_conv(batch, rng, {2, 3, 29, 31}, {32, 3, 3, 3},
           attrs({{"strides", Ints{2, 2}},
                  {"pads", Ints{1, 1, 1, 1}},
                  {kFusedActivation, std::string("Relu")}}));
  add_conv(batch, rng, {1, 2, 11, 12}, {7, 2, 3, 4},
           attrs({{"pads", Ints{2, 0, 1, 3}}, {"dilations", Ints{2, 1}}}), false);
  add_conv(batch, rng, {2, 4, 23}, {9, 4, 5}, attrs({{"strides", Ints{3}}, {"pads", Ints{2, 2}}}));
  add_conv(batch, rng, {1, 6, 5, 5}, {10, 6, 1, 1}, {});
  add_conv(batch, rng, {1, 2, 9, 9}, {16, 2, 4, 4}, attrs({{"pads", Ints{1, 2, 2, 1}}}));
  // Quad rows: the stem, a pad only at the top, 1-D, and a dilated height.
  add_conv(batch, rng, {2, 3, 30, 32}, {32, 3, 3, 3},
           attrs({{"strides", Ints{2, 2}},
                  {"pads", Ints{1, 1, 1, 1}},
                  {kFusedActivation, std::string("Relu")}}));
  add_conv(batch, rng, {1, 2, 7, 16}, {5, 2, 3, 3},
           attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 0, 1}}}));
  add_conv(batch, rng, {2, 3, 24}, {6, 3, 3}, attrs({{"strides", Ints{2}}, {"pads", Ints{1, 1}}}));
  add_conv(batch, rng, {1, 3, 12, 8}, {4, 3, 3, 3},
           attrs({{"strides", Ints{1, 2}}, {"pads", Ints{2, 1, 2, 1}}, {"dilations", Ints{2, 1}}}),
           false);
  batch.expect_all_match();

  const ClDevice device = find_device(test_device());
  const auto kind = [&](const Shape& x, const Shape& w, const Attributes& attributes = {},
                        bool io_aligned = true) {
    Node node;
    node.op_type = "Conv";
    node.attributes = attributes;
    return choose_shallow_conv(device, resolve_conv(node, x, w), io_aligned);
  };
  const Attributes padded = attrs({{"pads", Ints{1, 1, 1, 1}}});
  EXPECT_EQ(kind({64, 32, 112, 112}, {64, 32, 1, 1}), ShallowConv::Pointwise);
  EXPECT_EQ(kind({1, 4, 5, 6}, {3, 4, 1, 1}), ShallowConv::Pointwise);
  const Attributes stem = attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  EXPECT_EQ(kind({64, 3, 224, 224}, {32, 3, 3, 3}, stem), ShallowConv::QuadWindow);
  EXPECT_EQ(kind({64, 3, 224, 224}, {32, 3, 3, 3}, stem, false), ShallowConv::Window);
  EXPECT_EQ(kind({1, 3, 29, 30}, {32, 3, 3, 3}, stem), ShallowConv::Window);  // width 30
  EXPECT_EQ(kind({1, 3, 29, 28}, {32, 3, 3, 3}, stem), ShallowConv::Window);  // 14 outputs a row
  EXPECT_EQ(kind({64, 3, 224, 224}, {32, 3, 3, 3}, padded), ShallowConv::Window);
  EXPECT_EQ(kind({1, 6, 5, 5}, {10, 6, 1, 1}), ShallowConv::Window);    // C not a multiple of 4
  EXPECT_EQ(kind({1, 16, 7, 7}, {13, 16, 1, 1}), ShallowConv::Window);  // odd positions
  EXPECT_EQ(kind({1, 16, 8, 8}, {16, 16, 1, 1}, attrs({{"strides", Ints{2, 2}}})),
            ShallowConv::Window);
  EXPECT_EQ(kind({1, 36, 8, 8}, {64, 36, 1, 1}), ShallowConv::None);        // more than 32 inputs
  EXPECT_EQ(kind({1, 4, 8, 8}, {16, 4, 3, 3}, padded), ShallowConv::None);  // 36 inputs
  EXPECT_EQ(kind({1, 32, 8, 8}, {128, 32, 1, 1}), ShallowConv::None);       // weights over 16 KiB
  EXPECT_EQ(kind({1, 16, 8, 8}, {16, 8, 1, 1}, attrs({{"group", std::int64_t{2}}})),
            ShallowConv::None);
  EXPECT_EQ(kind({1, 2, 4, 4, 4}, {4, 2, 2, 2, 2}), ShallowConv::None);  // 3-D window
  const tandem::testing::ScopedEnvironment off("TANDEM_OPENCL_SHALLOW_CONV", "off");
  EXPECT_EQ(kind({64, 32, 112, 112}, {64, 32, 1, 1}), ShallowConv::None);
  const tandem::testing::ScopedEnvironment wrong("TANDEM_OPENCL_SHALLOW_CONV", "yes");
  EXPECT_THROW(kind({64, 32, 112, 112}, {64, 32, 1, 1}), Error);
}

// The GPU tilings (local-memory tiles, gathered loads) on pocl.
TEST(ConvOpenCl, ImplicitGemmWithGpuTilings) {
  for (const char* tiling : {"128x128x8/8x8/local", "64x128x16/8x8/local",
                             "64x128x16/4x8/local", "64x64x16/4x8/local", "32x128x16/4x8/local",
                             "32x32x16/4x4/local"}) {
    SCOPED_TRACE(tiling);
    const ScopedGemmTiling forced(tiling);
    ReferenceBatch batch;
    std::mt19937 rng(39);
    add_blocked_convs(batch, rng);
    batch.expect_all_match();
  }
}

// Split-K (few blocks under a forced GPU tiling, parts at least 128 deep): four to six
// splits, some of which start inside a tap, a last part shallower than the others (K 576
// in five of 128), pointwise and grouped layers, bias and activations applied once after
// the splits are summed. K up to 720 keeps the rounding within the file's tolerance
// (sqrt(720 / 300) of it).
TEST(ConvOpenCl, SplitK) {
  const ClDevice device = find_device(test_device());
  Node grouped;
  grouped.op_type = "Conv";
  grouped.attributes = attrs({{"group", std::int64_t{2}}, {"pads", Ints{1, 1, 1, 1}}});
  for (const char* tiling : {"64x128x16/8x8/local", "64x64x16/4x4/local"}) {
    SCOPED_TRACE(tiling);
    const ScopedGemmTiling forced(tiling);
    const std::optional<TiledConv> split =
        tiled_conv(device, resolve_conv(grouped, {2, 128, 8, 8}, {128, 64, 3, 3}), true);
    ASSERT_TRUE(split);
    EXPECT_EQ(split->splits, 5);
    EXPECT_EQ(split->depth, 128);
    ReferenceBatch batch;
    std::mt19937 rng(40);
    add_conv(batch, rng, {2, 80, 9, 9}, {70, 80, 3, 3},
             attrs({{"pads", Ints{1, 1, 1, 1}}, {kFusedActivation, std::string("Relu")}}));
    add_conv(batch, rng, {2, 96, 8, 9}, {64, 96, 3, 3},
             attrs({{"strides", Ints{1, 2}}, {"pads", Ints{2, 1, 1, 1}},
                    {kFusedActivation, std::string("Clip")}, {kFusedAlpha, -0.5},
                    {kFusedBeta, 0.5}}));
    add_conv(batch, rng, {2, 600, 8, 8}, {64, 600, 1, 1}, {});
    // 71 channels of 81 columns, in copies whose rows are padded to 84: each channel's last
    // item holds 1 column. (The first layer, 2 images of 81 columns, has items that cross from
    // one image to the next.)
    add_conv(batch, rng, {1, 80, 9, 9}, {71, 80, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}}));
    add_conv(batch, rng, {2, 128, 8, 8}, {128, 64, 3, 3}, grouped.attributes);
    add_conv(batch, rng, {2, 64, 10, 10}, {72, 64, 3, 3},
             attrs({{"pads", Ints{1, 1, 1, 1}}, {kFusedActivation, std::string("LeakyRelu")},
                    {kFusedAlpha, 0.2}}),
             false);
    batch.expect_all_match();
  }
  // 128 x 128 blocks with K steps of 8, as 14x14 layers split on big GPUs.
  const ScopedGemmTiling big("128x128x8/8x8/local");
  Node padded;
  padded.op_type = "Conv";
  padded.attributes = attrs({{"pads", Ints{1, 1, 1, 1}}});
  const std::optional<TiledConv> split =
      tiled_conv(device, resolve_conv(padded, {2, 64, 8, 8}, {130, 64, 3, 3}), true);
  ASSERT_TRUE(split);
  EXPECT_EQ(split->splits, 4);
  ReferenceBatch batch;
  std::mt19937 rng(41);
  add_conv(batch, rng, {2, 64, 8, 8}, {130, 64, 3, 3}, padded.attributes);
  add_conv(batch, rng, {2, 520, 8, 8}, {128, 520, 1, 1}, {});
  batch.expect_all_match();
}

// Which way conv_tiled.cl reads each kind of layer under a GPU tiling, and that CPU
// tilings leave layers to conv_blocked.
TEST(ConvOpenCl, TiledConvReadModes) {
  const ClDevice device = find_device(test_device());
  Node node;
  node.op_type = "Conv";
  node.attributes = attrs({{"pads", Ints{1, 1, 1, 1}}});
  const ConvGeometry padded = resolve_conv(node, {4, 32, 20, 20}, {64, 32, 3, 3});
  const ConvGeometry odd_channels = resolve_conv(node, {4, 12, 20, 20}, {64, 12, 3, 3});
  const ConvGeometry pointwise = resolve_conv(Node{}, {4, 32, 20, 20}, {64, 32, 1, 1});
  {
    const ScopedGemmTiling forced("64x128x16/4x8/local");
    EXPECT_EQ(tiled_conv(device, padded, true)->read, ConvRead::TapMajor);
    EXPECT_EQ(tiled_conv(device, padded, false)->read, ConvRead::Gather);
    EXPECT_EQ(tiled_conv(device, odd_channels, true)->read, ConvRead::Gather);
    // Constant weights with 64 output channels are stored [K][M]; weights fed at run time
    // keep their rows, read as float4s along K (32 of them).
    const std::optional<TiledConv> constant = tiled_conv(device, pointwise, true);
    EXPECT_EQ(constant->read, ConvRead::Pointwise);
    EXPECT_EQ(constant->operand_flags, kAKMajor | kVecB);
    EXPECT_EQ(constant->program_name(),
              "conv_tiled.cl[64x128x16/4x8/local/pointwise/k-major/vec-b]");
    const std::optional<TiledConv> fed = tiled_conv(device, pointwise, false);
    EXPECT_EQ(fed->operand_flags, kVecA | kVecB);
    EXPECT_EQ(fed->program_name(), "conv_tiled.cl[64x128x16/4x8/local/pointwise/vec-ab]");
  }
  const ScopedGemmTiling cpu("64x16x4/8x16/direct");
  EXPECT_FALSE(tiled_conv(device, padded, true).has_value());
}

// On an H100-like device: unsplit 64 x 128 / 8 x 8 programs are capped at three blocks a
// multiprocessor (65536 registers / 384 items = 170, in steps of 8: 168) as split programs
// are, where the device reports its registers; constant weights go [K][M] except on K steps
// of 8.
TEST(ConvOpenCl, TiledConvCapsAndWeightLayoutsOnNvidia) {
  ClDevice gpu;
  gpu.info.type = "gpu";
  gpu.limits.max_work_group_size = 1024;
  gpu.limits.local_mem_bytes = 48 << 10;
  gpu.limits.compute_units = 132;
  gpu.limits.registers_per_unit = 65536;
  Node padded;
  padded.op_type = "Conv";
  padded.attributes = attrs({{"pads", Ints{1, 1, 1, 1}}});
  const auto name = [&](const ConvGeometry& geometry, bool constant_weights = true) {
    return tiled_conv(gpu, geometry, constant_weights)->program_name();
  };
  const ConvGeometry wide = resolve_conv(padded, {16, 64, 56, 56}, {64, 64, 3, 3});  // 392 blocks
  EXPECT_EQ(name(wide), "conv_tiled.cl[64x128x16/8x8/local/tap-major/k-major/168-registers]");
  EXPECT_EQ(name(wide, false), "conv_tiled.cl[64x128x16/8x8/local/gather/vec-a/168-registers]");
  const ConvGeometry long_k = resolve_conv(padded, {64, 512, 7, 7}, {512, 512, 3, 3});
  EXPECT_EQ(name(long_k), "conv_tiled.cl[64x64x16/4x8/local/tap-major/k-major]");
  const ConvGeometry deep_1x1 = resolve_conv(Node{}, {16, 1024, 14, 14}, {256, 1024, 1, 1});
  EXPECT_EQ(name(deep_1x1),
            "conv_tiled.cl[128x128x8/8x8/local/pointwise/vec-ab/split-k/128-registers]");
  gpu.limits.registers_per_unit = 0;  // not NVIDIA
  EXPECT_EQ(name(wide), "conv_tiled.cl[64x128x16/8x8/local/tap-major/k-major]");
}

}  // namespace
}  // namespace tandem::opencl
