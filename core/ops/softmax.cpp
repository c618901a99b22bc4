// Softmax (opset 13: normalized along one axis): schema, shape inference and the float64
// reference kernel.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/op_registry.h"
#include "core/ops/op_util.h"

namespace tandem {
namespace {

std::vector<TensorInfo> infer_softmax(const InferContext& context) {
  const TensorInfo& x = context.input(0);
  if (!is_float(x.dtype)) {
    throw Unsupported(context.node.label() + ": " + dtype_name(x.dtype) +
                      " input is not supported (float types only)");
  }
  check(!x.shape.empty(), context.node.label() + ": input must have rank >= 1");
  normalize_axis(context.node, context.node.attributes.get_int("axis", -1),
                 static_cast<std::int64_t>(x.shape.size()));
  return {x};
}

// exp(x - max) / sum over each line along `axis`; subtracting the max keeps exp finite.
void softmax_reference(const RefContext& context) {
  const Tensor& x = *context.inputs[0];
  const Shape& shape = x.shape();
  const std::int64_t axis = normalize_axis(context.node, context.node.attributes.get_int("axis", -1),
                                           static_cast<std::int64_t>(shape.size()));
  const std::int64_t length = shape[static_cast<std::size_t>(axis)];
  const std::int64_t inner = shape_numel(Shape(shape.begin() + axis + 1, shape.end()));
  const std::int64_t outer = shape_numel(Shape(shape.begin(), shape.begin() + axis));
  const double* in = x.data<double>().data();
  double* out = context.outputs[0].data<double>().data();
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      const std::int64_t base = o * length * inner + i;
      double max = -std::numeric_limits<double>::infinity();
      for (std::int64_t k = 0; k < length; ++k) max = std::max(max, in[base + k * inner]);
      double sum = 0.0;
      for (std::int64_t k = 0; k < length; ++k) {
        out[base + k * inner] = std::exp(in[base + k * inner] - max);
        sum += out[base + k * inner];
      }
      for (std::int64_t k = 0; k < length; ++k) out[base + k * inner] /= sum;
    }
  }
}

OpSchema make_softmax_schema() {
  OpSchema schema;
  schema.op_type = "Softmax";
  schema.attributes = {{"axis", AttrKind::Int}};
  schema.infer = infer_softmax;
  schema.reference = softmax_reference;
  return schema;
}

}  // namespace

TANDEM_REGISTER_OP(make_softmax_schema);

}  // namespace tandem
