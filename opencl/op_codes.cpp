#include "opencl/op_codes.h"

#include <cstdio>

#include "core/error.h"
#include "core/op_registry.h"
#include "opencl/kernel_sources.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {

namespace {

std::uint32_t bit(cl_int code) { return 1u << static_cast<unsigned>(code); }

std::string hex_mask(std::uint32_t mask) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%xu", mask);
  return text;
}

// Whether the request's own files call `function`; common.cl, which every program starts
// with, only defines unary_op.
bool calls(const ProgramRequest& request, const std::string& function) {
  const std::size_t common = kernel_source("common.cl").text().size();
  return request.source.find(function + "(", common) != std::string::npos;
}

}  // namespace

std::optional<UnaryOp> unary_op_for(const std::string& op_type) {
  static const std::pair<const char*, UnaryOp> kNames[] = {
      {"Identity", UnaryOp::Identity},
      {"Relu", UnaryOp::Relu},
      {"LeakyRelu", UnaryOp::LeakyRelu},
      {"Clip", UnaryOp::Clip},
      {"Sigmoid", UnaryOp::Sigmoid},
      {"HardSigmoid", UnaryOp::HardSigmoid},
      {"HardSwish", UnaryOp::HardSwish},
      {"Tanh", UnaryOp::Tanh},
      {"Exp", UnaryOp::Exp},
      {"Log", UnaryOp::Log},
      {"Sqrt", UnaryOp::Sqrt},
      {"Abs", UnaryOp::Abs},
      {"Neg", UnaryOp::Neg},
      {"Reciprocal", UnaryOp::Reciprocal},
      {"Floor", UnaryOp::Floor},
      {"Ceil", UnaryOp::Ceil},
      {"Erf", UnaryOp::Erf},
      {"Elu", UnaryOp::Elu},
      {"Selu", UnaryOp::Selu},
      {"Softplus", UnaryOp::Softplus},
      {"Softsign", UnaryOp::Softsign},
      {"Sin", UnaryOp::Sin},
      {"Cos", UnaryOp::Cos},
      {"Gelu", UnaryOp::Gelu},
      {"Round", UnaryOp::Round},
      {"Sign", UnaryOp::Sign},
  };
  for (const auto& [name, op] : kNames) {
    if (op_type == name) return op;
  }
  return std::nullopt;
}

std::optional<UnaryOp> unary_op_of(const Node& node) {
  if (node.op_type == "Gelu" && node.attributes.get_string("approximate", "none") == "tanh") {
    return UnaryOp::GeluTanh;
  }
  return unary_op_for(node.op_type);
}

std::optional<BinaryOp> binary_op_for(const std::string& op_type) {
  if (op_type == "Add" || op_type == "Sum" || op_type == "Mean") return BinaryOp::Add;
  if (op_type == "Sub") return BinaryOp::Sub;
  if (op_type == "Mul") return BinaryOp::Mul;
  if (op_type == "Div") return BinaryOp::Div;
  if (op_type == "Pow") return BinaryOp::Pow;
  if (op_type == "Max") return BinaryOp::Max;
  if (op_type == "Min") return BinaryOp::Min;
  if (op_type == "PRelu") return BinaryOp::PRelu;
  return std::nullopt;
}

cl_int OpCodeSet::checked(UnaryOp op) const {
  const auto code = static_cast<cl_int>(op);
  check(unary & bit(code), [&] {
    return "opencl: unary op code " + std::to_string(code) + " is not among the plan's (" +
           hex_mask(unary) + ")";
  });
  return code;
}

cl_int OpCodeSet::checked(BinaryOp op) const {
  const auto code = static_cast<cl_int>(op);
  check(binary & bit(code), [&] {
    return "opencl: binary op code " + std::to_string(code) + " is not among the plan's (" +
           hex_mask(binary) + ")";
  });
  return code;
}

OpCodeSet op_codes_used(const Graph& graph) {
  OpCodeSet codes;
  codes.unary = bit(static_cast<cl_int>(UnaryOp::Identity));
  for (const Node& node : graph.nodes()) {
    if (std::optional<UnaryOp> op = unary_op_of(node)) codes.unary |= bit(static_cast<cl_int>(*op));
    if (std::optional<BinaryOp> op = binary_op_for(node.op_type)) {
      codes.binary |= bit(static_cast<cl_int>(*op));
    }
    if (!node.attributes.has(kFusedActivation)) continue;
    if (std::optional<UnaryOp> op = unary_op_for(node.attributes.get_string(kFusedActivation))) {
      codes.unary |= bit(static_cast<cl_int>(*op));
    }
  }
  return codes;
}

void restrict_op_codes(ProgramRequest& request, const OpCodeSet& codes) {
  if (calls(request, "unary_op")) request.build_options += " -DUNARY_OPS=" + hex_mask(codes.unary);
  if (calls(request, "binary_op")) {
    request.build_options += " -DBINARY_OPS=" + hex_mask(codes.binary);
  }
}

}  // namespace tandem::opencl
