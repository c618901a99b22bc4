#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/attribute.h"
#include "core/tensor.h"

namespace tandem {

using ValueId = std::int32_t;
constexpr ValueId kNoValue = -1;   // an omitted optional input (ONNX's empty name)

// A tensor-valued edge. `dims` holds -1 for a dimension unknown until inputs are bound;
// `dim_names` keeps ONNX's symbolic names ("batch") for messages, empty where static.
struct Value {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::int64_t> dims;
  std::vector<std::string> dim_names;
  std::optional<Tensor> constant;   // initializers and folded constants
};

struct Node {
  std::string name;                 // ONNX node name, or "<op_type>_<index>" when unnamed
  std::string op_type;
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  Attributes attributes;

  // "node 'conv_3' (Conv)": how every message names a node.
  std::string label() const;
};

class Graph {
 public:
  ValueId add_value(Value value);
  ValueId add_constant(const std::string& name, Tensor tensor);
  Node& add_node(Node node);

  Value& value(ValueId id) { return values_.at(static_cast<std::size_t>(id)); }
  const Value& value(ValueId id) const { return values_.at(static_cast<std::size_t>(id)); }
  std::optional<ValueId> find_value(const std::string& name) const;
  std::size_t value_count() const { return values_.size(); }

  std::vector<Node>& nodes() { return nodes_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  std::vector<ValueId>& inputs() { return inputs_; }
  const std::vector<ValueId>& inputs() const { return inputs_; }
  std::vector<ValueId>& outputs() { return outputs_; }
  const std::vector<ValueId>& outputs() const { return outputs_; }

  // Nodes that read `id`, by index into nodes().
  std::vector<std::size_t> consumers(ValueId id) const;
  // Index of the node that writes `id`, if any.
  std::optional<std::size_t> producer(ValueId id) const;
  bool is_graph_output(ValueId id) const;

  // Checks that nodes are in topological order and every input is defined.
  void validate_topology() const;

  int opset = 17;

 private:
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  std::vector<ValueId> inputs_;
  std::vector<ValueId> outputs_;
};

}  // namespace tandem
