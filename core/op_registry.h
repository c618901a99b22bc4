#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/graph.h"

namespace tandem {

enum class AttrKind { Int, Float, String, Ints, Floats, Tensor };

struct AttrSpec {
  std::string name;
  AttrKind kind;
  bool required = false;
};

// What shape inference sees of a node: the input types, and the values of inputs that are
// constants (Reshape's shape, Slice's starts ...). An omitted optional input is absent.
struct InferContext {
  const Node& node;
  std::vector<TensorInfo> inputs;
  std::vector<bool> present;
  std::vector<const Tensor*> constants;   // nullptr where the value is not known

  bool has_input(std::size_t i) const { return i < present.size() && present[i]; }
  const TensorInfo& input(std::size_t i) const;     // throws naming the node if absent
  const Tensor& constant(std::size_t i) const;      // throws naming the node if not constant
};

// A reference kernel's arguments. Float tensors are F64 on both sides (the reference
// computes in double); integer tensors keep their dtype. Outputs arrive allocated with the
// inferred shapes, float dtypes mapped to F64; the kernel fills them.
struct RefContext {
  const Node& node;
  std::vector<const Tensor*> inputs;   // nullptr for an omitted optional input
  std::vector<Tensor>& outputs;
};

// An op declared once: attributes, value checks, shape inference and the float64 reference.
// The IR always uses the newest form of an op (opset 17): the importer turns older forms
// (Clip's min/max attributes, Slice's attributes, Squeeze's axes attribute ...) into inputs.
struct OpSchema {
  std::string op_type;
  int min_inputs = 1;
  int max_inputs = 1;
  int min_outputs = 1;
  int max_outputs = 1;
  std::vector<AttrSpec> attributes;   // anything else on a node is an error
  // Checks attribute values and input counts; throws Unsupported/Error naming the node.
  std::function<void(const Node&)> validate;
  std::function<std::vector<TensorInfo>(const InferContext&)> infer;
  std::function<void(const RefContext&)> reference;
};

class OpRegistry {
 public:
  static OpRegistry& instance();
  void add(OpSchema schema);
  const OpSchema* find(const std::string& op_type) const;
  // Throws Unsupported("node 'x' (Foo): op Foo is not supported") when unknown.
  const OpSchema& get(const Node& node) const;
  std::vector<std::string> op_types() const;

  // Checks a node against its schema: input/output counts, unknown or mistyped
  // attributes, then the op's own validate().
  void validate(const Node& node) const;

 private:
  std::map<std::string, OpSchema> schemas_;
};

// Registers an op from a function returning its schema, at static-initialisation time.
// Core is linked whole-archive so these survive the linker.
struct OpRegistration {
  explicit OpRegistration(OpSchema (*make)()) { OpRegistry::instance().add(make()); }
};

#define TANDEM_CONCAT_INNER(a, b) a##b
#define TANDEM_CONCAT(a, b) TANDEM_CONCAT_INNER(a, b)
#define TANDEM_REGISTER_OP(make_fn) \
  static const ::tandem::OpRegistration TANDEM_CONCAT(op_registration_, __LINE__)(make_fn)

// Fused activation attributes set on a Conv by the fusion pass (see core/passes).
inline constexpr const char* kFusedActivation = "tandem.activation";   // "Relu", "Clip", ...
inline constexpr const char* kFusedAlpha = "tandem.activation_alpha";
inline constexpr const char* kFusedBeta = "tandem.activation_beta";

}  // namespace tandem
