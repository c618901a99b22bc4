#include "conformance/case_graph.h"

#include <filesystem>

#include "conformance/input_generator.h"

#if __has_include("core/onnx/onnx_import.h")
#include "core/onnx/onnx_import.h"
#define TANDEM_CONFORMANCE_HAS_ONNX 1
#endif

namespace tandem::conformance {
namespace {

ValueId find_named(const Graph& graph, const Case& c, const std::string& name) {
  const std::optional<ValueId> id = graph.find_value(name);
  check(id.has_value(), c.source + ": case '" + c.id() + "': no value named '" + name + "'");
  return *id;
}

void add_inputs(BuiltCase& built, const Case& c) {
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    const InputSpec& spec = c.inputs[i];
    if (spec.omitted) continue;
    check(!built.graph.find_value(spec.name),
          c.source + ": case '" + c.id() + "': input '" + spec.name + "' is defined twice");
    Tensor tensor = generate_input(spec, input_seed(c, i));
    if (spec.constant) {
      built.graph.add_constant(spec.name, std::move(tensor));
      continue;
    }
    Value value;
    value.name = spec.name;
    value.dtype = tensor.dtype();
    value.dims = tensor.shape();
    value.dim_names.assign(value.dims.size(), "");
    built.graph.inputs().push_back(built.graph.add_value(std::move(value)));
    built.input_infos.push_back(tensor.info());
    built.inputs.push_back(std::move(tensor));
  }
}

void add_nodes(BuiltCase& built, const Case& c) {
  for (const NodeSpec& spec : c.nodes) {
    Node node;
    node.name = spec.name;
    node.op_type = spec.op_type;
    node.attributes = spec.attributes;
    for (const std::string& name : spec.inputs) {
      node.inputs.push_back(name.empty() ? kNoValue : find_named(built.graph, c, name));
    }
    for (const std::string& name : spec.outputs) {
      check(!built.graph.find_value(name),
            c.source + ": case '" + c.id() + "': value '" + name + "' is written twice");
      Value value;
      value.name = name;
      node.outputs.push_back(built.graph.add_value(std::move(value)));
    }
    built.graph.add_node(std::move(node));
  }
  for (const std::string& name : c.outputs)
    built.graph.outputs().push_back(find_named(built.graph, c, name));
}

// A model's inputs: the case's specs where given (by position), else the declared shape
// with dynamic dimensions set to 1 and values uniform in [-1, 1).
void bind_model_inputs(BuiltCase& built, const Case& c) {
  const std::vector<ValueId>& ids = built.graph.inputs();
  check(c.inputs.size() <= ids.size(), c.source + ": case '" + c.id() + "' gives " +
                                           std::to_string(c.inputs.size()) +
                                           " inputs, the model has " + std::to_string(ids.size()));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const Value& value = built.graph.value(ids[i]);
    InputSpec spec = i < c.inputs.size() ? c.inputs[i] : InputSpec{};
    if (i >= c.inputs.size()) {
      spec.dtype = value.dtype;
      for (std::int64_t dim : value.dims) spec.shape.push_back(dim < 0 ? 1 : dim);
    }
    Tensor tensor = generate_input(spec, input_seed(c, i));
    built.input_infos.push_back(tensor.info());
    built.inputs.push_back(std::move(tensor));
  }
}

BuiltCase build_model(const Case& c, const std::string& root) {
  const std::string path =
      std::filesystem::path(c.model_path).is_absolute() ? c.model_path : root + "/" + c.model_path;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    throw Unsupported("model '" + c.model_path + "' is not in this source tree yet");
  }
#ifdef TANDEM_CONFORMANCE_HAS_ONNX
  BuiltCase built;
  built.graph = import_onnx_file(path);
  bind_model_inputs(built, c);
  return built;
#else
  throw Unsupported("ONNX import is not built yet; cannot load '" + c.model_path + "'");
#endif
}

}  // namespace

BuiltCase build_case_graph(const Case& c, const std::string& root) {
  if (!c.model_path.empty()) return build_model(c, root);
  BuiltCase built;
  add_inputs(built, c);
  add_nodes(built, c);
  return built;
}

}  // namespace tandem::conformance
