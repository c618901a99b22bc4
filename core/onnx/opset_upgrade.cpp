#include "core/onnx/opset_upgrade.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tandem {
namespace {

ValueId add_int64_input(Graph& graph, const Node& node, const std::string& what,
                        const std::vector<std::int64_t>& values) {
  const auto count = static_cast<std::int64_t>(values.size());
  return graph.add_constant(node.name + ":" + what, Tensor::from(DType::I64, {count}, values));
}

// A scalar of the data input's dtype where the file declared it (float32 otherwise, the
// type of every float attribute these older forms had).
ValueId add_scalar_input(Graph& graph, const Node& node, const std::string& what, double value) {
  const DType declared = graph.value(node.inputs.at(0)).dtype;
  const DType dtype = is_float(declared) ? declared : DType::F32;
  return graph.add_constant(node.name + ":" + what, Tensor::from(dtype, {}, std::vector<double>{value}));
}

void set_input(Node& node, std::size_t index, ValueId id) {
  if (node.inputs.size() <= index) node.inputs.resize(index + 1, kNoValue);
  node.inputs[index] = id;
}

// Moves an ints attribute (Slice starts, Squeeze axes ...) to input `index`.
void ints_attribute_to_input(Graph& graph, Node& node, const std::string& attribute,
                             std::size_t index) {
  if (!node.attributes.has(attribute)) return;
  set_input(node, index, add_int64_input(graph, node, attribute, node.attributes.get_ints(attribute)));
  node.attributes.erase(attribute);
}

void upgrade_clip(Graph& graph, Node& node) {
  if (node.attributes.has("min")) {
    set_input(node, 1, add_scalar_input(graph, node, "min", node.attributes.get_float("min")));
  }
  if (node.attributes.has("max")) {
    set_input(node, 2, add_scalar_input(graph, node, "max", node.attributes.get_float("max")));
  }
  node.attributes.erase("min");
  node.attributes.erase("max");
}

void upgrade_slice(Graph& graph, Node& node) {
  check(node.attributes.has("starts") && node.attributes.has("ends"),
        node.label() + ": attributes 'starts' and 'ends' are required before opset 10");
  ints_attribute_to_input(graph, node, "starts", 1);
  ints_attribute_to_input(graph, node, "ends", 2);
  ints_attribute_to_input(graph, node, "axes", 3);
}

void upgrade_pad(Graph& graph, Node& node) {
  check(node.attributes.has("pads"), node.label() + ": attribute 'pads' is required");
  ints_attribute_to_input(graph, node, "pads", 1);
  if (node.attributes.has("value")) {
    set_input(node, 2, add_scalar_input(graph, node, "value", node.attributes.get_float("value")));
    node.attributes.erase("value");
  }
}

// Opset-10 Resize maps output to input coordinates as x / scale (opset 11's "asymmetric"),
// and its nearest mode takes the floor when enlarging and the ceiling when shrinking, as
// onnxruntime and the opset-10 test data do.
void upgrade_resize_10(Graph& graph, Node& node) {
  check(node.inputs.size() == 2, node.label() + ": opset-10 Resize takes 2 inputs");
  const ValueId scales = node.inputs[1];
  node.inputs = {node.inputs[0], kNoValue, scales};
  node.attributes.set("coordinate_transformation_mode", std::string("asymmetric"));
  if (node.attributes.get_string("mode", "nearest") != "nearest") return;
  bool shrinks = false;
  if (scales != kNoValue && graph.value(scales).constant) {
    const Tensor& values = *graph.value(scales).constant;
    for (std::int64_t i = 0; i < values.numel(); ++i) shrinks |= values.value_f64(i) < 1.0;
  }
  node.attributes.set("nearest_mode", std::string(shrinks ? "ceil" : "floor"));
}

void upgrade_batchnorm(Node& node) {
  if (node.attributes.get_int("spatial", 1) != 1) {
    throw Unsupported(node.label() + ": attribute 'spatial' = 0 is not supported");
  }
  node.attributes.erase("spatial");
  node.attributes.erase("momentum");   // a training parameter: inference never reads it
}

ValueId add_intermediate(Graph& graph, const Node& node, const std::string& what) {
  Value value;
  value.name = node.name + ":" + what;
  value.dtype = graph.value(node.inputs.at(0)).dtype;
  return graph.add_value(std::move(value));
}

// Before opset 13 Softmax flattened its input to 2-D at `axis` and normalised each row.
// Where that is the last axis it is today's Softmax; otherwise we spell the old meaning
// out as Flatten -> Softmax -> Reshape to the input's shape (folded once shapes are known).
std::vector<Node> upgrade_softmax(Graph& graph, Node node) {
  const std::int64_t axis = node.attributes.get_int("axis", 1);
  const auto rank = static_cast<std::int64_t>(graph.value(node.inputs.at(0)).dims.size());
  if (axis == -1 || (rank > 0 && axis == rank - 1)) {
    node.attributes.set("axis", std::int64_t{-1});
    return {node};
  }
  const ValueId input = node.inputs.at(0);
  const ValueId output = node.outputs.at(0);
  const ValueId flat = add_intermediate(graph, node, "flat");
  const ValueId normalised = add_intermediate(graph, node, "softmax");
  const ValueId shape = graph.add_value(Value{node.name + ":shape", DType::I64, {}, {}, {}});
  Node flatten{node.name + ":flatten", "Flatten", {input}, {flat}, {}};
  flatten.attributes.set("axis", axis);
  Node shape_of{node.name + ":shape", "Shape", {input}, {shape}, {}};
  Node softmax{node.name, "Softmax", {flat}, {normalised}, {}};
  softmax.attributes.set("axis", std::int64_t{1});
  Node reshape{node.name + ":reshape", "Reshape", {normalised, shape}, {output}, {}};
  return {shape_of, flatten, softmax, reshape};
}

}  // namespace

std::vector<Node> upgrade_to_opset17(Graph& graph, Node node, int opset) {
  // A node without its data input or output is left for the registry's validation to report.
  if (node.inputs.empty() || node.inputs[0] == kNoValue || node.outputs.empty()) return {node};
  const std::string& op = node.op_type;
  if (op == "Clip" && opset < 11) upgrade_clip(graph, node);
  if (op == "Slice" && opset < 10) upgrade_slice(graph, node);
  if ((op == "Squeeze" || op == "Unsqueeze" || op == "ReduceSum") && opset < 13) {
    ints_attribute_to_input(graph, node, "axes", 1);
  }
  if (op == "Pad" && opset < 11) upgrade_pad(graph, node);
  if (op == "Resize" && opset == 10) upgrade_resize_10(graph, node);
  if (op == "BatchNormalization") upgrade_batchnorm(node);
  if (op == "Softmax" && opset < 13) return upgrade_softmax(graph, std::move(node));
  return {node};
}

}  // namespace tandem
