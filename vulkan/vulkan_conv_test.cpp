// Conv and ConvTranspose on the device against the float64 reference: strides, asymmetric
// and automatic pads, dilations, groups and depthwise, 1-D, odd and prime sizes, fused
// activations.
#include <random>

#include "core/graph_test_support.h"
#include "core/op_registry.h"
#include "core/planner.h"
#include "core/reference_backend.h"
#include "core/scoped_environment_test_support.h"
#include "vulkan/conv_depthwise.h"
#include "vulkan/conv_shallow.h"
#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

using tandem::testing::add_graph_input;
using tandem::testing::append_node;

class ConvTest : public VulkanTest {};

using Ints = std::vector<std::int64_t>;

// Each output sums C/group * kernel products of values in [-1, 1) in float32: the rounding
// error grows with that length (at most ~150 terms here), well under 1e-4 relative to the
// output's magnitude.
constexpr double kTolerance = 1e-4;

struct ConvCase {
  Shape x;
  Shape w;
  Attributes attributes;
  bool bias = true;
};

void expect_conv(const char* op, const ConvCase& c, std::mt19937& rng) {
  std::vector<NodeInput> inputs{runtime(random_tensor(rng, c.x)),
                                constant(random_tensor(rng, c.w))};
  if (c.bias) {
    const std::int64_t out_channels =
        std::string(op) == "Conv" ? c.w[0] : c.w[1] * c.attributes.get_int("group", 1);
    inputs.push_back(constant(random_tensor(rng, {out_channels})));
  }
  SCOPED_TRACE(std::string(op) + " x " + shape_to_string(c.x) + " w " + shape_to_string(c.w));
  expect_matches_reference(op, c.attributes, inputs, kTolerance);
}

TEST_F(ConvTest, TwoDimensional) {
  std::mt19937 rng(21);
  const std::vector<ConvCase> cases = {
      {{1, 3, 7, 7}, {4, 3, 3, 3}, attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}})},
      {{2, 5, 13, 11},
       {6, 5, 3, 1},
       attrs({{"dilations", Ints{2, 1}}, {"pads", Ints{1, 0, 2, 1}}}),
       false},
      {{1, 31, 5, 5}, {17, 31, 1, 1}, {}},
      {{1, 2, 1, 1}, {3, 2, 1, 1}, {}},
      {{1, 3, 9, 8}, {5, 3, 4, 3}, attrs({{"strides", Ints{3, 2}}, {"dilations", Ints{1, 2}}})},
  };
  for (const ConvCase& c : cases) expect_conv("Conv", c, rng);
}

TEST_F(ConvTest, GroupsAndDepthwise) {
  std::mt19937 rng(22);
  const std::vector<ConvCase> cases = {
      {{1, 6, 9, 9}, {6, 2, 3, 3}, attrs({{"group", std::int64_t{3}}, {"pads", Ints{1, 1, 1, 1}}})},
      {{1, 13, 10, 10},
       {13, 1, 3, 3},
       attrs({{"group", std::int64_t{13}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}})},
      {{2, 4, 7, 7}, {8, 1, 5, 5}, attrs({{"group", std::int64_t{4}}, {"pads", Ints{2, 2, 2, 2}}})},
  };
  for (const ConvCase& c : cases) expect_conv("Conv", c, rng);
}

