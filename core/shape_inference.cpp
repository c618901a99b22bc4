#include "core/shape_inference.h"

#include "core/op_registry.h"

namespace tandem {

void bind_input(const Value& value, const TensorInfo& given) {
  const std::string where = "input '" + value.name + "'";
  check(given.dtype == value.dtype, where + ": expected " + dtype_name(value.dtype) + ", got " +
                                        dtype_name(given.dtype));
  check(value.dims.empty() || given.shape.size() == value.dims.size(),
        where + ": expected rank " + std::to_string(value.dims.size()) + ", got shape " +
            shape_to_string(given.shape));
  for (std::size_t d = 0; d < value.dims.size(); ++d) {
    check(value.dims[d] < 0 || value.dims[d] == given.shape[d],
          where + ": dimension " + std::to_string(d) + " must be " + std::to_string(value.dims[d]) +
              ", got shape " + shape_to_string(given.shape));
  }
}

std::vector<TensorInfo> infer_shapes(const Graph& graph, const std::vector<TensorInfo>& inputs) {
  check(inputs.size() == graph.inputs().size(),
        "the model has " + std::to_string(graph.inputs().size()) + " inputs, " +
            std::to_string(inputs.size()) + " given");
  std::vector<TensorInfo> info(graph.value_count());
  std::vector<bool> known(graph.value_count(), false);
  for (std::size_t i = 0; i < graph.value_count(); ++i) {
    const Value& value = graph.value(static_cast<ValueId>(i));
    if (value.constant) {
      info[i] = value.constant->info();
      known[i] = true;
    }
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto id = static_cast<std::size_t>(graph.inputs()[i]);
    bind_input(graph.value(graph.inputs()[i]), inputs[i]);
    info[id] = inputs[i];
    known[id] = true;
  }
  const OpRegistry& registry = OpRegistry::instance();
  for (const Node& node : graph.nodes()) {
    const OpSchema& schema = registry.get(node);
    InferContext context{node, {}, {}, {}};
    for (ValueId id : node.inputs) {
      const bool present = id != kNoValue;
      if (present && !known[static_cast<std::size_t>(id)]) {
        fail(node.label() + ": input '" + graph.value(id).name + "' has no known type");
      }
      context.inputs.push_back(present ? info[static_cast<std::size_t>(id)] : TensorInfo{});
      context.present.push_back(present);
      const Value* value = present ? &graph.value(id) : nullptr;
      context.constants.push_back(value && value->constant ? &*value->constant : nullptr);
    }
    std::vector<TensorInfo> outputs = schema.infer(context);
    check(outputs.size() >= node.outputs.size(),
          node.label() + ": shape inference produced too few outputs");
    for (std::size_t o = 0; o < node.outputs.size(); ++o) {
      const auto id = static_cast<std::size_t>(node.outputs[o]);
      info[id] = outputs[o];
      known[id] = true;
    }
  }
  return info;
}

}  // namespace tandem
