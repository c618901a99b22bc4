// Element-wise ops: the broadcasting binary arithmetic (Add, Sub, Mul, Div, Pow), the
// float activations and math functions, Clip and Identity. NaN and infinities follow IEEE
// (the reference computes in double and never flushes); -0 survives wherever IEEE keeps it.
#include <cmath>
#include <cstring>
#include <limits>

#include "core/op_registry.h"
#include "core/ops/broadcast.h"

namespace tandem {
namespace {

// ---------------------------------------------------------------- binary arithmetic

using FloatBinaryFn = double (*)(double, double);
// Integer arithmetic wraps like two's complement hardware; the node is there for messages.
using IntBinaryFn = std::int64_t (*)(const Node&, std::int64_t, std::int64_t);

std::int64_t wrap(std::uint64_t bits) { return static_cast<std::int64_t>(bits); }
std::uint64_t bits(std::int64_t value) { return static_cast<std::uint64_t>(value); }

bool is_integer(DType dtype) { return dtype == DType::I64 || dtype == DType::I32; }

std::vector<TensorInfo> infer_binary(const InferContext& ctx) {
  const TensorInfo& a = ctx.input(0);
  const TensorInfo& b = ctx.input(1);
  const bool is_pow = ctx.node.op_type == "Pow";
  // Pow's exponent may have its own type (ONNX's T1); the others need one type throughout.
  check(is_pow || a.dtype == b.dtype, ctx.node.label() + ": inputs have different dtypes (" +
                                          dtype_name(a.dtype) + " and " + dtype_name(b.dtype) + ")");
  if (!is_float(a.dtype) && !is_integer(a.dtype)) {
    throw Unsupported(ctx.node.label() + ": " + dtype_name(a.dtype) + " inputs are not supported");
  }
  check(is_float(b.dtype) || is_integer(b.dtype),
        ctx.node.label() + ": " + dtype_name(b.dtype) + " exponent is not supported");
  return {{a.dtype, broadcast_shape(a.shape, b.shape, ctx.node.label())}};
}

// Stores `value` as the output's element i; a float result of an integer op (Pow) is
// truncated toward zero and saturated, as a cast would.
void store_integer(Tensor& out, std::int64_t i, std::int64_t value) {
  const auto index = static_cast<std::size_t>(i);
  if (out.dtype() == DType::I64) {
    out.data<std::int64_t>()[index] = value;
  } else {
    out.data<std::int32_t>()[index] = static_cast<std::int32_t>(value);   // wraps (C++20)
  }
}

std::int64_t saturate_to_i64(double value) {
  if (std::isnan(value)) return 0;
  if (value >= 9.2233720368547758e18) return std::numeric_limits<std::int64_t>::max();
  if (value <= -9.2233720368547758e18) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(value);
}

void reference_binary(const RefContext& ctx, FloatBinaryFn float_fn, IntBinaryFn int_fn) {
  const Tensor& a = *ctx.inputs[0];
  const Tensor& b = *ctx.inputs[1];
  Tensor& out = ctx.outputs[0];
  const std::vector<std::int64_t> from_a = broadcast_offsets(a.shape(), out.shape());
  const std::vector<std::int64_t> from_b = broadcast_offsets(b.shape(), out.shape());
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    const auto index = static_cast<std::size_t>(i);
    if (out.dtype() == DType::F64) {
      out.data<double>()[index] = float_fn(a.value_f64(from_a[index]), b.value_f64(from_b[index]));
    } else if (int_fn && is_integer(b.dtype())) {
      store_integer(out, i, int_fn(ctx.node, a.value_i64(from_a[index]), b.value_i64(from_b[index])));
    } else {
      // Integer Pow with a float exponent, or any integer op without an integer form.
      const double value = float_fn(a.value_f64(from_a[index]), b.value_f64(from_b[index]));
      store_integer(out, i, saturate_to_i64(value));
    }
  }
}

std::int64_t integer_divide(const Node& node, std::int64_t a, std::int64_t b) {
  check(b != 0, node.label() + ": integer division by zero");
  // INT64_MIN / -1 overflows; two's complement hardware gives INT64_MIN back.
  if (b == -1) return wrap(0 - bits(a));
  return a / b;   // C++ truncates toward zero, as ONNX integer Div does
}

std::int64_t integer_pow(const Node& node, std::int64_t base, std::int64_t exponent) {
  if (exponent < 0) {
    // Truncation of base^exponent toward zero: only |base| == 1 gives a non-zero result.
    if (base == 1) return 1;
    if (base == -1) return exponent % 2 == 0 ? 1 : -1;
    check(base != 0, node.label() + ": integer 0 raised to a negative power");
    return 0;
  }
  std::uint64_t result = 1;
  std::uint64_t factor = bits(base);
  for (std::int64_t e = exponent; e > 0; e >>= 1) {
    if (e & 1) result *= factor;
    factor *= factor;
  }
  return wrap(result);
}

OpSchema binary_schema(const char* op_type, FloatBinaryFn float_fn, IntBinaryFn int_fn) {
  OpSchema schema;
  schema.op_type = op_type;
  schema.min_inputs = 2;
  schema.max_inputs = 2;
  schema.infer = infer_binary;
  schema.reference = [float_fn, int_fn](const RefContext& ctx) {
    reference_binary(ctx, float_fn, int_fn);
  };
  return schema;
}

OpSchema make_add_schema() {
  return binary_schema(
      "Add", [](double a, double b) { return a + b; },
      [](const Node&, std::int64_t a, std::int64_t b) { return wrap(bits(a) + bits(b)); });
}

OpSchema make_sub_schema() {
  return binary_schema(
      "Sub", [](double a, double b) { return a - b; },
      [](const Node&, std::int64_t a, std::int64_t b) { return wrap(bits(a) - bits(b)); });
}

OpSchema make_mul_schema() {
  return binary_schema(
      "Mul", [](double a, double b) { return a * b; },
      [](const Node&, std::int64_t a, std::int64_t b) { return wrap(bits(a) * bits(b)); });
}

OpSchema make_div_schema() {
  return binary_schema("Div", [](double a, double b) { return a / b; }, integer_divide);
}

OpSchema make_pow_schema() {
  return binary_schema("Pow", [](double a, double b) { return std::pow(a, b); }, integer_pow);
}

TANDEM_REGISTER_OP(make_add_schema);
TANDEM_REGISTER_OP(make_sub_schema);
TANDEM_REGISTER_OP(make_mul_schema);
TANDEM_REGISTER_OP(make_div_schema);
TANDEM_REGISTER_OP(make_pow_schema);

// ---------------------------------------------------------------- float unary functions

// alpha and beta are the op's float attributes (or their defaults) where it has them.
using UnaryFn = double (*)(double x, double alpha, double beta);

struct UnaryOp {
  const char* op_type;
  UnaryFn fn;
  // Defaults are ONNX's float32 attribute values, widened, so a float32 engine and the
  // reference use the same alpha.
  std::vector<std::pair<const char*, double>> params;   // {"alpha", 0.01f} ...
};

std::vector<TensorInfo> infer_float_unary(const InferContext& ctx) {
  const TensorInfo& x = ctx.input(0);
  if (!is_float(x.dtype)) {
    throw Unsupported(ctx.node.label() + ": " + dtype_name(x.dtype) + " inputs are not supported");
  }
  return {x};
}

OpSchema unary_schema(const UnaryOp& op) {
  OpSchema schema;
  schema.op_type = op.op_type;
  for (const auto& [name, fallback] : op.params) schema.attributes.push_back({name, AttrKind::Float});
  schema.infer = infer_float_unary;
  schema.reference = [op](const RefContext& ctx) {
    double param[2] = {0.0, 0.0};
    for (std::size_t p = 0; p < op.params.size() && p < 2; ++p) {
      param[p] = ctx.node.attributes.get_float(op.params[p].first, op.params[p].second);
    }
    const auto x = ctx.inputs[0]->data<double>();
    auto y = ctx.outputs[0].data<double>();
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = op.fn(x[i], param[0], param[1]);
  };
  return schema;
}

// Written so that NaN falls through to x: a comparison with NaN is false.
double relu(double x, double, double) { return x < 0 ? 0.0 : x; }
double leaky_relu(double x, double alpha, double) { return x < 0 ? alpha * x : x; }
double sigmoid(double x, double, double) { return 1.0 / (1.0 + std::exp(-x)); }
double clamp01(double v) { return v < 0 ? 0.0 : (v > 1 ? 1.0 : v); }
double hard_sigmoid(double x, double alpha, double beta) { return clamp01(alpha * x + beta); }
double hard_swish(double x, double, double) { return x * clamp01(x / 6.0 + 0.5); }

OpSchema make_relu_schema() { return unary_schema({"Relu", relu, {}}); }
OpSchema make_leaky_relu_schema() {
  return unary_schema({"LeakyRelu", leaky_relu, {{"alpha", double{0.01f}}}});
}
OpSchema make_sigmoid_schema() { return unary_schema({"Sigmoid", sigmoid, {}}); }
OpSchema make_hard_sigmoid_schema() {
  return unary_schema({"HardSigmoid", hard_sigmoid, {{"alpha", double{0.2f}}, {"beta", 0.5}}});
}
OpSchema make_hard_swish_schema() { return unary_schema({"HardSwish", hard_swish, {}}); }
OpSchema make_sqrt_schema() {
  return unary_schema({"Sqrt", [](double x, double, double) { return std::sqrt(x); }, {}});
}
OpSchema make_exp_schema() {
  return unary_schema({"Exp", [](double x, double, double) { return std::exp(x); }, {}});
}
OpSchema make_tanh_schema() {
  return unary_schema({"Tanh", [](double x, double, double) { return std::tanh(x); }, {}});
}
OpSchema make_erf_schema() {
  return unary_schema({"Erf", [](double x, double, double) { return std::erf(x); }, {}});
}

TANDEM_REGISTER_OP(make_relu_schema);
TANDEM_REGISTER_OP(make_leaky_relu_schema);
TANDEM_REGISTER_OP(make_sigmoid_schema);
TANDEM_REGISTER_OP(make_hard_sigmoid_schema);
TANDEM_REGISTER_OP(make_hard_swish_schema);
TANDEM_REGISTER_OP(make_sqrt_schema);
TANDEM_REGISTER_OP(make_exp_schema);
TANDEM_REGISTER_OP(make_tanh_schema);
TANDEM_REGISTER_OP(make_erf_schema);

// ---------------------------------------------------------------- Clip

// min and max (inputs 1 and 2) are optional scalars. They must be constants so that a
// backend can bake them in (and fuse Clip into a Conv); absent means unbounded.
std::vector<TensorInfo> infer_clip(const InferContext& ctx) {
  std::vector<TensorInfo> outputs = infer_float_unary(ctx);
  for (std::size_t i = 1; i <= 2; ++i) {
    if (!ctx.has_input(i)) continue;
    const Tensor& bound = ctx.constant(i);
    check(bound.numel() == 1, ctx.node.label() + ": " + (i == 1 ? "min" : "max") +
                                  " must be a scalar, got shape " + shape_to_string(bound.shape()));
  }
  return outputs;
}

double clip_bound(const RefContext& ctx, std::size_t i, double fallback) {
  return i < ctx.inputs.size() && ctx.inputs[i] ? ctx.inputs[i]->value_f64(0) : fallback;
}

OpSchema make_clip_schema() {
  OpSchema schema;
  schema.op_type = "Clip";
  schema.min_inputs = 1;
  schema.max_inputs = 3;
  schema.infer = infer_clip;
  schema.reference = [](const RefContext& ctx) {
    const double low = clip_bound(ctx, 1, -std::numeric_limits<double>::infinity());
    const double high = clip_bound(ctx, 2, std::numeric_limits<double>::infinity());
    const auto x = ctx.inputs[0]->data<double>();
    auto y = ctx.outputs[0].data<double>();
    for (std::size_t i = 0; i < x.size(); ++i) {
      // ONNX: min(max(x, low), high), so low > high gives high; NaN passes through.
      double v = x[i] < low ? low : x[i];
      y[i] = v > high ? high : v;
    }
  };
  return schema;
}

TANDEM_REGISTER_OP(make_clip_schema);

// ---------------------------------------------------------------- Identity

OpSchema make_identity_schema() {
  OpSchema schema;
  schema.op_type = "Identity";
  schema.infer = [](const InferContext& ctx) { return std::vector<TensorInfo>{ctx.input(0)}; };
  schema.reference = [](const RefContext& ctx) {
    const Tensor& x = *ctx.inputs[0];
    check(x.bytes() == ctx.outputs[0].bytes(), ctx.node.label() + ": output size mismatch");
    if (x.bytes() > 0) std::memcpy(ctx.outputs[0].raw(), x.raw(), x.bytes());
  };
  return schema;
}

TANDEM_REGISTER_OP(make_identity_schema);

}  // namespace
}  // namespace tandem
