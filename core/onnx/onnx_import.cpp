#include "core/onnx/onnx_import.h"

#include <climits>
#include <fstream>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/log.h"
#include "core/onnx/onnx_proto.h"
#include "core/onnx/onnx_tensor.h"
#include "core/onnx/opset_upgrade.h"
#include "core/op_registry.h"

namespace tandem {
namespace {

constexpr std::int64_t kMinOpset = 9;
constexpr std::int64_t kMaxOpset = 17;

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

int default_opset(const onnx::ModelProto& model) {
  std::int64_t opset = -1;
  for (const auto& entry : model.opset_import()) {
    if (is_default_domain(entry.domain())) opset = entry.version();
  }
  check(opset >= 0, "the model imports no opset of the default ONNX domain");
  if (opset < kMinOpset || opset > kMaxOpset) {
    throw Unsupported("opset " + std::to_string(opset) + " is not supported (tandem reads opsets " +
                      std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) + ")");
  }
  return static_cast<int>(opset);
}

DType declared_dtype(int elem_type, const std::string& where) {
  try {
    return dtype_from_onnx(elem_type);
  } catch (const Unsupported& error) {
    throw Unsupported(where + ": " + error.what());
  }
}

// Dimensions the file leaves open (dim_param "batch", or nothing at all) become -1.
Value value_from_info(const onnx::ValueInfoProto& info) {
  Value value;
  value.name = info.name();
  if (!info.has_type()) return value;
  const std::string where = "value '" + info.name() + "'";
  if (!info.type().has_tensor_type()) throw Unsupported(where + ": only tensor values are supported");
  const auto& tensor = info.type().tensor_type();
  if (tensor.elem_type() != 0) value.dtype = declared_dtype(tensor.elem_type(), where);
  if (!tensor.has_shape()) return value;
  for (const auto& dim : tensor.shape().dim()) {
    if (dim.has_dim_value()) {
      check(dim.dim_value() >= 0, where + ": negative dimension " + std::to_string(dim.dim_value()));
      value.dims.push_back(dim.dim_value());
      value.dim_names.emplace_back();
    } else {
      value.dims.push_back(-1);
      value.dim_names.push_back(dim.has_dim_param() ? dim.dim_param() : "");
    }
  }
  return value;
}

// Tensor held by a Constant node's one attribute.
Tensor constant_node_value(const Node& node) {
  check(node.attributes.all().size() == 1,
        node.label() + ": needs exactly one of value, value_float(s), value_int(s)");
  const std::string& name = node.attributes.all().begin()->first;
  const Attributes& a = node.attributes;
  if (name == "value") return a.get_tensor(name);
  if (name == "value_float") return Tensor::from(DType::F32, {}, std::vector<double>{a.get_float(name)});
  if (name == "value_int") return Tensor::from(DType::I64, {}, std::vector<std::int64_t>{a.get_int(name)});
  if (name == "value_floats") {
    const auto values = a.get_floats(name);
    return Tensor::from(DType::F32, {static_cast<std::int64_t>(values.size())}, values);
  }
  if (name == "value_ints") {
    const auto values = a.get_ints(name);
    return Tensor::from(DType::I64, {static_cast<std::int64_t>(values.size())}, values);
  }
  throw Unsupported(node.label() + ": attribute '" + name + "' is not supported");
}

class GraphImporter {
 public:
  GraphImporter(const onnx::GraphProto& proto, int opset) : proto_(proto), opset_(opset) {}

  Graph import() {
    if (proto_.sparse_initializer_size() > 0) throw Unsupported("sparse initializers are not supported");
    collect_declarations();
    add_initializers();
    add_inputs();
    for (int i = 0; i < proto_.node_size(); ++i) add_node(proto_.node(i), i);
    add_outputs();
    graph_.opset = opset_;
    graph_.validate_topology();
    return std::move(graph_);
  }

 private:
  void collect_declarations() {
    for (const auto& info : proto_.value_info()) declared_[info.name()] = &info;
    for (const auto& info : proto_.output()) declared_[info.name()] = &info;
    for (const auto& node : proto_.node()) read_.insert(node.input().begin(), node.input().end());
    for (const auto& info : proto_.output()) read_.insert(info.name());
  }

  void add_initializers() {
    for (const auto& initializer : proto_.initializer()) {
      const std::string where = "initializer '" + initializer.name() + "'";
      check(!initializer.name().empty(), "an initializer has no name");
      check(!ids_.count(initializer.name()), where + " is defined twice");
      ids_[initializer.name()] =
          graph_.add_constant(initializer.name(), tensor_from_proto(initializer, where));
    }
  }

  // Inputs that are also initializers are weights with a default, which we treat as fixed.
  void add_inputs() {
    for (const auto& input : proto_.input()) {
      if (ids_.count(input.name())) continue;
      check(!input.name().empty(), "a graph input has no name");
      const ValueId id = graph_.add_value(value_from_info(input));
      ids_[input.name()] = id;
      graph_.inputs().push_back(id);
    }
  }

