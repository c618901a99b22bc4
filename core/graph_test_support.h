#pragma once
// For tests: graphs built by hand, one node at a time, each node with one new output value.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/graph.h"

namespace tandem::testing {

// A float32 input of the graph, fed at run time; `dims` may stay empty, for plans that take
// the shapes from the inputs bound.
inline ValueId add_graph_input(Graph& graph, const std::string& name,
                               std::vector<std::int64_t> dims = {}) {
  Value value;
  value.name = name;
  value.dims = std::move(dims);
  const ValueId id = graph.add_value(std::move(value));
  graph.inputs().push_back(id);
  return id;
}

// Appends an `op` node on `inputs` and returns its output. The node and its output are both
// called `name`, by default "<op>_<node index>".
inline ValueId append_node(Graph& graph, const std::string& op, std::vector<ValueId> inputs,
                           Attributes attributes = {}, std::string name = {}) {
  if (name.empty()) name = op + "_" + std::to_string(graph.nodes().size());
  Value value;
  value.name = name;
  const ValueId id = graph.add_value(std::move(value));
  graph.add_node(Node{std::move(name), op, std::move(inputs), {id}, std::move(attributes)});
  return id;
}

}  // namespace tandem::testing