// Depthwise layers, on shaders/conv_depthwise.comp (four outputs of a row per invocation) and,
// with the flat shaders forced on, on conv_depthwise_column.comp (stride 1 along h: three
// outputs of a column, output heights not a multiple of three among them) and
// conv_depthwise_flat.comp (one output an invocation): rows whose width is not a multiple of
// four, strides, dilations, asymmetric pads, 1-D, the largest kernel they take (7x7) and one
// past it (9x9, the direct kernel), fused activations.
TEST_F(ConvTest, DepthwiseKernel) {
  std::mt19937 rng(29);
  auto depthwise = [](std::int64_t channels, Attributes attributes) {
    attributes.set("group", channels);
    return attributes;
  };
  const std::vector<ConvCase> cases = {
      {{2, 8, 13, 11}, {8, 1, 3, 3}, depthwise(8, attrs({{"pads", Ints{1, 1, 1, 1}}}))},
      {{1, 6, 16, 17},
       {6, 1, 3, 3},
       depthwise(6, attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}})),
       false},
      {{1, 5, 12, 12},
       {5, 1, 5, 5},
       depthwise(5, attrs({{"dilations", Ints{2, 2}}, {"pads", Ints{4, 4, 4, 4}}}))},
      {{1, 4, 8, 7}, {4, 1, 3, 3}, depthwise(4, attrs({{"pads", Ints{0, 2, 1, 0}}}))},
      {{1, 3, 9, 10}, {3, 1, 7, 7}, depthwise(3, attrs({{"pads", Ints{3, 3, 3, 3}}}))},
      {{1, 3, 12, 12}, {3, 1, 9, 9}, depthwise(3, attrs({{"pads", Ints{4, 4, 4, 4}}}))},
      {{2, 4, 29}, {4, 1, 5}, depthwise(4, attrs({{"strides", Ints{2}}, {"pads", Ints{2, 2}}}))},
      {{1, 7, 6, 6},
       {7, 1, 3, 3},
       depthwise(7, attrs({{"pads", Ints{1, 1, 1, 1}}, {kFusedActivation, std::string("Relu")}}))},
      {{1, 7, 5, 9},
       {7, 1, 3, 3},
       depthwise(7, attrs({{"pads", Ints{1, 1, 1, 1}},
                           {kFusedActivation, std::string("Clip")},
                           {kFusedAlpha, 0.0},
                           {kFusedBeta, 0.5}}))},
      {{2, 5, 15, 13},
       {5, 1, 5, 5},
       depthwise(
           5,
           attrs({{"strides", Ints{2, 3}}, {"dilations", Ints{1, 2}}, {"pads", Ints{2, 1, 3, 4}}})),
       false},
      {{1, 6, 11, 10},
       {6, 1, 3, 3},
       depthwise(6, attrs({{"strides", Ints{1, 2}},
                           {"pads", Ints{0, 1, 1, 0}},
                           {kFusedActivation, std::string("HardSwish")}}))},
  };
  for (const char* flat : {"on", "off"}) {
    SCOPED_TRACE(std::string("TANDEM_VULKAN_DEPTHWISE_FLAT=") + flat);
    const tandem::testing::ScopedEnvironment forced("TANDEM_VULKAN_DEPTHWISE_FLAT", flat);
    for (const ConvCase& c : cases) expect_conv("Conv", c, rng);
  }
}

// shaders/conv_pointwise.comp (unpadded 1x1, up to 512 input channels): output channels that
// do not fill the last chunk of MT, workgroups whose positions span images, 1-D, no bias,
// fused activations, the most input channels it takes.
TEST_F(ConvTest, PointwiseKernel) {
  std::mt19937 rng(48);
  const std::vector<ConvCase> cases = {
      {{2, 32, 8, 8}, {40, 32, 1, 1}, attrs({{kFusedActivation, std::string("Relu")}})},
      {{1, 3, 12, 12}, {16, 3, 1, 1}, {}, false},
      {{3, 8, 5, 4},
       {7, 8, 1, 1},
       attrs({{kFusedActivation, std::string("Clip")}, {kFusedAlpha, -0.3}, {kFusedBeta, 0.4}})},
      {{2, 16, 36}, {20, 16, 1}, {}},
      {{2, 24, 32, 36}, {48, 24, 1, 1}, attrs({{kFusedActivation, std::string("HardSwish")}})},
      {{1, 512, 4, 4}, {12, 512, 1, 1}, {}},
  };
  for (const ConvCase& c : cases) expect_conv("Conv", c, rng);
}

