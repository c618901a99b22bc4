#pragma once
#include <string>
#include <vector>

#include "conformance/case.h"
#include "core/graph.h"

namespace tandem::conformance {

// A case made concrete: its graph (inputs, constants, nodes) and seeded input tensors in
// the order of graph.inputs(), ready for make_plan and run.
struct BuiltCase {
  Graph graph;
  std::vector<TensorInfo> input_infos;
  std::vector<Tensor> inputs;
};

// Builds the graph of a case. Model paths are relative to `root` (the source tree).
// Throws Error naming the case for a broken case, Unsupported where ONNX import is absent.
BuiltCase build_case_graph(const Case& c, const std::string& root);

}  // namespace tandem::conformance
