#include "core/op_registry.h"

namespace tandem {

const TensorInfo& InferContext::input(std::size_t i) const {
  check(has_input(i), node.label() + ": input " + std::to_string(i) + " is required");
  return inputs[i];
}

const Tensor& InferContext::constant(std::size_t i) const {
  check(i < constants.size() && constants[i] != nullptr,
        node.label() + ": input " + std::to_string(i) +
            " must be a constant (computed tensors are not supported here)");
  return *constants[i];
}

OpRegistry& OpRegistry::instance() {
  static OpRegistry registry;
  return registry;
}

void OpRegistry::add(OpSchema schema) {
  const std::string op_type = schema.op_type;
  schemas_[op_type] = std::move(schema);
}

const OpSchema* OpRegistry::find(const std::string& op_type) const {
  auto it = schemas_.find(op_type);
  return it == schemas_.end() ? nullptr : &it->second;
}

const OpSchema& OpRegistry::get(const Node& node) const {
  const OpSchema* schema = find(node.op_type);
  if (!schema) throw Unsupported(node.label() + ": op " + node.op_type + " is not supported");
  return *schema;
}

std::vector<std::string> OpRegistry::op_types() const {
  std::vector<std::string> names;
  for (const auto& [name, schema] : schemas_) names.push_back(name);
  return names;
}

static bool attribute_has_kind(const Attribute& value, AttrKind kind) {
  switch (kind) {
    case AttrKind::Int: return std::holds_alternative<std::int64_t>(value);
    case AttrKind::Float: return std::holds_alternative<double>(value);
    case AttrKind::String: return std::holds_alternative<std::string>(value);
    case AttrKind::Ints: return std::holds_alternative<std::vector<std::int64_t>>(value);
    case AttrKind::Floats: return std::holds_alternative<std::vector<double>>(value);
    case AttrKind::Tensor: return std::holds_alternative<Tensor>(value);
  }
  return false;
}

static bool is_fusion_attribute(const std::string& name) { return name.rfind("tandem.", 0) == 0; }

void OpRegistry::validate(const Node& node) const {
  const OpSchema& schema = get(node);
  const int inputs = static_cast<int>(node.inputs.size());
  const int outputs = static_cast<int>(node.outputs.size());
  check(inputs >= schema.min_inputs && inputs <= schema.max_inputs,
        node.label() + ": has " + std::to_string(inputs) + " inputs, expected " +
            std::to_string(schema.min_inputs) + " to " + std::to_string(schema.max_inputs));
  check(outputs >= schema.min_outputs && outputs <= schema.max_outputs,
        node.label() + ": has " + std::to_string(outputs) + " outputs, expected " +
            std::to_string(schema.min_outputs) + " to " + std::to_string(schema.max_outputs));
  for (const auto& [name, value] : node.attributes.all()) {
    if (is_fusion_attribute(name)) continue;
    const AttrSpec* spec = nullptr;
    for (const AttrSpec& candidate : schema.attributes) {
      if (candidate.name == name) spec = &candidate;
    }
    if (!spec) throw Unsupported(node.label() + ": attribute '" + name + "' is not supported");
    check(attribute_has_kind(value, spec->kind),
          node.label() + ": attribute '" + name + "' has the wrong type");
  }
  for (const AttrSpec& spec : schema.attributes) {
    check(!spec.required || node.attributes.has(spec.name),
          node.label() + ": required attribute '" + spec.name + "' is missing");
  }
  if (schema.validate) schema.validate(node);
}

}  // namespace tandem
