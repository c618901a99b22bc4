#pragma once
#include <optional>
#include <string>

#include "opencl/cl_handles.h"

namespace tandem::opencl {

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

// The unary op an ONNX op_type (or a fused activation name) maps to, if any. Gelu's
// tanh approximation is chosen from its attribute by the caller.
std::optional<UnaryOp> unary_op_for(const std::string& op_type);

}  // namespace tandem::opencl
