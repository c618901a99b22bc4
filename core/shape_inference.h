#pragma once
#include <vector>

#include "core/graph.h"

namespace tandem {

// Binds the graph inputs to concrete types and infers every value's type, node by node.
// Errors name the input or node: "input 'x': expected rank 4, got [1, 3]".
// Returns one TensorInfo per ValueId (constants from their data).
std::vector<TensorInfo> infer_shapes(const Graph& graph, const std::vector<TensorInfo>& inputs);

// Checks that `given` fits graph input `value` (dtype, rank, fixed dimensions).
void bind_input(const Value& value, const TensorInfo& given);

}  // namespace tandem