// The shallow shaders (at most 32 inputs per output), which GPUs choose, here forced on.
// conv_pointwise_shallow.comp: the layer it was written for (1x1 32->64) and smaller ones, an
// odd output count, 1-D. conv_window_shallow.comp: a 3x3 stride-2 RGB stem with odd output
// rows, asymmetric pads and dilations, 1-D, 1x1 layers the pointwise one cannot pair, 32
// inputs per output. Fused activations, no bias.
TEST_F(ConvTest, ShallowKernels) {
  const tandem::testing::ScopedEnvironment shallow("TANDEM_VULKAN_SHALLOW_CONV", "on");
  std::mt19937 rng(49);
  const Attributes relu = attrs({{kFusedActivation, std::string("Relu")}});
  const std::vector<ConvCase> cases = {
      {{2, 32, 28, 28}, {64, 32, 1, 1}, relu},
      // 25600 pairs: 100 full workgroups of 256 where the units are an H100's or unknown
      // (PointwiseWorkgroupsFollowTheUnits); the layers above and below take 128, or one group.
      {{1, 8, 160, 320}, {8, 8, 1, 1}, relu},
      {{3, 4, 5, 6}, {3, 4, 1, 1}, {}},
      {{1, 12, 10}, {1, 12, 1}, {}, false},
      {{2, 8, 6, 3},
       {5, 8, 1, 1},
       attrs({{kFusedActivation, std::string("Clip")}, {kFusedAlpha, -0.4}, {kFusedBeta, 0.3}})},
      {{2, 16, 7, 8}, {24, 16, 1, 1}, attrs({{kFusedActivation, std::string("HardSwish")}})},
      {{2, 3, 29, 31},
       {32, 3, 3, 3},
       attrs({{"strides", Ints{2, 2}},
              {"pads", Ints{1, 1, 1, 1}},
              {kFusedActivation, std::string("Relu")}})},
      {{1, 2, 11, 12},
       {7, 2, 3, 4},
       attrs({{"pads", Ints{2, 0, 1, 3}}, {"dilations", Ints{2, 1}}}),
       false},
      {{2, 4, 23}, {9, 4, 5}, attrs({{"strides", Ints{3}}, {"pads", Ints{2, 2}}})},
      {{1, 6, 5, 5}, {10, 6, 1, 1}, {}},
      {{1, 2, 9, 9}, {16, 2, 4, 4}, attrs({{"pads", Ints{1, 2, 2, 1}}})},
      // Quad rows: the stem, a pad only at the top, 1-D, and a dilated height.
      {{2, 3, 30, 32},
       {32, 3, 3, 3},
       attrs({{"strides", Ints{2, 2}},
              {"pads", Ints{1, 1, 1, 1}},
              {kFusedActivation, std::string("Relu")}})},
      {{1, 2, 7, 16}, {5, 2, 3, 3}, attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 0, 1}}})},
      {{2, 3, 24}, {6, 3, 3}, attrs({{"strides", Ints{2}}, {"pads", Ints{1, 1}}})},
      {{1, 3, 12, 8},
       {4, 3, 3, 3},
       attrs({{"strides", Ints{1, 2}}, {"pads", Ints{2, 1, 2, 1}}, {"dilations", Ints{2, 1}}}),
       false},
  };
  for (const ConvCase& c : cases) expect_conv("Conv", c, rng);
}

using ConvRecorder = bool (*)(NodeContext&, const ConvGeometry&, const WindowDim&, const WindowDim&,
                              const std::vector<std::uint32_t>&, const ConvActivation&);

