// MaxPool, AveragePool and GlobalAveragePool: schemas, shape inference and float64
// reference kernels.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/op_registry.h"
#include "core/ops/op_util.h"
#include "core/ops/window_geometry.h"

namespace tandem {
namespace {

enum class PoolKind { Max, Average };

void check_float_input(const InferContext& context) {
  const DType dtype = context.input(0).dtype;
  if (!is_float(dtype)) {
    throw Unsupported(context.node.label() + ": " + dtype_name(dtype) +
                      " input is not supported (float types only)");
  }
}

std::vector<TensorInfo> infer_pool(const InferContext& context) {
  check_float_input(context);
  const Shape& x = context.input(0).shape;
  const WindowGeometry window = resolve_pool_window(context.node, x);
  Shape output = {x[0], x[1]};
  for (const WindowDim& dim : window.dims) output.push_back(dim.output);
  return {TensorInfo{context.input(0).dtype, output}};
}

// Steps a row-major multi-index; returns false after the last position.
bool advance(std::vector<std::int64_t>& index, const Shape& shape) {
  for (std::size_t d = shape.size(); d-- > 0;) {
    if (++index[d] < shape[d]) return true;
    index[d] = 0;
  }
  return false;
}

// One output element: the window's taps that land in the input, and how many land in the
// input plus its padding (AveragePool's divisor with count_include_pad).
struct WindowTaps {
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0.0;
  std::int64_t inside = 0;
  std::int64_t inside_padded = 0;
};

WindowTaps gather_window(const WindowGeometry& window, const Shape& kernel,
                         const std::vector<std::int64_t>& out_index,
                         const std::vector<std::int64_t>& in_strides, const double* plane) {
  std::vector<std::int64_t> tap(kernel.size(), 0);
  WindowTaps taps;
  do {
    bool inside = true;
    bool inside_padded = true;
    std::int64_t offset = 0;
    for (std::size_t d = 0; d < window.rank(); ++d) {
      const WindowDim& dim = window.dims[d];
      const std::int64_t position = dim.dense_index(out_index[d], tap[d]);
      inside = inside && position >= 0 && position < dim.input;
      inside_padded = inside_padded && position >= -dim.pad_begin &&
                      position < dim.input + dim.pad_end;
      offset += position * in_strides[d];
    }
    if (inside_padded) ++taps.inside_padded;
    if (!inside) continue;
    const double value = plane[offset];
    // NaN inputs are skipped by max, as onnxruntime's `if (x > y) y = x` does.
    if (value > taps.max) taps.max = value;
    taps.sum += value;
    ++taps.inside;
  } while (advance(tap, kernel));
  return taps;
}

void pool_reference(const RefContext& context, PoolKind kind) {
  const Tensor& x = *context.inputs[0];
  Tensor& y = context.outputs[0];
  const WindowGeometry window = resolve_pool_window(context.node, x.shape());
  const bool count_include_pad = context.node.attributes.get_int("count_include_pad", 0) == 1;
  const Shape in_shape = window.input_spatial();
  const Shape out_shape = window.output_spatial();
  const Shape kernel = window.kernel_spatial();
  const std::vector<std::int64_t> in_strides = strides_of(in_shape);
  const std::int64_t in_plane = shape_numel(in_shape);
  const std::int64_t planes = x.shape()[0] * x.shape()[1];
  const double* x_data = x.data<double>().data();
  double* y_data = y.data<double>().data();
  for (std::int64_t p = 0; p < planes; ++p) {
    std::vector<std::int64_t> out_index(out_shape.size(), 0);
    do {
      const WindowTaps taps = gather_window(window, kernel, out_index, in_strides,
                                              x_data + p * in_plane);
      const std::int64_t divisor = count_include_pad ? taps.inside_padded : taps.inside;
      *y_data++ = kind == PoolKind::Max ? taps.max : taps.sum / static_cast<double>(divisor);
    } while (advance(out_index, out_shape));
  }
}

void validate_max_pool(const Node& node) {
  read_window_attributes(node);
  check(node.attributes.has("kernel_shape"), node.label() + ": kernel_shape is required");
  const std::int64_t storage_order = node.attributes.get_int("storage_order", 0);
  if (storage_order != 0) {
    throw Unsupported(node.label() + ": storage_order " + std::to_string(storage_order) +
                      " (column-major indices) is not supported");
  }
  // Omitted optional outputs (ONNX's empty names) do not count.
  if (std::any_of(node.outputs.begin() + 1, node.outputs.end(),
                  [](ValueId id) { return id != kNoValue; })) {
    throw Unsupported(node.label() + ": the Indices output is not supported");
  }
}

void validate_average_pool(const Node& node) {
  read_window_attributes(node);
  check(node.attributes.has("kernel_shape"), node.label() + ": kernel_shape is required");
  const std::int64_t count_include_pad = node.attributes.get_int("count_include_pad", 0);
  check(count_include_pad == 0 || count_include_pad == 1,
        node.label() + ": count_include_pad must be 0 or 1, got " +
            std::to_string(count_include_pad));
}

std::vector<AttrSpec> pool_attributes() {
  return {{"auto_pad", AttrKind::String},  {"ceil_mode", AttrKind::Int},
          {"dilations", AttrKind::Ints},   {"kernel_shape", AttrKind::Ints, true},
          {"pads", AttrKind::Ints},        {"strides", AttrKind::Ints}};
}

OpSchema make_max_pool_schema() {
  OpSchema schema;
  schema.op_type = "MaxPool";
  schema.max_outputs = 2;   // so a model asking for Indices hears Unsupported, not a count error
  schema.attributes = pool_attributes();
  schema.attributes.push_back({"storage_order", AttrKind::Int});
  schema.validate = validate_max_pool;
  schema.infer = infer_pool;
  schema.reference = [](const RefContext& context) { pool_reference(context, PoolKind::Max); };
  return schema;
}

// AveragePool also accepts dilations (added in opset 19); the geometry is shared with MaxPool.
OpSchema make_average_pool_schema() {
  OpSchema schema;
  schema.op_type = "AveragePool";
  schema.attributes = pool_attributes();
  schema.attributes.push_back({"count_include_pad", AttrKind::Int});
  schema.validate = validate_average_pool;
  schema.infer = infer_pool;
  schema.reference = [](const RefContext& context) { pool_reference(context, PoolKind::Average); };
  return schema;
}

std::vector<TensorInfo> infer_global_average_pool(const InferContext& context) {
  check_float_input(context);
  const Shape& x = context.input(0).shape;
  check(x.size() >= 3, context.node.label() + ": input " + shape_to_string(x) +
                           " must be [N, C, spatial...] with at least one spatial dim");
  Shape output(x.size(), 1);
  output[0] = x[0];
  output[1] = x[1];
  return {TensorInfo{context.input(0).dtype, output}};
}

void global_average_pool_reference(const RefContext& context) {
  const Tensor& x = *context.inputs[0];
  const std::int64_t planes = x.shape()[0] * x.shape()[1];
  const std::int64_t plane = planes == 0 ? 0 : x.numel() / planes;
  const std::span<const double> in = x.data<double>();
  std::span<double> out = context.outputs[0].data<double>();
  for (std::int64_t p = 0; p < planes; ++p) {
    double sum = 0.0;
    for (std::int64_t i = 0; i < plane; ++i) sum += in[static_cast<std::size_t>(p * plane + i)];
    out[static_cast<std::size_t>(p)] = sum / static_cast<double>(plane);
  }
}

OpSchema make_global_average_pool_schema() {
  OpSchema schema;
  schema.op_type = "GlobalAveragePool";
  schema.infer = infer_global_average_pool;
  schema.reference = global_average_pool_reference;
  return schema;
}

}  // namespace

TANDEM_REGISTER_OP(make_max_pool_schema);
TANDEM_REGISTER_OP(make_average_pool_schema);
TANDEM_REGISTER_OP(make_global_average_pool_schema);

}  // namespace tandem
