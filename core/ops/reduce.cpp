// ReduceMean and ReduceSum: schemas, shape inference and reference kernels (float64, and
// int64/int32 with exact integer sums, since shape subgraphs reduce integers too).
#include <algorithm>

#include "core/op_registry.h"
#include "core/ops/broadcast.h"
#include "core/ops/op_util.h"

namespace tandem {
namespace {

enum class Reduction { Sum, Mean };

// Which dimensions a node reduces, resolved against the input rank.
struct ReducePlan {
  bool identity = false;            // empty axes with noop_with_empty_axes = 1
  std::vector<bool> reduced;        // per input dimension
  bool keepdims = true;

  Shape output_shape(const Shape& input) const {
    if (identity) return input;
    Shape output;
    for (std::size_t d = 0; d < input.size(); ++d) {
      if (!reduced[d]) output.push_back(input[d]);
      else if (keepdims) output.push_back(1);
    }
    return output;
  }
};

bool read_flag(const Node& node, const char* name, std::int64_t fallback) {
  const std::int64_t value = node.attributes.get_int(name, fallback);
  check(value == 0 || value == 1,
        node.label() + ": " + name + " must be 0 or 1, got " + std::to_string(value));
  return value == 1;
}

void validate_reduce(const Node& node) {
  read_flag(node, "keepdims", 1);
  read_flag(node, "noop_with_empty_axes", 0);
  const bool axes_input = node.inputs.size() > 1 && node.inputs[1] != kNoValue;
  check(!(axes_input && node.attributes.has("axes")),
        node.label() + ": axes given both as attribute and as input");
}

ReducePlan make_reduce_plan(const Node& node, const std::vector<std::int64_t>& axes,
                            std::size_t rank) {
  ReducePlan plan;
  plan.keepdims = read_flag(node, "keepdims", 1);
  if (axes.empty() && read_flag(node, "noop_with_empty_axes", 0)) {
    plan.identity = true;
    return plan;
  }
  plan.reduced.assign(rank, axes.empty());
  for (std::int64_t axis : axes) {
    const auto d = static_cast<std::size_t>(normalize_axis(node, axis, static_cast<std::int64_t>(rank)));
    check(!plan.reduced[d], node.label() + ": axis " + std::to_string(axis) + " is repeated");
    plan.reduced[d] = true;
  }
  return plan;
}

// Axes come from the attribute (ReduceMean up to opset 17) or the optional input 1
// (ReduceSum from opset 13, ReduceMean from 18), which must then be a constant.
std::vector<std::int64_t> read_axes(const Node& node, const Tensor* axes_input) {
  if (!axes_input) return node.attributes.get_ints("axes", {});
  check(axes_input->dtype() == DType::I64 || axes_input->dtype() == DType::I32,
        node.label() + ": axes must be an integer tensor");
  check(axes_input->shape().size() <= 1, node.label() + ": axes must be a 1-D tensor");
  return axes_input->to_i64_vector();
}

std::vector<TensorInfo> infer_reduce(const InferContext& context) {
  const TensorInfo& x = context.input(0);
  if (x.dtype == DType::Bool) {
    throw Unsupported(context.node.label() + ": bool input is not supported");
  }
  const Tensor* axes = context.has_input(1) ? &context.constant(1) : nullptr;
  const ReducePlan plan = make_reduce_plan(context.node, read_axes(context.node, axes), x.shape.size());
  return {TensorInfo{x.dtype, plan.output_shape(x.shape)}};
}

template <typename T>
void reduce_typed(const Tensor& x, const ReducePlan& plan, Reduction reduction, Tensor& y) {
  std::span<const T> in = x.data<T>();
  std::span<T> out = y.data<T>();
  if (plan.identity) {
    std::copy(in.begin(), in.end(), out.begin());
    return;
  }
  // Each input element's place in the output, read through the keepdims shape with the
  // reduced dimensions given stride 0.
  Shape kept = x.shape();
  for (std::size_t d = 0; d < kept.size(); ++d) {
    if (plan.reduced[d]) kept[d] = 1;
  }
  std::vector<std::int64_t> strides = strides_of(kept);
  for (std::size_t d = 0; d < kept.size(); ++d) {
    if (plan.reduced[d]) strides[d] = 0;
  }
  const std::vector<std::int64_t> target = strided_offsets(x.shape(), strides);
  std::vector<T> sums(out.size(), T{0});
  for (std::size_t i = 0; i < in.size(); ++i) sums[static_cast<std::size_t>(target[i])] += in[i];
  const std::int64_t count = out.empty() ? 0 : x.numel() / static_cast<std::int64_t>(out.size());
  for (std::size_t o = 0; o < out.size(); ++o) {
    out[o] = reduction == Reduction::Sum ? sums[o] : sums[o] / static_cast<T>(count);
  }
}

void reduce_reference(const RefContext& context, Reduction reduction) {
  const Tensor& x = *context.inputs[0];
  const Tensor* axes = context.inputs.size() > 1 ? context.inputs[1] : nullptr;
  const ReducePlan plan =
      make_reduce_plan(context.node, read_axes(context.node, axes), x.shape().size());
  Tensor& y = context.outputs[0];
  switch (x.dtype()) {
    case DType::F64: reduce_typed<double>(x, plan, reduction, y); break;
    case DType::I64: reduce_typed<std::int64_t>(x, plan, reduction, y); break;
    case DType::I32: reduce_typed<std::int32_t>(x, plan, reduction, y); break;
    default:
      throw Unsupported(context.node.label() + ": " + dtype_name(x.dtype()) +
                        " input is not supported");
  }
}

OpSchema make_reduce_schema(const char* op_type, Reduction reduction) {
  OpSchema schema;
  schema.op_type = op_type;
  schema.min_inputs = 1;
  schema.max_inputs = 2;
  schema.attributes = {{"keepdims", AttrKind::Int}, {"noop_with_empty_axes", AttrKind::Int}};
  if (reduction == Reduction::Mean) schema.attributes.push_back({"axes", AttrKind::Ints});
  schema.validate = validate_reduce;
  schema.infer = infer_reduce;
  schema.reference = [reduction](const RefContext& context) { reduce_reference(context, reduction); };
  return schema;
}

OpSchema make_reduce_mean_schema() { return make_reduce_schema("ReduceMean", Reduction::Mean); }
OpSchema make_reduce_sum_schema() { return make_reduce_schema("ReduceSum", Reduction::Sum); }

}  // namespace

TANDEM_REGISTER_OP(make_reduce_mean_schema);
TANDEM_REGISTER_OP(make_reduce_sum_schema);

}  // namespace tandem