// The dispatch `record` (record_conv_shallow or record_conv_depthwise) makes of a layer,
// decided from the properties of a GPU (of `units` multiprocessors, 0 if none counts them) or
// of lavapipe; none where it does not take the layer. Recording needs no device.
std::optional<Dispatch> recorded_conv(ConvRecorder record, VkPhysicalDeviceType type,
                                      std::uint32_t units, const Shape& x, const Shape& w,
                                      const Attributes& attributes) {
  PhysicalDevice physical;
  physical.compute_units = units;
  VkPhysicalDeviceProperties& properties = physical.properties;
  properties.deviceType = type;
  properties.limits.maxComputeSharedMemorySize = 48 * 1024;
  properties.limits.minStorageBufferOffsetAlignment = 16;
  properties.limits.maxStorageBufferRange = 1u << 30;
  const op_test::SingleNodeGraph single = op_test::make_single_node_graph(
      "Conv", attributes, {runtime(Tensor(DType::F32, x)), constant(Tensor(DType::F32, w))});
  const Plan plan = op_test::plan_single_node(single);
  const Node& node = plan.graph.nodes().front();
  ConstantPool constants;
  std::vector<Dispatch> dispatches;
  std::int64_t arena_bytes = plan.memory.arena_bytes;
  NodeContext context(plan, node, "conv", constants, dispatches, physical, arena_bytes);
  const ConvGeometry geometry = resolve_conv(node, x, w);
  WindowDim h;
  const WindowDim wd = geometry.window.dims.back();
  if (geometry.window.dims.size() == 2) h = geometry.window.dims.front();
  const bool taken = record(context, geometry, h, wd, {1, 1, 0, 0, 1, 1}, {});
  EXPECT_EQ(dispatches.size(), taken ? 1u : 0u);
  if (!taken) return std::nullopt;
  return dispatches.front();
}

std::optional<Dispatch> recorded_shallow(VkPhysicalDeviceType type, std::uint32_t units,
                                         const Shape& x, const Shape& w,
                                         const Attributes& attributes) {
  return recorded_conv(record_conv_shallow, type, units, x, w, attributes);
}

// shaders/conv_depthwise_quad.comp (core's has_quad_columns, x and y 16-byte aligned):
// strides 1 and 2 along w, a single invocation a row, a narrower output than stride x input,
// no end pad, a different stride and dilation along h, 1-D, fused activations; and which
// shader each layer takes.
TEST_F(ConvTest, DepthwiseQuadColumns) {
  std::mt19937 rng(30);
  auto depthwise = [](std::int64_t channels, Attributes attributes) {
    attributes.set("group", channels);
    return attributes;
  };
  const Attributes padded = attrs({{"pads", Ints{1, 1, 1, 1}}});
  const Attributes strided = attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  const std::vector<ConvCase> cases = {
      {{2, 8, 12, 16}, {8, 1, 3, 3}, depthwise(8, padded)},
      {{1, 6, 10, 16}, {6, 1, 3, 3}, depthwise(6, strided), false},
      {{1, 5, 9, 8},
       {5, 1, 3, 3},
       depthwise(5, attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 0, 0}}}))},
      {{1, 4, 7, 4},
       {4, 1, 3, 3},
       depthwise(4, attrs({{"pads", Ints{1, 1, 1, 1}}, {kFusedActivation, std::string("Relu")}}))},
      {{1, 3, 11, 12},
       {3, 1, 3, 3},
       depthwise(3, attrs({{"strides", Ints{2, 1}},
                           {"pads", Ints{2, 1, 2, 1}},
                           {"dilations", Ints{2, 1}}}))},
      {{2, 4, 32}, {4, 1, 3}, depthwise(4, attrs({{"pads", Ints{1, 1}}}))},
      {{1, 7, 6, 8},
       {7, 1, 3, 3},
       depthwise(
           7, attrs({{"pads", Ints{1, 1, 1, 1}}, {kFusedActivation, std::string("HardSwish")}}))},
  };
  for (const ConvCase& c : cases) expect_conv("Conv", c, rng);

  const auto shader = [&](const Shape& x, const Attributes& attributes) {
    const std::optional<Dispatch> dispatch =
        recorded_conv(record_conv_depthwise, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 0, x,
                      {x[1], 1, 3, 3}, depthwise(x[1], attributes));
    return dispatch ? dispatch->shader : "";
  };
  EXPECT_EQ(shader({64, 32, 112, 112}, padded), "conv_depthwise_quad");
  EXPECT_EQ(shader({64, 64, 112, 112}, strided), "conv_depthwise_quad");
  EXPECT_EQ(shader({64, 512, 14, 14}, padded), "conv_depthwise_column");  // width 14
  EXPECT_EQ(shader({4, 16, 1, 30}, padded), "conv_depthwise_flat");       // one output row
  EXPECT_EQ(shader({64, 256, 28, 28}, strided), "conv_depthwise_flat");   // output width 14
  EXPECT_EQ(shader({1, 8, 8, 8}, attrs({{"strides", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}})),
            "conv_depthwise_flat");
  const tandem::testing::ScopedEnvironment rows("TANDEM_VULKAN_DEPTHWISE_FLAT", "off");
  EXPECT_EQ(shader({64, 512, 14, 14}, padded), "conv_depthwise");
}

