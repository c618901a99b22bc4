#pragma once
#include <vector>

#include "core/graph.h"

namespace tandem {

// Rewrites `node`, read from a model that declared `opset` (9 to 17), into the opset-17
// form the IR uses: attributes that later opsets turned into inputs become constant inputs
// (added to `graph`), Resize-10 gains roi and its coordinate mode, Softmax-<13 keeps its
// flatten-to-2-D meaning, attributes inference ignores (BatchNormalization momentum) go.
// Returns the node(s) that replace it, in execution order.
std::vector<Node> upgrade_to_opset17(Graph& graph, Node node, int opset);

}  // namespace tandem
