#pragma once
// Test support: runs one op's schema by hand (registry validation, infer, reference), the
// way the planner and the reference backend do, but without building a graph. The op tests
// use it where they need to isolate the op from the pipeline (omitted inputs, for one).
#include <string>
#include <vector>

#include "core/op_registry.h"
#include "core/ops/single_node_graph.h"

namespace tandem::direct_schema {

inline std::vector<Tensor> call(const std::string& op_type, const Attributes& attributes,
                                const std::vector<op_test::NodeInput>& inputs) {
  using Kind = op_test::NodeInput::Kind;
  Node node;
  node.name = "under_test";
  node.op_type = op_type;
  node.attributes = attributes;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    node.inputs.push_back(inputs[i].kind == Kind::Omitted ? kNoValue : static_cast<ValueId>(i));
  }
  node.outputs = {static_cast<ValueId>(inputs.size())};
  const OpSchema& schema = OpRegistry::instance().get(node);
  OpRegistry::instance().validate(node);
  InferContext infer{node, {}, {}, {}};
  for (const op_test::NodeInput& input : inputs) {
    const bool present = input.kind != Kind::Omitted;
    infer.inputs.push_back(present ? input.tensor.info() : TensorInfo{});
    infer.present.push_back(present);
    infer.constants.push_back(input.kind == Kind::Constant ? &input.tensor : nullptr);
  }
  const std::vector<TensorInfo> infos = schema.infer(infer);
  // As the reference backend does: float tensors in F64, integers as they are.
  std::vector<Tensor> as_reference;
  for (const op_test::NodeInput& input : inputs) {
    const bool convert = input.kind != Kind::Omitted && is_float(input.tensor.dtype());
    as_reference.push_back(convert ? input.tensor.cast(DType::F64) : input.tensor);
  }
  std::vector<Tensor> outputs;
  for (const TensorInfo& info : infos) {
    outputs.emplace_back(is_float(info.dtype) ? DType::F64 : info.dtype, info.shape);
  }
  RefContext reference{node, {}, outputs};
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    reference.inputs.push_back(inputs[i].kind == Kind::Omitted ? nullptr : &as_reference[i]);
  }
  schema.reference(reference);
  return outputs;
}

}  // namespace tandem::direct_schema
