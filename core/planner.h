#pragma once
#include <vector>

#include "core/passes/passes.h"
#include "core/plan.h"

namespace tandem {

struct PlanOptions {
  FusionQuery fuses;            // empty = fuse nothing (the reference runs unfused too)
  std::int64_t alignment = 256;
  bool optimize = true;         // run the graph passes
};

// The pipeline from an imported graph to what a backend compiles: bind the input types,
// validate every node, infer shapes, run the passes, re-infer and plan memory.
Plan make_plan(const Graph& graph, const std::vector<TensorInfo>& inputs,
               const PlanOptions& options);

}  // namespace tandem
