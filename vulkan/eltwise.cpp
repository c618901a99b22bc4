// Elementwise ops: unary activations and math, and the broadcasting binary ops, all through
// shaders/eltwise.comp with the operation chosen by a specialization constant.
#include <limits>

#include "vulkan/activation.h"
#include "vulkan/broadcast_layout.h"
#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

// Codes of shaders/eltwise.comp: 0-7 are the activations of vulkan/activation.h.
constexpr int kExp = 8;
constexpr int kSqrt = 9;
constexpr int kErf = 10;
constexpr int kAdd = 100;
constexpr int kSub = 101;
constexpr int kMul = 102;
constexpr int kDiv = 103;
constexpr int kPow = 104;

int op_code(const std::string& op_type) {
  if (op_type == "Exp") return kExp;
  if (op_type == "Sqrt") return kSqrt;
  if (op_type == "Erf") return kErf;
  if (op_type == "Add") return kAdd;
  if (op_type == "Sub") return kSub;
  if (op_type == "Mul") return kMul;
  if (op_type == "Div") return kDiv;
  if (op_type == "Pow") return kPow;
  return activation_code(op_type);
}

// Layout of the shader's push constants: count, rank, offsets (out, a, b), alpha, beta, a
// spare word, then dims, a_strides and b_strides (kMaxRank each).
void compile_eltwise(NodeContext& context, int code, float alpha, float beta) {
  const bool binary = code >= kAdd;
  const Shape& out_shape = context.output().shape;
  std::vector<Shape> operands{context.input(0).shape};
  if (binary) operands.push_back(context.input(1).shape);
  const BroadcastLayout layout = broadcast_layout(out_shape, operands);
  if (layout.shape.size() > kMaxRank) {
    context.unsupported("broadcasting over " + std::to_string(layout.shape.size()) +
                        " non-mergeable dims (the shader takes " + std::to_string(kMaxRank) + ")");
  }
  const Slot out = context.output_slot();
  const Slot a = context.input_slot(0);
  const Slot b = binary ? context.input_slot(1) : a;
  const std::int64_t count = shape_numel(out_shape);
  Dispatch dispatch;
  dispatch.variant = {code};
  dispatch.bindings = {out, a, b};
  dispatch.invocations = static_cast<std::uint64_t>(count);
  dispatch.push = {checked_u32(context, count, "element count"),
                   static_cast<std::uint32_t>(layout.shape.size()),
                   out.element_offset(),
                   a.element_offset(),
                   b.element_offset(),
                   float_word(alpha),
                   float_word(beta),
                   0};
  dispatch.push.resize(8 + 3 * kMaxRank, 0);
  for (std::size_t d = 0; d < layout.shape.size(); ++d) {
    dispatch.push[8 + d] = checked_u32(context, layout.shape[d], "dimension");
    dispatch.push[8 + kMaxRank + d] = checked_u32(context, layout.strides[0][d], "stride");
    dispatch.push[8 + 2 * kMaxRank + d] =
        binary ? checked_u32(context, layout.strides[1][d], "stride") : 0;
  }
  context.dispatch(std::move(dispatch));
}

float scalar_bound(NodeContext& context, std::size_t i, float fallback) {
  if (!context.has_input(i)) return fallback;
  const Tensor* bound = context.constant(i);
  if (bound == nullptr) context.unsupported("Clip bounds must be constants");
  return static_cast<float>(bound->value_f64(0));
}

void compile_node(NodeContext& context) {
  const Node& node = context.node();
  const int code = op_code(node.op_type);
  float alpha = 0.0f;
  float beta = 0.0f;
  if (node.op_type == "LeakyRelu")
    alpha = static_cast<float>(context.attributes().get_float("alpha", 0.01f));
  if (node.op_type == "HardSigmoid") {
    alpha = static_cast<float>(context.attributes().get_float("alpha", 0.2f));
    beta = static_cast<float>(context.attributes().get_float("beta", 0.5));
  }
  if (node.op_type == "Clip") {
    alpha = scalar_bound(context, 1, -std::numeric_limits<float>::infinity());
    beta = scalar_bound(context, 2, std::numeric_limits<float>::infinity());
  }
  compile_eltwise(context, code, alpha, beta);
}

const OpTableRegistration registration({"Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid",
                                        "HardSwish", "Tanh", "Exp", "Sqrt", "Erf", "Add", "Sub",
                                        "Mul", "Div", "Pow"},
                                       {"eltwise", compile_node, {}});

}  // namespace
}  // namespace tandem::vulkan