std::string shallow_shader(VkPhysicalDeviceType type, const Shape& x, const Shape& w,
                           const Attributes& attributes) {
  const std::optional<Dispatch> dispatch = recorded_shallow(type, 0, x, w, attributes);
  return dispatch ? dispatch->shader : "";
}

TEST(ConvShallow, WhichLayersItTakes) {
  constexpr VkPhysicalDeviceType kGpu = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
  const auto shader = [](const Shape& x, const Shape& w, const Attributes& attributes = {}) {
    return shallow_shader(kGpu, x, w, attributes);
  };
  const Attributes padded = attrs({{"pads", Ints{1, 1, 1, 1}}});
  EXPECT_EQ(shader({2, 32, 28, 28}, {64, 32, 1, 1}), "conv_pointwise_shallow");
  EXPECT_EQ(shader({1, 4, 5, 6}, {3, 4, 1, 1}), "conv_pointwise_shallow");
  EXPECT_EQ(shader({2, 3, 32, 32}, {32, 3, 3, 3}, padded), "conv_window_shallow");
  const Attributes stem = attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  EXPECT_EQ(shader({2, 3, 32, 32}, {32, 3, 3, 3}, stem), "conv_window_quad");
  EXPECT_EQ(shader({2, 3, 32, 30}, {32, 3, 3, 3}, stem), "conv_window_shallow");  // width 30
  EXPECT_EQ(shader({2, 3, 32, 28}, {32, 3, 3, 3}, stem), "conv_window_shallow");  // 14 outputs
  EXPECT_EQ(shader({1, 6, 8, 8}, {64, 6, 1, 1}), "conv_window_shallow");    // C not a multiple of 4
  EXPECT_EQ(shader({1, 16, 7, 7}, {13, 16, 1, 1}), "conv_window_shallow");  // odd positions
  EXPECT_EQ(shallow_shader(VK_PHYSICAL_DEVICE_TYPE_CPU, {2, 32, 28, 28}, {64, 32, 1, 1}, {}), "");
  EXPECT_EQ(shader({1, 36, 8, 8}, {64, 36, 1, 1}), "");        // more than 32 inputs
  EXPECT_EQ(shader({1, 4, 8, 8}, {16, 4, 3, 3}, padded), "");  // 36 inputs
  EXPECT_EQ(shader({1, 32, 8, 8}, {128, 32, 1, 1}), "");       // weights over 16 KiB
  EXPECT_EQ(shader({1, 16, 8, 8}, {16, 8, 1, 1}, attrs({{"group", std::int64_t{2}}})), "");
  const tandem::testing::ScopedEnvironment off("TANDEM_VULKAN_SHALLOW_CONV", "off");
  EXPECT_EQ(shader({2, 32, 28, 28}, {64, 32, 1, 1}), "");
  const tandem::testing::ScopedEnvironment wrong("TANDEM_VULKAN_SHALLOW_CONV", "yes");
  EXPECT_THROW(shader({2, 32, 28, 28}, {64, 32, 1, 1}), Error);
}

