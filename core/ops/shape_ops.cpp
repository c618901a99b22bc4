// Ops that change a tensor's shape or type but not the order of its elements: Reshape,
// Flatten, Squeeze, Unsqueeze, plus Shape, Cast and Constant. They run on every dtype,
// integers included, because constant folding evaluates shape arithmetic through them.
// (Ops that move elements - Transpose, Concat, Slice, Gather, Pad - are in movement_ops.cpp.)
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "core/half.h"
#include "core/op_registry.h"
#include "core/ops/op_util.h"

namespace tandem {
namespace {

// An integer list given as a constant input (Reshape's shape, Unsqueeze's axes ...).
std::vector<std::int64_t> constant_ints(const InferContext& ctx, std::size_t i, const char* what) {
  const Tensor& tensor = ctx.constant(i);
  check(tensor.dtype() == DType::I64 || tensor.dtype() == DType::I32,
        ctx.node.label() + ": " + what + " must be int64, got " + dtype_name(tensor.dtype()));
  check(tensor.shape().size() <= 1, ctx.node.label() + ": " + what + " must be 1-D, got shape " +
                                        shape_to_string(tensor.shape()));
  return tensor.to_i64_vector();
}

// Reshape, Flatten, Squeeze and Unsqueeze relabel the shape; the bytes stay as they are.
void copy_bytes(const RefContext& ctx) {
  const Tensor& input = *ctx.inputs[0];
  Tensor& output = ctx.outputs[0];
  check(input.dtype() == output.dtype() && input.bytes() == output.bytes(),
        ctx.node.label() + ": output does not match the input's size");
  if (input.bytes() > 0) std::memcpy(output.raw(), input.raw(), input.bytes());
}

// Distinct axes in 0..rank-1, in the order given.
std::vector<std::int64_t> normalize_axes(const Node& node, const std::vector<std::int64_t>& axes,
                                         std::int64_t rank) {
  std::vector<std::int64_t> normalized;
  for (std::int64_t axis : axes) {
    const std::int64_t a = normalize_axis(node, axis, rank);
    check(std::find(normalized.begin(), normalized.end(), a) == normalized.end(),
          node.label() + ": axis " + std::to_string(axis) + " is repeated");
    normalized.push_back(a);
  }
  return normalized;
}

// ---------------------------------------------------------------- Reshape

// ONNX Reshape: -1 is inferred from the element count, 0 copies the input's dimension at
// the same position unless allowzero is set (then 0 is a real zero-sized dimension).
Shape reshape_target(const Node& node, const Shape& input, const std::vector<std::int64_t>& requested,
                     bool allow_zero) {
  const std::string where = node.label() + ": cannot reshape " + shape_to_string(input) + " to " +
                            shape_to_string(requested);
  Shape output(requested.size());
  std::optional<std::size_t> inferred;
  bool has_zero = false;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < requested.size(); ++i) {
    std::int64_t dim = requested[i];
    if (dim == -1) {
      check(!inferred, where + ": more than one -1");
      inferred = i;
      continue;
    }
    check(dim >= 0, where + ": dimension " + std::to_string(dim) + " is invalid");
    has_zero = has_zero || dim == 0;
    if (dim == 0 && !allow_zero) {
      check(i < input.size(), where + ": 0 at position " + std::to_string(i) +
                                  " copies a dimension the input does not have");
      dim = input[i];
    }
    output[i] = dim;
    // The product cannot match the input's element count once it overflows.
    check(!__builtin_mul_overflow(known, dim, &known), where + ": too many elements");
  }
  const std::int64_t count = shape_numel(input);
  if (inferred) {
    check(!(allow_zero && has_zero), where + ": allowzero forbids 0 together with -1");
    check(known != 0 && count % known == 0, where + ": the -1 dimension cannot be inferred");
    output[*inferred] = count / known;
  }
  check(shape_numel(output) == count, where + ": element counts differ");
  return output;
}

OpSchema make_reshape_schema() {
  OpSchema schema;
  schema.op_type = "Reshape";
  schema.min_inputs = 2;
  schema.max_inputs = 2;
  schema.attributes = {{"allowzero", AttrKind::Int}};
  schema.infer = [](const InferContext& ctx) {
    const TensorInfo& data = ctx.input(0);
    const bool allow_zero = ctx.node.attributes.get_int("allowzero", 0) != 0;
    const Shape shape =
        reshape_target(ctx.node, data.shape, constant_ints(ctx, 1, "shape"), allow_zero);
    return std::vector<TensorInfo>{{data.dtype, shape}};
  };
  schema.reference = copy_bytes;
  return schema;
}

// ---------------------------------------------------------------- Flatten

OpSchema make_flatten_schema() {
  OpSchema schema;
  schema.op_type = "Flatten";
  schema.attributes = {{"axis", AttrKind::Int}};
  schema.infer = [](const InferContext& ctx) {
    const TensorInfo& data = ctx.input(0);
    const auto rank = static_cast<std::int64_t>(data.shape.size());
    // axis lies in [-rank, rank]: rank itself puts everything in the outer dimension.
    const std::int64_t given = ctx.node.attributes.get_int("axis", 1);
    const std::int64_t axis = given < 0 ? given + rank : given;
    check(axis >= 0 && axis <= rank, ctx.node.label() + ": axis " + std::to_string(given) +
                                         " is out of range for rank " + std::to_string(rank));
    std::int64_t outer = 1;
    std::int64_t inner = 1;
    for (std::int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= data.shape[static_cast<std::size_t>(d)];
    return std::vector<TensorInfo>{{data.dtype, {outer, inner}}};
  };
  schema.reference = copy_bytes;
  return schema;
}

// ---------------------------------------------------------------- Squeeze, Unsqueeze

Shape squeezed_shape(const InferContext& ctx) {
  const Shape& input = ctx.input(0).shape;
  const auto rank = static_cast<std::int64_t>(input.size());
  std::vector<bool> drop(input.size(), false);
  if (ctx.has_input(1)) {
    for (std::int64_t axis : normalize_axes(ctx.node, constant_ints(ctx, 1, "axes"), rank)) {
      const auto a = static_cast<std::size_t>(axis);
      check(input[a] == 1, ctx.node.label() + ": cannot squeeze axis " + std::to_string(axis) +
                               " of shape " + shape_to_string(input) + ": it is not 1");
      drop[a] = true;
    }
  } else {
    for (std::size_t d = 0; d < input.size(); ++d) drop[d] = input[d] == 1;
  }
  Shape output;
  for (std::size_t d = 0; d < input.size(); ++d) {
    if (!drop[d]) output.push_back(input[d]);
  }
  return output;
}

OpSchema make_squeeze_schema() {
  OpSchema schema;
  schema.op_type = "Squeeze";
  schema.min_inputs = 1;
  schema.max_inputs = 2;
  schema.infer = [](const InferContext& ctx) {
    return std::vector<TensorInfo>{{ctx.input(0).dtype, squeezed_shape(ctx)}};
  };
  schema.reference = copy_bytes;
  return schema;
}

Shape unsqueezed_shape(const InferContext& ctx) {
  const Shape& input = ctx.input(0).shape;
  const std::vector<std::int64_t> axes = constant_ints(ctx, 1, "axes");
  // Axes index the output, whose rank counts the new dimensions.
  const auto rank = static_cast<std::int64_t>(input.size() + axes.size());
  const std::vector<std::int64_t> inserted = normalize_axes(ctx.node, axes, rank);
  Shape output;
  std::size_t next_input = 0;
  for (std::int64_t d = 0; d < rank; ++d) {
    const bool is_new = std::find(inserted.begin(), inserted.end(), d) != inserted.end();
    output.push_back(is_new ? 1 : input[next_input++]);
  }
  return output;
}

OpSchema make_unsqueeze_schema() {
  OpSchema schema;
  schema.op_type = "Unsqueeze";
  schema.min_inputs = 2;
  schema.max_inputs = 2;
  schema.infer = [](const InferContext& ctx) {
    return std::vector<TensorInfo>{{ctx.input(0).dtype, unsqueezed_shape(ctx)}};
  };
  schema.reference = copy_bytes;
  return schema;
}

// ---------------------------------------------------------------- Shape

// Shape's start and end, as ONNX clamps them: negative counts from the end, then 0..rank.
std::pair<std::int64_t, std::int64_t> shape_range(const Node& node, std::int64_t rank) {
  auto clamp_bound = [rank](std::int64_t bound) {
    if (bound < 0) bound += rank;
    return std::clamp<std::int64_t>(bound, 0, rank);
  };
  const std::int64_t start = clamp_bound(node.attributes.get_int("start", 0));
  const std::int64_t end = clamp_bound(node.attributes.get_int("end", rank));
  return {start, std::max(start, end)};
}

OpSchema make_shape_schema() {
  OpSchema schema;
  schema.op_type = "Shape";
  schema.attributes = {{"start", AttrKind::Int}, {"end", AttrKind::Int}};
  schema.infer = [](const InferContext& ctx) {
    const auto rank = static_cast<std::int64_t>(ctx.input(0).shape.size());
    const auto [start, end] = shape_range(ctx.node, rank);
    return std::vector<TensorInfo>{{DType::I64, {end - start}}};
  };
  schema.reference = [](const RefContext& ctx) {
    const Shape& shape = ctx.inputs[0]->shape();
    const auto [start, end] = shape_range(ctx.node, static_cast<std::int64_t>(shape.size()));
    auto out = ctx.outputs[0].data<std::int64_t>();
    for (std::int64_t d = start; d < end; ++d) {
      out[static_cast<std::size_t>(d - start)] = shape[static_cast<std::size_t>(d)];
    }
  };
  return schema;
}

// ---------------------------------------------------------------- Cast

DType cast_target(const Node& node) {
  const std::int64_t code = node.attributes.get_int("to");
  try {
    return dtype_from_onnx(static_cast<int>(code));
  } catch (const Unsupported& error) {
    throw Unsupported(node.label() + ": cast to " + error.what());
  }
}

// Float to integer truncates toward zero as ONNX says; out-of-range values and NaN are
// undefined there, so we saturate (NaN becomes 0) rather than invoke C++ undefined behaviour.
template <typename Int>
Int float_to_integer(double value) {
  constexpr double low = static_cast<double>(std::numeric_limits<Int>::min());
  constexpr double high = -low;   // 2^(bits-1), one past the largest value
  if (std::isnan(value)) return 0;
  if (value <= low) return std::numeric_limits<Int>::min();
  if (value >= high) return std::numeric_limits<Int>::max();
  return static_cast<Int>(value);
}

// Element i of `input` converted to `target`, stored in `output` (which holds target's
// reference dtype: F64 for every float type, rounded through the target's precision so the
// value equals what a float32 or float16 engine would hold).
void cast_element(const Tensor& input, std::int64_t i, DType target, Tensor& output) {
  const auto o = static_cast<std::size_t>(i);
  const bool from_float = is_float(input.dtype());
  switch (target) {
    case DType::F64:
      output.data<double>()[o] = input.value_f64(i);
      break;
    case DType::F32:
      output.data<double>()[o] = from_float ? static_cast<float>(input.value_f64(i))
                                            : static_cast<float>(input.value_i64(i));
      break;
    case DType::F16: {
      const float single = from_float ? static_cast<float>(input.value_f64(i))
                                      : static_cast<float>(input.value_i64(i));
      output.data<double>()[o] = half_to_float(float_to_half(single));
      break;
    }
    case DType::I64:
      output.data<std::int64_t>()[o] =
          from_float ? float_to_integer<std::int64_t>(input.value_f64(i)) : input.value_i64(i);
      break;
    case DType::I32:
      output.data<std::int32_t>()[o] = from_float
                                           ? float_to_integer<std::int32_t>(input.value_f64(i))
                                           : static_cast<std::int32_t>(input.value_i64(i));
      break;
    case DType::Bool:
      // NaN is true, as in numpy: it is not equal to zero.
      output.data<std::uint8_t>()[o] =
          from_float ? input.value_f64(i) != 0.0 : input.value_i64(i) != 0;
      break;
  }
}

OpSchema make_cast_schema() {
  OpSchema schema;
  schema.op_type = "Cast";
  schema.attributes = {{"to", AttrKind::Int, true}, {"saturate", AttrKind::Int}};
  schema.validate = [](const Node& node) { cast_target(node); };
  schema.infer = [](const InferContext& ctx) {
    return std::vector<TensorInfo>{{cast_target(ctx.node), ctx.input(0).shape}};
  };
  schema.reference = [](const RefContext& ctx) {
    const DType target = cast_target(ctx.node);
    const Tensor& input = *ctx.inputs[0];
    for (std::int64_t i = 0; i < input.numel(); ++i) cast_element(input, i, target, ctx.outputs[0]);
  };
  return schema;
}

// ---------------------------------------------------------------- Constant

const char* const kConstantAttributes[] = {"value", "value_float", "value_floats", "value_int",
                                           "value_ints"};

// The tensor a Constant node holds. value_float(s) are float32 in ONNX, so they are rounded
// to float32 here whatever precision the attribute carries.
Tensor constant_value(const Node& node) {
  const Attributes& attributes = node.attributes;
  if (attributes.has("value")) return attributes.get_tensor("value");
  if (attributes.has("value_float")) {
    return Tensor::from<double>(DType::F32, {}, {attributes.get_float("value_float")});
  }
  if (attributes.has("value_floats")) {
    const std::vector<double> values = attributes.get_floats("value_floats");
    return Tensor::from<double>(DType::F32, {static_cast<std::int64_t>(values.size())}, values);
  }
  if (attributes.has("value_int")) {
    return Tensor::from<std::int64_t>(DType::I64, {}, {attributes.get_int("value_int")});
  }
  const std::vector<std::int64_t> values = attributes.get_ints("value_ints");
  return Tensor::from<std::int64_t>(DType::I64, {static_cast<std::int64_t>(values.size())}, values);
}

OpSchema make_constant_schema() {
  OpSchema schema;
  schema.op_type = "Constant";
  schema.min_inputs = 0;
  schema.max_inputs = 0;
  schema.attributes = {{"value", AttrKind::Tensor},
                       {"value_float", AttrKind::Float},
                       {"value_floats", AttrKind::Floats},
                       {"value_int", AttrKind::Int},
                       {"value_ints", AttrKind::Ints}};
  schema.validate = [](const Node& node) {
    int given = 0;
    for (const char* name : kConstantAttributes) given += node.attributes.has(name) ? 1 : 0;
    check(given == 1, node.label() + ": needs exactly one value attribute, has " +
                          std::to_string(given));
  };
  schema.infer = [](const InferContext& ctx) {
    return std::vector<TensorInfo>{constant_value(ctx.node).info()};
  };
  schema.reference = [](const RefContext& ctx) {
    ctx.outputs[0] = constant_value(ctx.node).cast(ctx.outputs[0].dtype());
  };
  return schema;
}

TANDEM_REGISTER_OP(make_reshape_schema);
TANDEM_REGISTER_OP(make_flatten_schema);
TANDEM_REGISTER_OP(make_squeeze_schema);
TANDEM_REGISTER_OP(make_unsqueeze_schema);
TANDEM_REGISTER_OP(make_shape_schema);
TANDEM_REGISTER_OP(make_cast_schema);
TANDEM_REGISTER_OP(make_constant_schema);

}  // namespace
}  // namespace tandem
