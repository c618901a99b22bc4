// The executable as a whole: chains whose activations share arena bytes, repeated runs,
// pass-through and constant outputs, empty tensors, and the errors a caller can cause.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/graph_test_support.h"
#include "core/reference_backend.h"
#include "core/stopwatch.h"
#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;
using tandem::testing::add_graph_input;
using tandem::testing::append_node;
using Ints = std::vector<std::int64_t>;

std::unique_ptr<Executable> compile(const Plan& plan) {
  CompileOptions options;
  options.cache.mode = CacheMode::Off;
  return BackendRegistry::instance().create("opencl")->compile(plan, test_device(), options);
}

Plan plan_of(const Graph& graph, const std::vector<Tensor>& inputs, bool optimize = false) {
  std::vector<TensorInfo> infos;
  for (const Tensor& input : inputs) infos.push_back(input.info());
  PlanOptions options;
  options.optimize = optimize;
  return make_plan(graph, infos, options);
}

// Relu -> Mul -> Transpose -> Softmax -> Add(skip) -> Reshape: values die early, so the
// planner reuses their bytes; every kernel must read its inputs before they are reused.
TEST(ExecutableOpenCl, ChainWithReusedArenaMatchesReference) {
  std::mt19937 rng(111);
  Graph graph;
  const ValueId x = add_graph_input(graph, "x");
  const ValueId scale = graph.add_constant("scale", random_tensor(rng, {13}));
  const ValueId a = append_node(graph, "Relu", {x});
  const ValueId b = append_node(graph, "Mul", {a, scale});
  const ValueId c = append_node(graph, "Transpose", {b}, attrs({{"perm", Ints{0, 2, 1}}}));
  const ValueId d = append_node(graph, "Softmax", {c});
  const ValueId e = append_node(graph, "Add", {d, c});
  const ValueId shape = graph.add_constant("shape", int_tensor({2}, {2, -1}));
  graph.outputs() = {append_node(graph, "Reshape", {e, shape})};
  const std::vector<Tensor> inputs = {random_tensor(rng, {2, 7, 13})};
  const Plan plan = plan_of(graph, inputs);
  EXPECT_LT(plan.memory.arena_bytes, 6 * 2 * 7 * 13 * 4) << "expected the planner to reuse bytes";
  std::unique_ptr<Executable> executable = compile(plan);
  const std::vector<Tensor> reference = run_reference(plan, inputs);
  for (int repeat = 0; repeat < 2; ++repeat) {
    const Mismatch mismatch = compare(executable->run(inputs)[0], reference[0]);
    EXPECT_LE(mismatch.max_abs_error, 1e-5 * (1.0 + mismatch.max_abs_reference));
  }
  // New inputs on the same executable give the new answer.
  const std::vector<Tensor> other = {random_tensor(rng, {2, 7, 13})};
  const Mismatch mismatch = compare(executable->run(other)[0], run_reference(plan, other)[0]);
  EXPECT_LE(mismatch.max_abs_error, 1e-5 * (1.0 + mismatch.max_abs_reference));
}

TEST(ExecutableOpenCl, InputAndConstantOutputs) {
  std::mt19937 rng(112);
  Graph graph;
  const ValueId x = add_graph_input(graph, "x");
  const Tensor weights = random_tensor(rng, {3});
  const ValueId w = graph.add_constant("w", weights);
  graph.outputs() = {x, w, append_node(graph, "Relu", {x})};
  const Tensor input = random_tensor(rng, {4, 3});
  const std::vector<Tensor> outputs = compile(plan_of(graph, {input}))->run({input});
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_EQ(std::memcmp(outputs[0].raw(), input.raw(), input.bytes()), 0);
  EXPECT_EQ(std::memcmp(outputs[1].raw(), weights.raw(), weights.bytes()), 0);
  for (std::int64_t i = 0; i < input.numel(); ++i) {
    EXPECT_EQ(outputs[2].value_f64(i), std::max(0.0, input.value_f64(i)));
  }
}

TEST(ExecutableOpenCl, EmptyTensorsLaunchNothing) {
  Graph graph;
  graph.outputs() = {append_node(graph, "Relu", {add_graph_input(graph, "x")})};
  const Tensor input(DType::F32, {0, 5});
  const std::vector<Tensor> outputs = compile(plan_of(graph, {input}))->run({input});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].shape(), (Shape{0, 5}));
}

TEST(ExecutableOpenCl, RunChecksItsInputs) {
  Graph graph;
  graph.outputs() = {append_node(graph, "Relu", {add_graph_input(graph, "x")})};
  std::unique_ptr<Executable> executable = compile(plan_of(graph, {Tensor(DType::F32, {2, 3})}));
  EXPECT_THROW(executable->run({}), Error);
  try {
    executable->run({Tensor(DType::F32, {3, 2})});
    FAIL() << "a wrong shape ran";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("input 'x'"), std::string::npos) << error.what();
  }
  // Float64 inputs are narrowed, as the interface promises float tensors in general.
  const Tensor wide = Tensor::from<double>(DType::F64, {2, 3}, {-1, 2, -3, 4, -5, 6});
  const Tensor out = executable->run({wide})[0];
  EXPECT_EQ(out.value_f64(1), 2.0);
  EXPECT_EQ(out.value_f64(2), 0.0);
}

