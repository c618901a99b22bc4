// Conv and ConvTranspose on pocl against the float64 reference. Each output is a float32
// sum of K = C/group * prod(kernel) products (K <= 300 here) of inputs in [-1, 1]; its
// rounding error grows like sqrt(K) * 6e-8 * max|partial sum| and stays below 1e-5 in
// practice, so 1e-4 * (1 + max|ref|) has a 10x margin yet catches any wrong tap (>= 1e-2).
#include <gtest/gtest.h>

#include "core/op_registry.h"
#include "core/reference_backend.h"
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

}  // namespace
}  // namespace tandem::opencl
