// Placeholder planner until the real one lands: no reuse, one slot per value.
#include "core/memory_planner.h"

namespace tandem {

MemoryPlan plan_memory(const Graph& graph, const std::vector<TensorInfo>& info,
                       std::int64_t alignment) {
  MemoryPlan plan;
  plan.alignment = alignment;
  plan.offset.assign(graph.value_count(), -1);
  for (std::size_t i = 0; i < graph.value_count(); ++i) {
    if (graph.value(static_cast<ValueId>(i)).constant) continue;
    plan.offset[i] = plan.arena_bytes;
    const auto bytes = static_cast<std::int64_t>(info[i].bytes());
    plan.arena_bytes += (bytes + alignment - 1) / alignment * alignment;
  }
  plan.lower_bound_bytes = plan.arena_bytes;
  return plan;
}

}  // namespace tandem
