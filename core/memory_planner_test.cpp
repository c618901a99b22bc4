#include "core/memory_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/onnx/onnx_test_model.h"

namespace tandem {
namespace {

Value named(const std::string& name) {
  Value value;
  value.name = name;
  return value;
}

// Lifetimes as the planner defines them, recomputed here independently: node i runs at
// step i, graph inputs exist from step 0, graph outputs until after the last node.
struct Span {
  std::int64_t first = -1;
  std::int64_t last = -1;
};

std::vector<Span> spans_of(const Graph& graph) {
  std::vector<Span> spans(graph.value_count());
  const auto end = static_cast<std::int64_t>(graph.nodes().size());
  for (ValueId id : graph.inputs()) spans[static_cast<std::size_t>(id)] = {0, 0};
  for (std::int64_t step = 0; step < end; ++step) {
    const Node& node = graph.nodes()[static_cast<std::size_t>(step)];
    for (ValueId id : node.outputs) spans[static_cast<std::size_t>(id)] = {step, step};
    for (ValueId id : node.inputs) {
      if (id != kNoValue) spans[static_cast<std::size_t>(id)].last = std::max(spans[static_cast<std::size_t>(id)].last, step);
    }
  }
  for (ValueId id : graph.outputs()) spans[static_cast<std::size_t>(id)].last = end;
  return spans;
}

// Every pair of buffers live at a common step must not share a byte; every offset aligned;
// the arena holds every buffer; and the arena is at least the live-set lower bound.
void check_plan(const Graph& graph, const std::vector<TensorInfo>& info, const MemoryPlan& plan) {
  const std::vector<Span> spans = spans_of(graph);
  std::vector<std::size_t> buffers;
  for (std::size_t i = 0; i < graph.value_count(); ++i) {
    const bool needs_buffer = !graph.value(static_cast<ValueId>(i)).constant && spans[i].first >= 0;
    ASSERT_EQ(plan.offset[i] >= 0, needs_buffer) << graph.value(static_cast<ValueId>(i)).name;
    if (!needs_buffer) continue;
    buffers.push_back(i);
    EXPECT_EQ(plan.offset[i] % plan.alignment, 0);
    EXPECT_LE(plan.offset[i] + static_cast<std::int64_t>(info[i].bytes()), plan.arena_bytes);
  }
  for (std::size_t a = 0; a < buffers.size(); ++a) {
    for (std::size_t b = a + 1; b < buffers.size(); ++b) {
      const std::size_t i = buffers[a];
      const std::size_t j = buffers[b];
      const bool live_together = spans[i].first <= spans[j].last && spans[j].first <= spans[i].last;
      if (!live_together) continue;
      const std::int64_t i_end = plan.offset[i] + std::max<std::int64_t>(static_cast<std::int64_t>(info[i].bytes()), 1);
      const std::int64_t j_end = plan.offset[j] + std::max<std::int64_t>(static_cast<std::int64_t>(info[j].bytes()), 1);
      EXPECT_TRUE(i_end <= plan.offset[j] || j_end <= plan.offset[i])
          << graph.value(static_cast<ValueId>(i)).name << " and " << graph.value(static_cast<ValueId>(j)).name
          << " are live together and overlap";
    }
  }
  EXPECT_GE(plan.arena_bytes, plan.lower_bound_bytes);
}

TEST(MemoryPlanner, ChainReusesBuffersAndMeetsTheLowerBound) {
  // x -> Relu -> Tanh -> Relu -> ... : only two activations are ever live at once.
  Graph graph;
  Value input{"x", DType::F32, {1000}, {""}, {}};
  ValueId previous = graph.add_value(input);
  graph.inputs().push_back(previous);
  for (int i = 0; i < 10; ++i) {
    const ValueId next = graph.add_value(named("v" + std::to_string(i)));
    graph.add_node(Node{"n" + std::to_string(i), i % 2 ? "Tanh" : "Relu", {previous}, {next}, {}});
    previous = next;
  }
  graph.outputs().push_back(previous);
  const std::vector<TensorInfo> info(graph.value_count(), TensorInfo{DType::F32, {1000}});
  const MemoryPlan plan = plan_memory(graph, info, 256);
  check_plan(graph, info, plan);
  const std::int64_t slot = 4096;   // 4000 bytes rounded up to 256
  EXPECT_EQ(plan.lower_bound_bytes, 2 * slot);
  EXPECT_EQ(plan.arena_bytes, 2 * slot);   // 11 values in 2 slots
  EXPECT_LT(plan.arena_bytes, static_cast<std::int64_t>(graph.value_count()) * slot);
}

TEST(MemoryPlanner, RandomGraphsNeverShareLiveBytes) {
  std::mt19937 random(99);
  for (int trial = 0; trial < 50; ++trial) {
    Graph graph;
    std::vector<TensorInfo> info;
    std::vector<ValueId> available;
    auto add = [&](Value value, std::int64_t elements) {
      info.push_back({DType::F32, {elements}});
      available.push_back(graph.add_value(std::move(value)));
      return available.back();
    };
    for (int i = 0; i < 2; ++i) graph.inputs().push_back(add(named("in" + std::to_string(i)), 1 + random() % 5000));
    add(Value{"weight", DType::F32, {4}, {""}, Tensor(DType::F32, {4})}, 4);
    const int nodes = 5 + static_cast<int>(random() % 30);
    for (int n = 0; n < nodes; ++n) {
      const ValueId a = available[random() % available.size()];
      const ValueId b = available[random() % available.size()];
      const ValueId out = add(named("v" + std::to_string(n)), random() % 7 == 0 ? 0 : 1 + random() % 9000);
      graph.add_node(Node{"n" + std::to_string(n), "Add", {a, b}, {out}, {}});
    }
    graph.outputs().push_back(available.back());
    graph.outputs().push_back(available[available.size() / 2]);
    const std::int64_t alignment = std::int64_t{1} << (random() % 9);
    const MemoryPlan plan = plan_memory(graph, info, alignment);
    EXPECT_EQ(plan.alignment, alignment);
    check_plan(graph, info, plan);
  }
}

TEST(MemoryPlanner, ExampleModelsStayWithinAQuarterOfTheLowerBound) {
  const FusionQuery none;
  for (const auto& [name, input] : {std::pair{"mobilenet_tiny.onnx", Shape{4, 3, 32, 32}},
                                    std::pair{"transformer_block.onnx", Shape{1, 16, 64}}}) {
    SCOPED_TRACE(name);
    const Plan plan = onnx_test::plan_folding(import_onnx_file(onnx_test::example_path(name)),
                                              {{DType::F32, input}}, none);
    check_plan(plan.graph, plan.info, plan.memory);
    EXPECT_LE(static_cast<double>(plan.memory.arena_bytes), 1.25 * static_cast<double>(plan.memory.lower_bound_bytes))
        << "arena " << plan.memory.arena_bytes << ", lower bound " << plan.memory.lower_bound_bytes;
    std::int64_t unshared = 0;
    for (std::size_t i = 0; i < plan.info.size(); ++i) {
      if (plan.memory.offset[i] >= 0) unshared += static_cast<std::int64_t>(plan.info[i].bytes());
    }
    EXPECT_LT(plan.memory.arena_bytes, unshared / 2) << "little reuse";
  }
}

TEST(MemoryPlanner, RejectsABadAlignment) {
  Graph graph;
  EXPECT_THROW(plan_memory(graph, {}, 0), Error);
}

}  // namespace
}  // namespace tandem
