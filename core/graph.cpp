#include "core/graph.h"

#include <algorithm>

namespace tandem {

std::string Node::label() const { return "node '" + name + "' (" + op_type + ")"; }

ValueId Graph::add_value(Value value) {
  values_.push_back(std::move(value));
  return static_cast<ValueId>(values_.size() - 1);
}

ValueId Graph::add_constant(const std::string& name, Tensor tensor) {
  Value value;
  value.name = name;
  value.dtype = tensor.dtype();
  value.dims = tensor.shape();
  value.dim_names.assign(value.dims.size(), "");
  value.constant = std::move(tensor);
  return add_value(std::move(value));
}

Node& Graph::add_node(Node node) {
  nodes_.push_back(std::move(node));
  return nodes_.back();
}

std::optional<ValueId> Graph::find_value(const std::string& name) const {
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (values_[i].name == name) return static_cast<ValueId>(i);
  }
  return std::nullopt;
}

std::vector<std::size_t> Graph::consumers(ValueId id) const {
  std::vector<std::size_t> result;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto& inputs = nodes_[i].inputs;
    if (std::find(inputs.begin(), inputs.end(), id) != inputs.end()) result.push_back(i);
  }
  return result;
}

std::optional<std::size_t> Graph::producer(ValueId id) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto& outputs = nodes_[i].outputs;
    if (std::find(outputs.begin(), outputs.end(), id) != outputs.end()) return i;
  }
  return std::nullopt;
}

bool Graph::is_graph_output(ValueId id) const {
  return std::find(outputs_.begin(), outputs_.end(), id) != outputs_.end();
}

void Graph::validate_topology() const {
  std::vector<bool> defined(values_.size(), false);
  for (ValueId id : inputs_) defined.at(static_cast<std::size_t>(id)) = true;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (values_[i].constant) defined[i] = true;
  }
  for (const Node& node : nodes_) {
    for (ValueId id : node.inputs) {
      if (id == kNoValue) continue;
      if (!defined.at(static_cast<std::size_t>(id))) {
        fail(node.label() + ": input '" + value(id).name + "' is not defined before use");
      }
    }
    for (ValueId id : node.outputs) {
      if (defined.at(static_cast<std::size_t>(id))) {
        fail(node.label() + ": output '" + value(id).name + "' is defined twice");
      }
      defined[static_cast<std::size_t>(id)] = true;
    }
  }
  for (ValueId id : outputs_) {
    check(defined.at(static_cast<std::size_t>(id)),
          "graph output '" + value(id).name + "' is never computed");
  }
}

}  // namespace tandem
