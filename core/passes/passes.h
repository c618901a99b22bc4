#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/graph.h"

namespace tandem {

// Whether a backend fuses `activation` (e.g. "Relu") into `op_type` (e.g. "Conv").
using FusionQuery = std::function<bool(const std::string& op_type, const std::string& activation)>;

// Each pass rewrites the graph in place. `info` is the inferred type of every value
// (see infer_shapes); passes that change the graph leave re-inference to the caller.

// Nodes whose inputs are all constants become constants (Shape of a static shape, Cast,
// Gather, Constant, Unsqueeze/Concat chains ...). Float results keep their declared dtype.
void fold_constants(Graph& graph, const std::vector<TensorInfo>& info);
// Conv -> BatchNormalization with constant parameters becomes one Conv with new weights.
void fold_batchnorm_into_conv(Graph& graph);
// Conv (+ bias) -> activation becomes one Conv marked with kFusedActivation when `fuses` says so.
void fuse_conv_activation(Graph& graph, const FusionQuery& fuses);
// Removes nodes whose outputs nobody reads and constants nobody uses. The graph is rebuilt
// compactly, so ValueIds change (graph inputs and outputs keep their order).
void eliminate_dead_nodes(Graph& graph);

// Shape inference and constant folding in one walk, for graphs whose shapes are computed
// in the graph (Shape -> Gather -> Unsqueeze -> Concat -> Reshape): a node is folded as soon
// as its type is known, so the Reshape after it sees its shape as a constant. infer_shapes
// alone cannot type such a graph; make_plan can call this in place of infer_shapes followed
// by fold_constants. Returns one TensorInfo per ValueId, like infer_shapes.
std::vector<TensorInfo> infer_shapes_folding_constants(Graph& graph,
                                                       const std::vector<TensorInfo>& inputs);

}  // namespace tandem
