#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/graph.h"
#include "opencl/cl_handles.h"

namespace tandem::opencl {

struct ProgramRequest;

// Codes of unary_op() in kernels/common.cl; keep both lists in step.
enum class UnaryOp : cl_int {
  Identity = 0,
  Relu,
  LeakyRelu,
  Clip,
  Sigmoid,
  HardSigmoid,
  HardSwish,
  Tanh,
  Exp,
  Log,
  Sqrt,
  Abs,
  Neg,
  Reciprocal,
  Floor,
  Ceil,
  Erf,
  Elu,
  Selu,
  Softplus,
  Softsign,
  Sin,
  Cos,
  Gelu,
  GeluTanh,
  Round,
  Sign,
};

// Codes of binary_op() in kernels/eltwise.cl.
enum class BinaryOp : cl_int { Add = 0, Sub, Mul, Div, Pow, Max, Min, PRelu };

// The unary op an ONNX op_type (or a fused activation name) maps to, if any. Gelu's
// tanh approximation is chosen from its attribute by unary_op_of.
std::optional<UnaryOp> unary_op_for(const std::string& op_type);
// The unary op a node of an elementwise unary op_type computes, Gelu's attribute included.
std::optional<UnaryOp> unary_op_of(const Node& node);
// The binary op of Add, Sub, Mul, Div, Pow, Max, Min, Sum, Mean and PRelu.
std::optional<BinaryOp> binary_op_for(const std::string& op_type);

// The codes a plan's kernels may be passed, as bit masks (bit i: code i). Programs are
// built for these alone: kernels given any other code would compute NaN, so the host code
// asks for each code through `checked`, which throws instead.
struct OpCodeSet {
  std::uint32_t unary = 0;
  std::uint32_t binary = 0;

  cl_int checked(UnaryOp op) const;
  cl_int checked(BinaryOp op) const;
};

// Identity, the unary op of every elementwise node and every fused activation, the binary
// op of every binary node.
OpCodeSet op_codes_used(const Graph& graph);

// Adds -DUNARY_OPS / -DBINARY_OPS to a request whose own files (after common.cl) call
// unary_op or binary_op; the others keep their options, and so their cache keys.
void restrict_op_codes(ProgramRequest& request, const OpCodeSet& codes);

}  // namespace tandem::opencl
