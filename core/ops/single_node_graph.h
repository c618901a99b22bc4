#pragma once
// Test support for the op unit tests: one node in a graph of its own, planned through the
// public pipeline (make_plan) and run by the float64 reference (run_reference).
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/op_registry.h"
#include "core/planner.h"
#include "core/reference_backend.h"

namespace tandem::op_test {

// One input of the node: fed at run time, baked in as a constant (initializer), or omitted.
struct NodeInput {
  enum class Kind { Runtime, Constant, Omitted };
  Tensor tensor;
  Kind kind = Kind::Runtime;
};

inline NodeInput runtime(Tensor tensor) { return {std::move(tensor), NodeInput::Kind::Runtime}; }
inline NodeInput constant(Tensor tensor) { return {std::move(tensor), NodeInput::Kind::Constant}; }
inline NodeInput omitted() { return {Tensor(), NodeInput::Kind::Omitted}; }

struct SingleNodeGraph {
  Graph graph;
  std::vector<Tensor> runtime_inputs;

  std::vector<TensorInfo> runtime_infos() const {
    std::vector<TensorInfo> infos;
    for (const Tensor& tensor : runtime_inputs) infos.push_back(tensor.info());
    return infos;
  }
};

inline SingleNodeGraph make_single_node_graph(const std::string& op_type,
                                              const Attributes& attributes,
                                              const std::vector<NodeInput>& inputs,
                                              int output_count = 1) {
  SingleNodeGraph single;
  Node node;
  node.name = "under_test";
  node.op_type = op_type;
  node.attributes = attributes;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string name = "in" + std::to_string(i);
    const NodeInput& input = inputs[i];
    if (input.kind == NodeInput::Kind::Omitted) {
      node.inputs.push_back(kNoValue);
    } else if (input.kind == NodeInput::Kind::Constant) {
      node.inputs.push_back(single.graph.add_constant(name, input.tensor));
    } else {
      Value value;
      value.name = name;
      value.dtype = input.tensor.dtype();
      value.dims = input.tensor.shape();
      value.dim_names.assign(value.dims.size(), "");
      const ValueId id = single.graph.add_value(value);
      single.graph.inputs().push_back(id);
      single.runtime_inputs.push_back(input.tensor);
      node.inputs.push_back(id);
    }
  }
  for (int o = 0; o < output_count; ++o) {
    Value value;
    value.name = "out" + std::to_string(o);
    const ValueId id = single.graph.add_value(value);
    node.outputs.push_back(id);
    single.graph.outputs().push_back(id);
  }
  single.graph.add_node(std::move(node));
  return single;
}

// Plans without the graph passes, so the node under test is what runs.
inline Plan plan_single_node(const SingleNodeGraph& single) {
  PlanOptions options;
  options.optimize = false;
  return make_plan(single.graph, single.runtime_infos(), options);
}

inline std::vector<Tensor> run_single_node(const std::string& op_type,
                                           const Attributes& attributes,
                                           const std::vector<NodeInput>& inputs,
                                           int output_count = 1) {
  const SingleNodeGraph single = make_single_node_graph(op_type, attributes, inputs, output_count);
  return run_reference(plan_single_node(single), single.runtime_inputs);
}

// The inferred shape of the node's first output.
inline Shape infer_single_node(const std::string& op_type, const Attributes& attributes,
                               const std::vector<NodeInput>& inputs) {
  const SingleNodeGraph single = make_single_node_graph(op_type, attributes, inputs);
  const Plan plan = plan_single_node(single);
  return plan.info_of(single.graph.outputs()[0]).shape;
}

// The schema's shape inference called directly, without a graph: inputs given as
// std::nullopt are omitted (ONNX's empty input name).
inline std::vector<TensorInfo> infer_with_schema(const std::string& op_type,
                                                 const Attributes& attributes,
                                                 const std::vector<std::optional<TensorInfo>>& inputs) {
  Node node;
  node.name = "under_test";
  node.op_type = op_type;
  node.attributes = attributes;
  InferContext context{node, {}, {}, {}};
  for (const std::optional<TensorInfo>& input : inputs) {
    node.inputs.push_back(input ? 0 : kNoValue);
    context.inputs.push_back(input.value_or(TensorInfo{}));
    context.present.push_back(input.has_value());
    context.constants.push_back(nullptr);
  }
  node.outputs.push_back(0);
  const OpRegistry& registry = OpRegistry::instance();
  registry.validate(node);
  return registry.get(node).infer(context);
}

// A float64 tensor of uniform values in [low, high).
inline Tensor random_tensor(std::mt19937& rng, const Shape& shape, double low = -1.0,
                            double high = 1.0) {
  std::uniform_real_distribution<double> distribution(low, high);
  Tensor tensor(DType::F64, shape);
  for (double& value : tensor.data<double>()) value = distribution(rng);
  return tensor;
}

inline Tensor f64(const Shape& shape, const std::vector<double>& values) {
  return Tensor::from<double>(DType::F64, shape, values);
}

inline Attributes make_attributes(std::initializer_list<std::pair<const std::string, Attribute>> list) {
  Attributes attributes;
  for (const auto& [name, value] : list) attributes.set(name, value);
  return attributes;
}

using Ints = std::vector<std::int64_t>;

}  // namespace tandem::op_test