  ValueId define(const std::string& name) {
    check(!ids_.count(name), "value '" + name + "' is defined twice");
    auto declared = declared_.find(name);
    Value value = declared != declared_.end() ? value_from_info(*declared->second) : Value{};
    value.name = name;
    const ValueId id = graph_.add_value(std::move(value));
    ids_[name] = id;
    return id;
  }

  Node node_from_proto(const onnx::NodeProto& proto, int index) {
    Node node;
    node.name = proto.name().empty() ? proto.op_type() + "_" + std::to_string(index) : proto.name();
    node.op_type = proto.op_type();
    if (!is_default_domain(proto.domain())) {
      throw Unsupported(node.label() + ": domain '" + proto.domain() +
                        "' is not supported (only the default ONNX domain is)");
    }
    for (const auto& attribute : proto.attribute()) {
      const std::string where = node.label() + ": attribute '" + attribute.name() + "'";
      check(!node.attributes.has(attribute.name()), where + " is given twice");
      node.attributes.set(attribute.name(), attribute_from_proto(attribute, where));
    }
    for (const std::string& name : proto.input()) {
      if (name.empty()) {
        node.inputs.push_back(kNoValue);
        continue;
      }
      auto found = ids_.find(name);
      check(found != ids_.end(), node.label() + ": input '" + name +
                                     "' is not a graph input, an initializer or an earlier node's output");
      node.inputs.push_back(found->second);
    }
    return node;
  }

  // Trailing outputs nobody reads (BatchNormalization's running statistics, LayerNorm's
  // mean) are dropped so that ops supporting only their first output still import.
  void add_outputs_of(const onnx::NodeProto& proto, Node& node) {
    int kept = proto.output_size();
    while (kept > 1 && !read_.count(proto.output(kept - 1))) --kept;
    for (int k = 0; k < kept; ++k) {
      const std::string& name = proto.output(k);
      node.outputs.push_back(define(name.empty() ? node.name + ":unused_" + std::to_string(k) : name));
    }
  }

  void add_node(const onnx::NodeProto& proto, int index) {
    Node node = node_from_proto(proto, index);
    if (node.op_type == "Constant") {
      check(proto.output_size() == 1 && !proto.output(0).empty(), node.label() + ": needs one output");
      check(!ids_.count(proto.output(0)), "value '" + proto.output(0) + "' is defined twice");
      ids_[proto.output(0)] = graph_.add_constant(proto.output(0), constant_node_value(node));
      return;
    }
    add_outputs_of(proto, node);
    for (Node& upgraded : upgrade_to_opset17(graph_, std::move(node), opset_)) {
      OpRegistry::instance().validate(upgraded);
      graph_.add_node(std::move(upgraded));
    }
  }

  void add_outputs() {
    for (const auto& output : proto_.output()) {
      auto found = ids_.find(output.name());
      check(found != ids_.end(), "graph output '" + output.name() + "' is never computed");
      graph_.outputs().push_back(found->second);
    }
    check(!graph_.outputs().empty(), "the graph has no outputs");
  }

  const onnx::GraphProto& proto_;
  const int opset_;
  Graph graph_;
  std::unordered_map<std::string, ValueId> ids_;
  std::unordered_map<std::string, const onnx::ValueInfoProto*> declared_;
  std::unordered_set<std::string> read_;
};

Graph import_model(std::span<const std::uint8_t> bytes) {
  check(bytes.size() <= static_cast<std::size_t>(INT_MAX),
        "larger than the 2 GiB a protobuf message may hold");
  onnx::ModelProto model;
  check(model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())),
        "not an ONNX model (the protobuf message does not parse; truncated or not ONNX?)");
  check(model.has_graph(), "not an ONNX model (it has no graph)");
  const int opset = default_opset(model);
  Graph graph = GraphImporter(model.graph(), opset).import();
  log_debug("imported opset " + std::to_string(opset) + " model: " +
            std::to_string(graph.nodes().size()) + " nodes, " +
            std::to_string(graph.inputs().size()) + " inputs");
  return graph;
}

}  // namespace

Graph import_onnx_bytes(std::span<const std::uint8_t> bytes, const std::string& source_name) {
  try {
    return import_model(bytes);
  } catch (const Unsupported& error) {
    throw Unsupported(source_name + ": " + error.what());
  } catch (const Error& error) {
    throw Error(source_name + ": " + error.what());
  } catch (const std::exception& error) {
    throw Error(source_name + ": " + error.what());
  }
}

Graph import_onnx_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  check(file.is_open(), path + ": cannot open the file");
  const std::streamoff size = file.tellg();
  check(size >= 0 && size <= INT_MAX, path + ": cannot read the file, or it is over 2 GiB");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  file.seekg(0);
  file.read(reinterpret_cast<char*>(bytes.data()), size);
  check(file.good() || size == 0, path + ": cannot read the file");
  return import_onnx_bytes(bytes, path);
}

}  // namespace tandem
