// Constant folding: nodes whose inputs are all known are evaluated once, at plan time, with
// their op's float64 reference kernel, and become constants. The walk also infers types,
// because a folded value (a shape computed by Shape -> Gather -> Concat) is what lets the
// next node (Reshape) have a type at all.
#include <algorithm>

#include "core/log.h"
#include "core/op_registry.h"
#include "core/passes/node_removal.h"
#include "core/passes/passes.h"
#include "core/shape_inference.h"

namespace tandem {
namespace {

// Folding is for shapes, small weights transforms and the like; a node that would make a
// constant larger than this stays a node rather than bloating the plan.
constexpr std::int64_t kMaxFoldedElements = std::int64_t{1} << 24;

DType reference_dtype(DType dtype) { return is_float(dtype) ? DType::F64 : dtype; }

// Shape reads only its input's type, so it folds even when the input is computed.
Tensor shape_tensor(const Node& node, const Shape& shape) {
  const auto rank = static_cast<std::int64_t>(shape.size());
  auto clamp_index = [rank](std::int64_t index) {
    return std::clamp(index < 0 ? index + rank : index, std::int64_t{0}, rank);
  };
  const std::int64_t start = clamp_index(node.attributes.get_int("start", 0));
  const std::int64_t end = std::max(start, clamp_index(node.attributes.get_int("end", rank)));
  std::vector<std::int64_t> dims(shape.begin() + start, shape.begin() + end);
  return Tensor::from(DType::I64, {end - start}, dims);
}

class ConstantFolder {
 public:
  explicit ConstantFolder(Graph& graph) : graph_(graph), info_(graph.value_count()),
                                          known_(graph.value_count(), false) {}

  std::vector<TensorInfo> run(const std::vector<TensorInfo>& inputs) {
    bind(inputs);
    std::vector<bool> folded(graph_.nodes().size(), false);
    for (std::size_t i = 0; i < graph_.nodes().size(); ++i) folded[i] = visit(graph_.nodes()[i]);
    const std::size_t removed = remove_marked_nodes(graph_, folded);
    if (removed > 0) log_debug("constant folding removed " + std::to_string(removed) + " nodes");
    return std::move(info_);
  }

 private:
  void bind(const std::vector<TensorInfo>& inputs) {
    check(inputs.size() == graph_.inputs().size(),
          "the model has " + std::to_string(graph_.inputs().size()) + " inputs, " +
              std::to_string(inputs.size()) + " given");
    for (std::size_t i = 0; i < graph_.value_count(); ++i) {
      const Value& value = graph_.value(static_cast<ValueId>(i));
      if (value.constant) set_known(static_cast<ValueId>(i), value.constant->info());
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      bind_input(graph_.value(graph_.inputs()[i]), inputs[i]);
      set_known(graph_.inputs()[i], inputs[i]);
    }
  }

  void set_known(ValueId id, const TensorInfo& info) {
    info_[static_cast<std::size_t>(id)] = info;
    known_[static_cast<std::size_t>(id)] = true;
  }

  const Tensor* constant_of(ValueId id) const {
    const Value& value = graph_.value(id);
    return value.constant ? &*value.constant : nullptr;
  }

  // Infers the node's outputs; folds it when it can. Returns whether it was folded.
  bool visit(const Node& node) {
    const OpSchema& schema = OpRegistry::instance().get(node);
    InferContext context{node, {}, {}, {}};
    for (ValueId id : node.inputs) {
      const bool present = id != kNoValue;
      if (present && !known_[static_cast<std::size_t>(id)]) {
        fail(node.label() + ": input '" + graph_.value(id).name + "' has no known type");
      }
      context.inputs.push_back(present ? info_[static_cast<std::size_t>(id)] : TensorInfo{});
      context.present.push_back(present);
      context.constants.push_back(present ? constant_of(id) : nullptr);
    }
    const std::vector<TensorInfo> outputs = schema.infer(context);
    check(outputs.size() >= node.outputs.size(), node.label() + ": shape inference produced too few outputs");
    for (std::size_t o = 0; o < node.outputs.size(); ++o) set_known(node.outputs[o], outputs[o]);
    if (!foldable(node, schema, outputs)) return false;
    std::vector<Tensor> values = evaluate(node, schema, context, outputs);
    for (std::size_t o = 0; o < node.outputs.size(); ++o) {
      Value& value = graph_.value(node.outputs[o]);
      value.dtype = values[o].dtype();
      value.dims = values[o].shape();
      value.dim_names.assign(value.dims.size(), "");
      value.constant = std::move(values[o]);
    }
    return true;
  }

  bool foldable(const Node& node, const OpSchema& schema, const std::vector<TensorInfo>& outputs) const {
    if (!schema.reference) return false;
    for (ValueId id : node.outputs) {
      if (graph_.is_graph_output(id)) return false;   // backends hand outputs back from buffers
    }
    for (std::size_t o = 0; o < node.outputs.size(); ++o) {
      if (outputs[o].numel() > kMaxFoldedElements) return false;
    }
    if (node.op_type == "Shape") return true;
    return std::all_of(node.inputs.begin(), node.inputs.end(),
                       [&](ValueId id) { return id == kNoValue || constant_of(id) != nullptr; });
  }

  // Runs the reference kernel; float results go back to the dtype inference declared.
  std::vector<Tensor> evaluate(const Node& node, const OpSchema& schema, const InferContext& context,
                               const std::vector<TensorInfo>& outputs) const {
    if (node.op_type == "Shape") return {shape_tensor(node, context.input(0).shape)};
    std::vector<Tensor> inputs;
    inputs.reserve(node.inputs.size());
    for (const Tensor* constant : context.constants) {
      if (!constant) inputs.emplace_back();
      else inputs.push_back(constant->dtype() == reference_dtype(constant->dtype())
                                ? *constant : constant->cast(reference_dtype(constant->dtype())));
    }
    std::vector<Tensor> results;
    for (std::size_t o = 0; o < node.outputs.size(); ++o) {
      results.emplace_back(reference_dtype(outputs[o].dtype), outputs[o].shape);
    }
    RefContext reference{node, {}, results};
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      reference.inputs.push_back(context.present[i] ? &inputs[i] : nullptr);
    }
    schema.reference(reference);
    for (std::size_t o = 0; o < results.size(); ++o) {
      if (results[o].dtype() != outputs[o].dtype) results[o] = results[o].cast(outputs[o].dtype);
    }
    return results;
  }

  Graph& graph_;
  std::vector<TensorInfo> info_;
  std::vector<bool> known_;
};

}  // namespace

std::vector<TensorInfo> infer_shapes_folding_constants(Graph& graph,
                                                       const std::vector<TensorInfo>& inputs) {
  return ConstantFolder(graph).run(inputs);
}

void fold_constants(Graph& graph, const std::vector<TensorInfo>& info) {
  std::vector<TensorInfo> inputs;
  for (ValueId id : graph.inputs()) inputs.push_back(info.at(static_cast<std::size_t>(id)));
  ConstantFolder(graph).run(inputs);
}

}  // namespace tandem