// The pointwise shader's workgroups follow core's pointwise_shallow_group over the device's
// multiprocessors (an H100's 132 where none are counted): 1x1 32->64 at 112x112 takes 128 at
// batch 8 and 256 at 16 there; on 98 units batch 8 takes 256 (196 groups of 256 run 2 a unit,
// as evenly as 392 of 128 run 4). The window shaders keep 128.
TEST(ConvShallow, PointwiseWorkgroupsFollowTheUnits) {
  constexpr VkPhysicalDeviceType kGpu = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
  const auto workgroup = [&](std::uint32_t units, std::int64_t batch) {
    return recorded_shallow(kGpu, units, {batch, 32, 112, 112}, {64, 32, 1, 1}, {})->workgroup_size;
  };
  EXPECT_EQ(workgroup(132, 8), 128u);
  EXPECT_EQ(workgroup(132, 16), 256u);
  EXPECT_EQ(workgroup(0, 8), 128u);
  EXPECT_EQ(workgroup(0, 16), 256u);
  EXPECT_EQ(workgroup(98, 8), 256u);
  // ShallowKernels' layer of 25600 pairs: 100 groups of 256 spread as evenly as 200 of 128.
  EXPECT_EQ(recorded_shallow(kGpu, 0, {1, 8, 160, 320}, {8, 8, 1, 1}, {})->workgroup_size, 256u);
  const Attributes stem = attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  EXPECT_EQ(recorded_shallow(kGpu, 132, {16, 3, 224, 224}, {32, 3, 3, 3}, stem)->workgroup_size,
            128u);
}

TEST_F(ConvTest, AutoPadAndOneDimensional) {
  std::mt19937 rng(23);
  const std::vector<ConvCase> cases = {
      {{1, 3, 7, 7},
       {2, 3, 3, 3},
       attrs({{"auto_pad", std::string("SAME_UPPER")}, {"strides", Ints{2, 2}}})},
      {{1, 3, 8, 8},
       {2, 3, 4, 4},
       attrs({{"auto_pad", std::string("SAME_LOWER")}, {"strides", Ints{3, 3}}})},
      {{1, 3, 7, 6}, {2, 3, 3, 3}, attrs({{"auto_pad", std::string("VALID")}})},
      {{2, 3, 31}, {5, 3, 4}, attrs({{"strides", Ints{3}}, {"pads", Ints{2, 1}}})},
  };
  for (const ConvCase& c : cases) expect_conv("Conv", c, rng);
}

TEST_F(ConvTest, FusedActivations) {
  std::mt19937 rng(24);
  const std::vector<Attributes> activations = {
      attrs({{kFusedActivation, std::string("Relu")}}),
      attrs({{kFusedActivation, std::string("LeakyRelu")}, {kFusedAlpha, 0.2}}),
      attrs({{kFusedActivation, std::string("Clip")}, {kFusedAlpha, -0.3}, {kFusedBeta, 0.4}}),
      attrs({{kFusedActivation, std::string("Sigmoid")}}),
      attrs({{kFusedActivation, std::string("HardSigmoid")}}),
      attrs({{kFusedActivation, std::string("HardSwish")}}),
      attrs({{kFusedActivation, std::string("Tanh")}}),
  };
  for (Attributes attributes : activations) {
    attributes.set("pads", Ints{1, 1, 1, 1});
    expect_conv("Conv", {{1, 4, 6, 5}, {3, 4, 3, 3}, attributes}, rng);
  }
}

