// Data movement (kernels/shape_ops.cl). Reshape, Flatten, Squeeze, Unsqueeze, Identity
// and float-to-float Cast are copies; Transpose, Slice and Concat are strided copies whose
// walks the host works out; Gather and Pad have kernels of their own. A Constant node
// (left when the passes did not fold it) is a copy from a buffer uploaded at compile time.
#include "core/op_registry.h"
#include "core/ops/op_util.h"
#include "opencl/broadcast_layout.h"
#include "opencl/op_table.h"

namespace tandem::opencl {
namespace {

BufferArg shifted(BufferArg buffer, cl_int elements) {
  buffer.offset += elements;
  return buffer;
}

// Copies `shape` elements, reading x and writing y with the given strides.
void launch_strided_copy(NodeContext& context, BufferArg x, BufferArg y, const Shape& shape,
                         const std::vector<std::int64_t>& x_strides,
                         const std::vector<std::int64_t>& y_strides) {
  const std::int64_t count = shape_numel(shape);
  if (count == 0) return;
  const BroadcastLayout layout = merge_dims(shape, {x_strides, y_strides});
  context.launch_1d("copy_strided", count, x, y, context.upload_ints(layout_params(layout)),
                    context.to_int(count, "element count"));
}

std::vector<std::int64_t> int_values(NodeContext& context, std::size_t input, const char* what) {
  return context.constant_input(input, what).to_i64_vector();
}

void compile_copy(NodeContext& context) {
  const TensorInfo& output = context.output_info();
  if (context.input_info(0).numel() != output.numel()) {
    context.unsupported("input and output sizes differ");
  }
  launch_strided_copy(context, context.input(0), context.output(), {output.numel()}, {1}, {1});
}

void compile_transpose(NodeContext& context) {
  const Shape& input = context.input_info(0).shape;
  const std::size_t rank = input.size();
  std::vector<std::int64_t> reversed(rank);
  for (std::size_t d = 0; d < rank; ++d) reversed[d] = static_cast<std::int64_t>(rank - 1 - d);
  const std::vector<std::int64_t> perm = context.attributes().get_ints("perm", reversed);
  const std::vector<std::int64_t> input_strides = strides_of(input);
  std::vector<std::int64_t> x_strides;
  for (std::int64_t axis : perm)
    x_strides.push_back(input_strides.at(static_cast<std::size_t>(axis)));
  const Shape& output = context.output_info().shape;
  launch_strided_copy(context, context.input(0), context.output(), output, x_strides,
                      strides_of(output));
}

// Slice: the first element each dimension reads and its step, clamped as ONNX says; the
// element counts are the output shape the core inferred.
void compile_slice(NodeContext& context) {
  const Shape& input = context.input_info(0).shape;
  const auto rank = static_cast<std::int64_t>(input.size());
  const std::vector<std::int64_t> starts = int_values(context, 1, "Slice's starts");
  std::vector<std::int64_t> axes(starts.size());
  for (std::size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<std::int64_t>(i);
  if (context.has_input(3)) axes = int_values(context, 3, "Slice's axes");
  std::vector<std::int64_t> steps(starts.size(), 1);
  if (context.has_input(4)) steps = int_values(context, 4, "Slice's steps");
  const std::vector<std::int64_t> input_strides = strides_of(input);
  std::vector<std::int64_t> x_strides = input_strides;
  std::int64_t base = 0;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto axis = static_cast<std::size_t>(normalize_axis(context.node(), axes[i], rank));
    const std::int64_t dim = input[axis];
    if (dim == 0) continue;
    std::int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    start = steps[i] > 0 ? std::clamp<std::int64_t>(start, 0, dim)
                         : std::clamp<std::int64_t>(start, 0, dim - 1);
    base += start * input_strides[axis];
    x_strides[axis] = steps[i] * input_strides[axis];
  }
  const Shape& output = context.output_info().shape;
  launch_strided_copy(context, shifted(context.input(0), context.to_int(base, "slice start")),
                      context.output(), output, x_strides, strides_of(output));
}

// Concat: each input is copied into its band of the output along the axis.
void compile_concat(NodeContext& context) {
  const Shape& output = context.output_info().shape;
  const auto axis =
      static_cast<std::size_t>(normalize_axis(context.node(), context.attributes().get_int("axis"),
                                              static_cast<std::int64_t>(output.size())));
  const std::vector<std::int64_t> output_strides = strides_of(output);
  std::int64_t position = 0;
  for (std::size_t i = 0; i < context.input_count(); ++i) {
    const Shape& input = context.input_info(i).shape;
    const BufferArg band =
        shifted(context.output(), context.to_int(position * output_strides[axis], "offset"));
    launch_strided_copy(context, context.input(i), band, input, strides_of(input), output_strides);
    position += input[axis];
  }
}

void compile_gather(NodeContext& context) {
  const Shape& data = context.input_info(0).shape;
  const auto axis = static_cast<std::size_t>(
      normalize_axis(context.node(), context.attributes().get_int("axis", 0),
                     static_cast<std::int64_t>(data.size())));
  if (!context.constant(1)) context.unsupported("Gather's indices must be a constant");
  std::int64_t inner = 1;
  for (std::size_t d = axis + 1; d < data.size(); ++d) inner *= data[d];
  const std::int64_t count = context.output_info().numel();
  if (count == 0) return;
  context.launch_1d("gather", count, context.input(0), context.input(1), context.output(),
                    context.to_int(count, "element count"), context.to_int(data[axis], "axis size"),
                    context.to_int(context.input_info(1).numel(), "index count"),
                    context.to_int(inner, "inner size"));
}

void compile_pad(NodeContext& context) {
  const std::string mode = context.attributes().get_string("mode", "constant");
  const cl_int mode_code = mode == "constant" ? 0 : mode == "reflect" ? 1 : mode == "edge" ? 2 : -1;
  if (mode_code < 0) context.unsupported("Pad mode '" + mode + "'");
  const Shape& input = context.input_info(0).shape;
  const Shape& output = context.output_info().shape;
  const std::vector<std::int64_t> pads = int_values(context, 1, "Pad's pads");
  float value = 0.0f;
  if (context.has_input(2)) {
    const Tensor& fill = context.constant_input(2, "Pad's constant_value");
    if (fill.numel() == 1) value = static_cast<float>(fill.value_f64(0));
  }
  std::vector<std::int64_t> params{static_cast<std::int64_t>(input.size())};
  params.insert(params.end(), output.begin(), output.end());
  params.insert(params.end(), input.begin(), input.end());
  params.insert(params.end(), pads.begin(),
                pads.begin() + static_cast<std::ptrdiff_t>(input.size()));
  const std::int64_t count = shape_numel(output);
  context.launch_1d("pad", count, context.input(0), context.output(), context.upload_ints(params),
                    context.to_int(count, "element count"), mode_code, value);
}

// The value comes from the op's own reference kernel, so every attribute form
// (value, value_float, value_floats) means what the core says it means.
void compile_constant(NodeContext& context) {
  const TensorInfo& output = context.output_info();
  std::vector<Tensor> values{Tensor(DType::F64, output.shape)};
  OpRegistry::instance().get(context.node()).reference(RefContext{context.node(), {}, values});
  const Tensor narrowed = values[0].cast(DType::F32);
  const auto data = narrowed.data<float>();
  const BufferArg uploaded = context.upload_floats(std::vector<float>(data.begin(), data.end()));
  launch_strided_copy(context, uploaded, context.output(), {output.numel()}, {1}, {1});
}

const OpTableRegistration constant_op({"Constant"}, {{"shape_ops.cl"}, compile_constant, {}});
const OpTableRegistration copy_ops({"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity",
                                    "Cast"},
                                   {{"shape_ops.cl"}, compile_copy, {}});
const OpTableRegistration transpose_op({"Transpose"}, {{"shape_ops.cl"}, compile_transpose, {}});
const OpTableRegistration slice_op({"Slice"}, {{"shape_ops.cl"}, compile_slice, {}});
const OpTableRegistration concat_op({"Concat"}, {{"shape_ops.cl"}, compile_concat, {}});
const OpTableRegistration gather_op({"Gather"}, {{"shape_ops.cl"}, compile_gather, {}});
const OpTableRegistration pad_op({"Pad"}, {{"shape_ops.cl"}, compile_pad, {}});

}  // namespace
}  // namespace tandem::opencl
