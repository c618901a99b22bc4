// Elementwise ops (kernels/eltwise.cl): unary functions, broadcasting binary ops, the
// variadic Sum/Mean/Max/Min as a chain of binary steps, PRelu and Where.
#include <cmath>
#include <limits>

#include "opencl/broadcast_layout.h"
#include "opencl/op_codes.h"
#include "opencl/op_table.h"

namespace tandem::opencl {

namespace {

// A bound of Clip from its optional input; infinite when omitted.
float clip_bound(NodeContext& context, std::size_t input, float fallback) {
  if (!context.has_input(input)) return fallback;
  const Tensor& bound = context.constant_input(input, input == 1 ? "Clip's min" : "Clip's max");
  if (bound.numel() != 1) context.unsupported("Clip bounds must be scalars");
  return static_cast<float>(bound.value_f64(0));
}

void compile_unary(NodeContext& context) {
  const std::string& op_type = context.node().op_type;
  const UnaryOp op = *unary_op_of(context.node());
  const Attributes& attributes = context.attributes();
  float alpha = 0.0f;
  float beta = 0.0f;
  if (op_type == "LeakyRelu") alpha = static_cast<float>(attributes.get_float("alpha", 0.01));
  if (op_type == "Elu") alpha = static_cast<float>(attributes.get_float("alpha", 1.0));
  if (op_type == "HardSigmoid") {
    alpha = static_cast<float>(attributes.get_float("alpha", 0.2));
    beta = static_cast<float>(attributes.get_float("beta", 0.5));
  }
  if (op_type == "Selu") {
    alpha = static_cast<float>(attributes.get_float("alpha", 1.67326319217681884765625));
    beta = static_cast<float>(attributes.get_float("gamma", 1.05070102214813232421875));
  }
  if (op_type == "Clip") {
    alpha = clip_bound(context, 1, -std::numeric_limits<float>::infinity());
    beta = clip_bound(context, 2, std::numeric_limits<float>::infinity());
  }
  const std::string approximate = attributes.get_string("approximate", "none");
  if (op_type == "Gelu" && approximate != "none" && approximate != "tanh") {
    context.unsupported("Gelu approximate='" + approximate + "'");
  }
  context.launch_1d("unary", context.output_info().numel(), context.input(0), context.output(),
                    context.to_int(context.output_info().numel(), "element count"), op, alpha,
                    beta);
}

void launch_binary(NodeContext& context, BufferArg a, const Shape& a_shape, BufferArg b,
                   const Shape& b_shape, BinaryOp op, float scale) {
  const TensorInfo& output = context.output_info();
  const BroadcastLayout layout = broadcast_layout(output.shape, {a_shape, b_shape});
  const cl_int count = context.to_int(output.numel(), "element count");
  context.launch_1d("binary", count, a, b, context.output(),
                    context.upload_ints(layout_params(layout)), count, op, scale);
}

// Sum, Mean, Max and Min take any number of inputs: the first step combines inputs 0 and
// 1 into the output, each later step folds one more input into the output in place.
void compile_binary(NodeContext& context) {
  const std::string& op_type = context.node().op_type;
  const BinaryOp op = *binary_op_for(op_type);
  const std::size_t inputs = context.input_count();
  const Shape& output_shape = context.output_info().shape;
  if (inputs == 1) {
    context.launch_1d("unary", context.output_info().numel(), context.input(0), context.output(),
                      context.to_int(context.output_info().numel(), "element count"),
                      UnaryOp::Identity, 0.0f, 0.0f);
    return;
  }
  const float mean_scale = op_type == "Mean" ? 1.0f / static_cast<float>(inputs) : 1.0f;
  for (std::size_t i = 1; i < inputs; ++i) {
    const bool first = i == 1;
    const bool last = i + 1 == inputs;
    launch_binary(context, first ? context.input(0) : context.output(),
                  first ? context.input_info(0).shape : output_shape, context.input(i),
                  context.input_info(i).shape, op, last ? mean_scale : 1.0f);
  }
}

void compile_where(NodeContext& context) {
  if (!context.constant(0)) context.unsupported("Where's condition must be a constant (bool)");
  const TensorInfo& output = context.output_info();
  const BroadcastLayout layout = broadcast_layout(
      output.shape,
      {context.input_info(0).shape, context.input_info(1).shape, context.input_info(2).shape});
  const cl_int count = context.to_int(output.numel(), "element count");
  context.launch_1d("where_select", count, context.input(0), context.input(1), context.input(2),
                    context.output(), context.upload_ints(layout_params(layout)), count);
}

const OpTableRegistration unary_ops(
    {"Relu", "LeakyRelu", "Clip",  "Sigmoid", "HardSigmoid", "HardSwish",  "Tanh",
     "Exp",  "Log",       "Sqrt",  "Abs",     "Neg",         "Reciprocal", "Floor",
     "Ceil", "Erf",       "Elu",   "Selu",    "Softplus",    "Softsign",   "Sin",
     "Cos",  "Gelu",      "Round", "Sign"},
    {{"eltwise.cl"}, compile_unary, {}});
const OpTableRegistration binary_ops({"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum",
                                      "Mean", "PRelu"},
                                     {{"eltwise.cl"}, compile_binary, {}});
const OpTableRegistration where_op({"Where"}, {{"eltwise.cl"}, compile_where, {}});

}  // namespace
}  // namespace tandem::opencl
