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
// Removes nodes whose outputs nobody reads and constants nobody uses.
void eliminate_dead_nodes(Graph& graph);

}  // namespace tandem