// Conv -> Relu planned with the backend's fusion query becomes one Conv; its output equals
// the unfused graph's reference.
TEST_F(ConvTest, FusionPassUsesTheShaderActivation) {
  std::mt19937 rng(25);
  Graph graph;
  const ValueId input = add_graph_input(graph, "x", {1, 3, 8, 8});
  const ValueId w = graph.add_constant("w", random_tensor(rng, {5, 3, 3, 3}));
  const ValueId b = graph.add_constant("b", random_tensor(rng, {5}));
  const ValueId conv =
      append_node(graph, "Conv", {input, w, b}, attrs({{"pads", Ints{1, 1, 1, 1}}}), "conv");
  graph.outputs().push_back(append_node(graph, "Relu", {conv}, {}, "y"));
  const std::vector<Tensor> inputs{random_tensor(rng, {1, 3, 8, 8})};

  Backend& backend = test_backend();
  PlanOptions options;
  options.fuses = [&](const std::string& op, const std::string& act) {
    return backend.fuses_activation(op, act);
  };
  const Plan fused = make_plan(graph, {inputs[0].info()}, options);
  ASSERT_EQ(fused.graph.nodes().size(), 1u);
  EXPECT_EQ(fused.graph.nodes()[0].attributes.get_string(kFusedActivation), "Relu");
  CompileOptions compile;
  compile.cache.mode = CacheMode::Off;
  const Tensor actual = backend.compile(fused, test_device(), compile)->run(inputs)[0];
  const Tensor reference = run_reference(make_plan(graph, {inputs[0].info()}, {}), inputs)[0];
  const Mismatch mismatch = compare(actual, reference);
  EXPECT_LE(mismatch.max_abs_error, kTolerance * (1 + mismatch.max_abs_reference));
  EXPECT_GT(mismatch.max_abs_reference, 0.0);
}

TEST_F(ConvTest, ConvTranspose) {
  std::mt19937 rng(26);
  const std::vector<ConvCase> cases = {
      {{1, 4, 5, 5},
       {4, 3, 3, 3},
       attrs(
           {{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}, {"output_padding", Ints{1, 1}}})},
      {{1, 4, 6, 7},
       {4, 2, 3, 2},
       attrs({{"group", std::int64_t{2}}, {"dilations", Ints{2, 1}}}),
       false},
      {{2, 3, 13}, {3, 5, 4}, attrs({{"strides", Ints{3}}})},
      {{1, 2, 3, 3}, {2, 3, 3, 3}, attrs({{"strides", Ints{2, 2}}, {"output_shape", Ints{8, 8}}})},
  };
  for (const ConvCase& c : cases) expect_conv("ConvTranspose", c, rng);
}

// Outputs that sum 36864 products (4096 channels x 3 x 3 taps): one invocation would walk
// 53248 loop steps, past what lavapipe completes (vulkan/loop_limit.h), so each output gets a
// workgroup. A lane adds 144 products, then a tree of 8 levels: rounding near 1e-6 relative
// to outputs of magnitude ~60, well inside kTolerance; a walk cut short would miss tens.
TEST_F(ConvTest, ManyTapsPerOutput) {
  std::mt19937 rng(28);
  const std::vector<ConvCase> convs = {
      {{1, 4096, 3, 3}, {2, 4096, 3, 3}, attrs({{"pads", Ints{1, 1, 1, 1}}})},
      {{1, 8192, 3, 3}, {4, 4096, 3, 3}, attrs({{"group", std::int64_t{2}}}), false},
  };
  for (const ConvCase& c : convs) expect_conv("Conv", c, rng);
  expect_conv("ConvTranspose", {{1, 4096, 2, 2}, {4096, 2, 3, 3}, attrs({})}, rng);
}

TEST_F(ConvTest, ThreeDimensionalIsUnsupported) {
  std::mt19937 rng(27);
  const op_test::SingleNodeGraph single =
      op_test::make_single_node_graph("Conv", {},
                                      {runtime(random_tensor(rng, {1, 2, 3, 3, 3})),
                                       constant(random_tensor(rng, {2, 2, 2, 2, 2}))});
  const Plan plan = make_plan(single.graph, single.runtime_infos(), {});
  CompileOptions compile;
  compile.cache.mode = CacheMode::Off;
  try {
    test_backend().compile(plan, test_device(), compile);
    FAIL() << "3-D Conv compiled";
  } catch (const Unsupported& e) {
    EXPECT_NE(std::string(e.what()).find("node 'under_test' (Conv)"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tandem::vulkan::testing