// Inputs are copied without blocking: two narrowed float64 inputs must both arrive whole,
// and an input rejected after an earlier one's copy was enqueued must leave that copy's
// bytes alive until it ends (pocl copies on a thread of its own; the sanitizer build sees a
// read of freed memory) and the executable usable.
TEST(ExecutableOpenCl, NonBlockingWritesOfNarrowedInputs) {
  std::mt19937 rng(115);
  Graph graph;
  const ValueId a = add_graph_input(graph, "a");
  const ValueId b = add_graph_input(graph, "b");
  graph.outputs() = {append_node(graph, "Mul", {a, b})};
  const Plan plan = plan_of(graph, {random_tensor(rng, {64, 129}), random_tensor(rng, {64, 129})});
  std::unique_ptr<Executable> executable = compile(plan);
  const std::vector<Tensor> wide = {random_tensor(rng, {64, 129}).cast(DType::F64),
                                    random_tensor(rng, {64, 129}).cast(DType::F64)};
  const Mismatch mismatch = compare(executable->run(wide)[0], run_reference(plan, wide)[0]);
  EXPECT_GT(mismatch.max_abs_reference, 0.1);
  EXPECT_LE(mismatch.max_abs_error, 1e-6 * (1.0 + mismatch.max_abs_reference));
  try {
    executable->run({random_tensor(rng, {64, 129}).cast(DType::F64), Tensor(DType::F32, {3})});
    FAIL() << "a wrong shape ran";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("input 'b'"), std::string::npos) << error.what();
  }
  const std::vector<Tensor> next = {random_tensor(rng, {64, 129}), random_tensor(rng, {64, 129})};
  const Mismatch after = compare(executable->run(next)[0], run_reference(plan, next)[0]);
  EXPECT_LE(after.max_abs_error, 1e-6 * (1.0 + after.max_abs_reference));
}

// Unsupported names the node: an op or dtype the backend lacks (checked before any program
// is built) and an attribute value a kernel does not cover (checked as the node compiles).
TEST(ExecutableOpenCl, UncoveredFeaturesAreUnsupportedNamingTheNode) {
  std::mt19937 rng(113);
  {
    Graph graph;
    const ValueId shape = append_node(graph, "Shape", {add_graph_input(graph, "x")});
    graph.outputs() = {shape};
    try {
      compile(plan_of(graph, {random_tensor(rng, {2, 3})}));
      FAIL() << "an int64 Shape output compiled";
    } catch (const Unsupported& error) {
      EXPECT_NE(std::string(error.what()).find("Shape_0"), std::string::npos) << error.what();
    }
  }
  {
    Graph graph;
    add_test_node(graph, "c_", "Conv",
                  {runtime(random_tensor(rng, {1, 1, 2, 2, 2, 2})),
                   weight(random_tensor(rng, {1, 1, 2, 2, 2, 2}))},
                  {}, 1);
    try {
      compile(plan_of(graph, {random_tensor(rng, {1, 1, 2, 2, 2, 2})}));
      FAIL() << "a 4-D convolution compiled";
    } catch (const Unsupported& error) {
      EXPECT_NE(std::string(error.what()).find("c_Conv"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("spatial"), std::string::npos) << error.what();
    }
  }
}

void expect_runs_are_timed(Executable& executable, const std::vector<Tensor>& inputs) {
  for (int run = 0; run < 2; ++run) {
    const auto start = std::chrono::steady_clock::now();
    executable.run(inputs);
    const double wall_ms = ms_since(start);
    const std::optional<double> device_ms = executable.last_run_device_ms();
    ASSERT_TRUE(device_ms.has_value());
    EXPECT_GT(*device_ms, 0.0);
    EXPECT_LE(*device_ms, wall_ms);
  }
}

// Profiling events on the first and last kernels time the run: no figure before the first
// run, then a positive one no longer than the run's wall clock (which adds the host copies
// and launch overhead); with one kernel, and with three.
TEST(ExecutableOpenCl, DeviceTimeOfLastRun) {
  std::mt19937 rng(117);
  for (const int kernels : {1, 3}) {
    SCOPED_TRACE(kernels);
    Graph graph;
    ValueId value = add_graph_input(graph, "x");
    for (int i = 0; i < kernels; ++i) {
      value = append_node(graph, i % 2 ? "Sigmoid" : "Relu", {value});
    }
    graph.outputs() = {value};
    const std::vector<Tensor> inputs = {random_tensor(rng, {64, 257})};
    const std::unique_ptr<Executable> executable = compile(plan_of(graph, inputs));
    EXPECT_FALSE(executable->last_run_device_ms().has_value());
    expect_runs_are_timed(*executable, inputs);
  }
}

}  // namespace
}  // namespace tandem::opencl
