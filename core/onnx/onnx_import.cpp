#include "core/onnx/onnx_import.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/cache/posix_file.h"
#include "core/log.h"
#include "core/onnx/onnx_proto.h"
#include "core/onnx/onnx_tensor.h"
#include "core/onnx/opset_upgrade.h"
#include "core/op_registry.h"
#include "core/printable.h"

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

// Known dims whose product overflows would otherwise surface far from the file, or wrap.
void check_element_count(const std::vector<std::int64_t>& dims, const std::string& where) {
  Shape known;
  for (std::int64_t dim : dims) {
    if (dim >= 0) known.push_back(dim);
  }
  try {
    shape_numel(known);
  } catch (const Error& error) {
    fail(where + ": " + error.what());
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
  check_element_count(value.dims, where);
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

bool has_control_character(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7F;
  });
}

void check_name(const std::string& name, const std::string& what) {
  if (has_control_character(name)) {
    fail(what + " '" + printable(name) + "' holds a control character");
  }
}

// Names reach every message about the graph, and a newline in one would split the one line
// a user reads (or forge a second). No tool writes such names, so they are refused whole.
void check_names(const onnx::GraphProto& graph) {
  for (const auto& node : graph.node()) {
    check_name(node.name(), "node name");
    check_name(node.op_type(), "op type");
    check_name(node.domain(), "domain");
    for (const std::string& name : node.input()) check_name(name, "value name");
    for (const std::string& name : node.output()) check_name(name, "value name");
    for (const auto& attribute : node.attribute()) check_name(attribute.name(), "attribute name");
  }
  for (const auto& info : graph.input()) check_name(info.name(), "input name");
  for (const auto& info : graph.output()) check_name(info.name(), "output name");
  for (const auto& info : graph.value_info()) check_name(info.name(), "value name");
  for (const auto& tensor : graph.initializer()) check_name(tensor.name(), "initializer name");
}

class GraphImporter {
 public:
  GraphImporter(const onnx::GraphProto& proto, int opset) : proto_(proto), opset_(opset) {}

  Graph import() {
    if (proto_.sparse_initializer_size() > 0) throw Unsupported("sparse initializers are not supported");
    check_names(proto_);
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

// Messages may quote attribute strings from the file too: printable() keeps them one line.
Graph import_onnx_bytes(std::span<const std::uint8_t> bytes, const std::string& source_name) {
  try {
    return import_model(bytes);
  } catch (const Unsupported& error) {
    throw Unsupported(source_name + ": " + printable(error.what(), 4096));
  } catch (const Error& error) {
    throw Error(source_name + ": " + printable(error.what(), 4096));
  } catch (const std::exception& error) {
    throw Error(source_name + ": " + printable(error.what(), 4096));
  }
}

Graph import_onnx_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below, as is
  // a directory or a device such as /dev/zero, whose reads would never end.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) fail(path + ": cannot open the file: " + errno_text(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) fail(path + ": cannot read the file: " + errno_text(errno));
  if (!S_ISREG(info.st_mode)) {
    fail(path + ": not a model file (it is a " + file_type_name(info.st_mode) + ")");
  }
  check(info.st_size <= INT_MAX, path + ": the file is over the 2 GiB a protobuf message may hold");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(info.st_size));
  const std::int64_t got = read_fully(fd.get(), bytes);
  if (got < 0) fail(path + ": cannot read the file: " + errno_text(static_cast<int>(-got)));
  bytes.resize(static_cast<std::size_t>(got));   // it shrank while being read: parse what is there
  return import_onnx_bytes(bytes, path);
}

}  // namespace tandem
