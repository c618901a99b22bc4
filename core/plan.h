#pragma once
#include <cstdint>
#include <vector>

#include "core/graph.h"

namespace tandem {

// Where each activation lives in one arena buffer, reused once a value is dead.
struct MemoryPlan {
  std::vector<std::int64_t> offset;   // per ValueId; -1 for constants and unused values
  std::int64_t arena_bytes = 0;       // planned_bytes
  std::int64_t lower_bound_bytes = 0; // largest sum of live bytes at any step
  std::int64_t alignment = 256;
};

// A graph ready for a backend: passes applied, every shape concrete, buffers planned.
// Values with a constant are weights; everything else lives in the arena.
struct Plan {
  Graph graph;
  std::vector<TensorInfo> info;   // per ValueId, concrete
  MemoryPlan memory;

  const TensorInfo& info_of(ValueId id) const { return info.at(static_cast<std::size_t>(id)); }
};

}  // namespace tandem
