#pragma once
#include <vector>

#include "core/graph.h"
#include "core/plan.h"

namespace tandem {

// Assigns every non-constant value an offset in one arena, reusing the bytes of values no
// longer read (graph inputs live from the start, graph outputs to the end). Offsets are
// multiples of `alignment`. Also computes the live-set lower bound to judge the result.
MemoryPlan plan_memory(const Graph& graph, const std::vector<TensorInfo>& info,
                       std::int64_t alignment);

}  // namespace tandem
