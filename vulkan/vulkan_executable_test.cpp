// The executable around the dispatches: inputs in and outputs out on both memory paths
// (mapped memory as on lavapipe, staging buffers as on discrete GPUs), replays with fresh
// inputs, outputs that are graph inputs or constants, and bad inputs.
#include <cstdlib>
#include <random>
#include <thread>

#include "core/graph_test_support.h"
#include "core/planner.h"
#include "core/reference_backend.h"
#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

using tandem::testing::add_graph_input;
using tandem::testing::append_node;

// x -> Relu -> y1; y1 + x -> y2; outputs: y2, x itself, y1, and a folded constant.
Graph make_graph(std::mt19937& rng) {
  Graph graph;
  const ValueId input = add_graph_input(graph, "x", {2, 13});
  const ValueId relu = append_node(graph, "Relu", {input}, {}, "y1");
  const ValueId sum = append_node(graph, "Add", {relu, input}, {}, "y2");
  const ValueId a = graph.add_constant("a", random_tensor(rng, {3}));
  const ValueId b = graph.add_constant("b", random_tensor(rng, {3}));
  const ValueId folded = append_node(graph, "Mul", {a, b}, {}, "folded");
  graph.outputs() = {sum, input, relu, folded};
  return graph;
}

class ExecutableTest : public VulkanTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) setenv("TANDEM_VK_FORCE_STAGING", "1", 1);
  }
  void TearDown() override {
    unsetenv("TANDEM_VK_FORCE_STAGING");
    VulkanTest::TearDown();
  }
};

TEST_P(ExecutableTest, OutputsOfEveryKindAcrossReplays) {
  std::mt19937 rng(101);
  const Graph graph = make_graph(rng);
  const Plan plan = make_plan(graph, {{DType::F32, {2, 13}}}, {});
  CompileOptions options;
  options.cache.mode = CacheMode::Off;
  std::unique_ptr<Executable> executable = test_backend().compile(plan, test_device(), options);
  for (int replay = 0; replay < 3; ++replay) {
    const std::vector<Tensor> inputs{random_tensor(rng, {2, 13})};
    const std::vector<Tensor> actual = executable->run(inputs);
    const std::vector<Tensor> reference = run_reference(plan, inputs);
    ASSERT_EQ(actual.size(), 4u);
    for (std::size_t o = 0; o < actual.size(); ++o) {
      EXPECT_EQ(actual[o].dtype(), DType::F32);
      const Mismatch mismatch = compare(actual[o], reference[o]);
      // One float32 rounding at most (the reference is float64).
      EXPECT_LE(mismatch.max_abs_error, 1e-6 * (1 + mismatch.max_abs_reference)) << "output " << o;
      EXPECT_GT(mismatch.max_abs_reference, 0.0) << "output " << o;
    }
  }
}

TEST_P(ExecutableTest, BadInputsAreErrors) {
  std::mt19937 rng(102);
  const Plan plan = make_plan(make_graph(rng), {{DType::F32, {2, 13}}}, {});
  CompileOptions options;
  options.cache.mode = CacheMode::Off;
  std::unique_ptr<Executable> executable = test_backend().compile(plan, test_device(), options);
  EXPECT_THROW(executable->run({}), Error);
  EXPECT_THROW(executable->run({random_tensor(rng, {13, 2})}), Error);
  EXPECT_THROW(executable->run({Tensor(DType::I64, {2, 13})}), Error);
  // Float64 inputs are accepted and rounded to float32.
  const Tensor wide = random_tensor(rng, {2, 13}).cast(DType::F64);
  EXPECT_EQ(executable->run({wide})[1].cast(DType::F64).data<double>()[5],
            static_cast<double>(static_cast<float>(wide.data<double>()[5])));
}

// Compiles and runs from several threads at once share one device and its queue.
TEST_P(ExecutableTest, ThreadsCompileAndRunAtOnce) {
  std::mt19937 rng(103);
  const Plan plan = make_plan(make_graph(rng), {{DType::F32, {2, 13}}}, {});
  std::vector<std::vector<Tensor>> inputs;
  for (int t = 0; t < 4; ++t) inputs.push_back({random_tensor(rng, {2, 13})});
  std::vector<std::vector<Tensor>> outputs(inputs.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < inputs.size(); ++t) {
    threads.emplace_back([&, t] {
      CompileOptions options;
      options.cache.mode = CacheMode::Off;
      std::unique_ptr<Executable> executable = test_backend().compile(plan, test_device(), options);
      for (int replay = 0; replay < 3; ++replay) outputs[t] = executable->run(inputs[t]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (std::size_t t = 0; t < inputs.size(); ++t) {
    const std::vector<Tensor> reference = run_reference(plan, inputs[t]);
    ASSERT_EQ(outputs[t].size(), reference.size());
    const Mismatch mismatch = compare(outputs[t][0], reference[0]);
    EXPECT_LE(mismatch.max_abs_error, 1e-6 * (1 + mismatch.max_abs_reference)) << "thread " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(MemoryPaths, ExecutableTest, ::testing::Values(false, true),
                         [](const auto& param_info) {
                           return param_info.param ? "Staging" : "Mapped";
                         });

}  // namespace
}  // namespace tandem::vulkan::testing
