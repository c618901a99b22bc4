// Ops that move elements to new positions without arithmetic: Transpose, Concat, Slice,
// Gather and Pad. The reference kernels copy raw elements, so every dtype works (integers
// too: constant folding runs Shape -> Gather -> Concat chains through them).
#include <algorithm>
#include <cstring>

#include "core/op_registry.h"
#include "core/ops/broadcast.h"
#include "core/ops/op_util.h"

namespace tandem {
namespace {

// output[i] = input[offsets[i]], element by element whatever the dtype.
void copy_from_offsets(const Tensor& input, const std::vector<std::int64_t>& offsets,
                       Tensor& output) {
  check(input.dtype() == output.dtype() && static_cast<std::int64_t>(offsets.size()) == output.numel(),
        "copy_from_offsets: output does not match");
  const std::size_t size = dtype_size(input.dtype());
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    std::memcpy(output.raw() + i * size, input.raw() + static_cast<std::size_t>(offsets[i]) * size,
                size);
  }
}

std::int64_t product(const Shape& shape, std::size_t begin, std::size_t end) {
  std::int64_t result = 1;
  for (std::size_t d = begin; d < end; ++d) result *= shape[d];
  return result;
}

std::vector<std::int64_t> int_list(const Node& node, const Tensor& tensor, const char* what) {
  check(tensor.dtype() == DType::I64 || tensor.dtype() == DType::I32,
        node.label() + ": " + what + " must be int64, got " + dtype_name(tensor.dtype()));
  check(tensor.shape().size() <= 1, node.label() + ": " + what + " must be 1-D, got shape " +
                                        shape_to_string(tensor.shape()));
  return tensor.to_i64_vector();
}

// ---------------------------------------------------------------- Transpose

std::vector<std::int64_t> transpose_perm(const Node& node, std::size_t rank) {
  std::vector<std::int64_t> reversed(rank);
  for (std::size_t d = 0; d < rank; ++d) reversed[d] = static_cast<std::int64_t>(rank - 1 - d);
  const std::vector<std::int64_t> perm = node.attributes.get_ints("perm", reversed);
  check(perm.size() == rank, node.label() + ": perm has " + std::to_string(perm.size()) +
                                 " entries for rank " + std::to_string(rank));
  std::vector<bool> seen(rank, false);
  for (std::int64_t axis : perm) {
    check(axis >= 0 && axis < static_cast<std::int64_t>(rank) && !seen[static_cast<std::size_t>(axis)],
          node.label() + ": perm is not a permutation of 0.." + std::to_string(rank - 1));
    seen[static_cast<std::size_t>(axis)] = true;
  }
  return perm;
}

OpSchema make_transpose_schema() {
  OpSchema schema;
  schema.op_type = "Transpose";
  schema.attributes = {{"perm", AttrKind::Ints}};
  schema.infer = [](const InferContext& ctx) {
    const TensorInfo& data = ctx.input(0);
    Shape shape;
    for (std::int64_t axis : transpose_perm(ctx.node, data.shape.size())) {
      shape.push_back(data.shape[static_cast<std::size_t>(axis)]);
    }
    return std::vector<TensorInfo>{{data.dtype, shape}};
  };
  schema.reference = [](const RefContext& ctx) {
    const Tensor& input = *ctx.inputs[0];
    const std::vector<std::int64_t> input_strides = strides_of(input.shape());
    // Output dimension k walks input dimension perm[k].
    std::vector<std::int64_t> strides;
    for (std::int64_t axis : transpose_perm(ctx.node, input.shape().size())) {
      strides.push_back(input_strides[static_cast<std::size_t>(axis)]);
    }
    copy_from_offsets(input, strided_offsets(ctx.outputs[0].shape(), strides), ctx.outputs[0]);
  };
  return schema;
}

// ---------------------------------------------------------------- Concat

std::vector<TensorInfo> infer_concat(const InferContext& ctx) {
  const TensorInfo& first = ctx.input(0);
  const auto rank = static_cast<std::int64_t>(first.shape.size());
  const auto axis = static_cast<std::size_t>(
      normalize_axis(ctx.node, ctx.node.attributes.get_int("axis"), rank));
  TensorInfo output = first;
  output.shape[axis] = 0;
  for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
    const TensorInfo& input = ctx.input(i);
    const std::string where = ctx.node.label() + ": input " + std::to_string(i) + " ";
    check(input.dtype == first.dtype, where + "is " + dtype_name(input.dtype) + ", input 0 is " +
                                          dtype_name(first.dtype));
    bool fits = input.shape.size() == first.shape.size();
    for (std::size_t d = 0; fits && d < input.shape.size(); ++d) {
      fits = d == axis || input.shape[d] == first.shape[d];
    }
    check(fits, where + "has shape " + shape_to_string(input.shape) + ", input 0 has " +
                    shape_to_string(first.shape) + " (concatenating on axis " +
                    std::to_string(axis) + ")");
    output.shape[axis] += input.shape[axis];
  }
  return {output};
}

OpSchema make_concat_schema() {
  OpSchema schema;
  schema.op_type = "Concat";
  schema.min_inputs = 1;
  schema.max_inputs = 1 << 20;
  schema.attributes = {{"axis", AttrKind::Int, true}};
  schema.infer = infer_concat;
  schema.reference = [](const RefContext& ctx) {
    Tensor& output = ctx.outputs[0];
    const auto axis = static_cast<std::size_t>(normalize_axis(
        ctx.node, ctx.node.attributes.get_int("axis"), static_cast<std::int64_t>(output.shape().size())));
    const std::int64_t outer = product(output.shape(), 0, axis);
    const std::size_t inner_bytes =
        static_cast<std::size_t>(product(output.shape(), axis + 1, output.shape().size())) *
        dtype_size(output.dtype());
    const std::size_t output_row = static_cast<std::size_t>(output.shape()[axis]) * inner_bytes;
    std::size_t position = 0;   // bytes into each output row where this input starts
    for (const Tensor* input : ctx.inputs) {
      const std::size_t row = static_cast<std::size_t>(input->shape()[axis]) * inner_bytes;
      for (std::int64_t o = 0; o < outer && row > 0; ++o) {
        const auto index = static_cast<std::size_t>(o);
        std::memcpy(output.raw() + index * output_row + position, input->raw() + index * row, row);
      }
      position += row;
    }
  };
  return schema;
}

// ---------------------------------------------------------------- Slice

// Where a slice starts in each input dimension, its step, and how many elements it takes.
struct SliceWindow {
  std::vector<std::int64_t> start;
  std::vector<std::int64_t> step;
  Shape shape;
};

// One axis of ONNX Slice: negative bounds count from the end, then are clamped to the
// dimension ([0, dim] going forward, [-1, dim - 1] going backward, -1 meaning "past the
// front"), so out-of-range bounds such as INT64_MAX just mean "to the end".
void slice_axis(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step,
                std::int64_t& first, std::int64_t& count) {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  first = 0;
  count = 0;
  if (dim == 0) return;
  if (step > 0) {
    first = std::clamp<std::int64_t>(start, 0, dim);
    end = std::clamp<std::int64_t>(end, 0, dim);
    count = end > first ? (end - first - 1) / step + 1 : 0;
  } else {
    first = std::clamp<std::int64_t>(start, 0, dim - 1);
    end = std::clamp<std::int64_t>(end, -1, dim - 1);
    // (end - first + 1) / step is (first - end - 1) / |step| without negating step.
    count = first > end ? (end - first + 1) / step + 1 : 0;
  }
}

// params: starts, ends, axes, steps (the last two may be null).
SliceWindow slice_window(const Node& node, const Shape& input,
                         const std::vector<const Tensor*>& params) {
  const std::vector<std::int64_t> starts = int_list(node, *params[0], "starts");
  const std::vector<std::int64_t> ends = int_list(node, *params[1], "ends");
  const auto rank = static_cast<std::int64_t>(input.size());
  std::vector<std::int64_t> axes(starts.size());
  for (std::size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<std::int64_t>(i);
  if (params[2]) axes = int_list(node, *params[2], "axes");
  std::vector<std::int64_t> steps(starts.size(), 1);
  if (params[3]) steps = int_list(node, *params[3], "steps");
  check(ends.size() == starts.size() && axes.size() == starts.size() &&
            steps.size() == starts.size(),
        node.label() + ": starts, ends, axes and steps must have the same length");
  SliceWindow window{std::vector<std::int64_t>(input.size(), 0),
                     std::vector<std::int64_t>(input.size(), 1), input};
  std::vector<bool> seen(input.size(), false);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto axis = static_cast<std::size_t>(normalize_axis(node, axes[i], rank));
    check(!seen[axis], node.label() + ": axis " + std::to_string(axes[i]) + " is repeated");
    check(steps[i] != 0, node.label() + ": step 0 on axis " + std::to_string(axes[i]));
    seen[axis] = true;
    window.step[axis] = steps[i];
    slice_axis(input[axis], starts[i], ends[i], steps[i], window.start[axis], window.shape[axis]);
  }
  return window;
}

std::vector<const Tensor*> slice_params_of(const InferContext& ctx) {
  std::vector<const Tensor*> params;
  for (std::size_t i = 1; i <= 4; ++i) params.push_back(ctx.has_input(i) ? &ctx.constant(i) : nullptr);
  return params;
}

OpSchema make_slice_schema() {
  OpSchema schema;
  schema.op_type = "Slice";
  schema.min_inputs = 3;
  schema.max_inputs = 5;
  schema.infer = [](const InferContext& ctx) {
    const TensorInfo& data = ctx.input(0);
    return std::vector<TensorInfo>{
        {data.dtype, slice_window(ctx.node, data.shape, slice_params_of(ctx)).shape}};
  };
  schema.reference = [](const RefContext& ctx) {
    const Tensor& input = *ctx.inputs[0];
    std::vector<const Tensor*> params(ctx.inputs.begin() + 1, ctx.inputs.end());
    params.resize(4, nullptr);
    const SliceWindow window = slice_window(ctx.node, input.shape(), params);
    const std::vector<std::int64_t> input_strides = strides_of(input.shape());
    std::int64_t base = 0;
    std::vector<std::int64_t> strides(input_strides.size());
    for (std::size_t d = 0; d < strides.size(); ++d) {
      base += window.start[d] * input_strides[d];
      // A window of one element never steps (and a step like INT64_MIN would overflow).
      strides[d] = window.shape[d] > 1 ? window.step[d] * input_strides[d] : 0;
    }
    copy_from_offsets(input, strided_offsets(window.shape, strides, base), ctx.outputs[0]);
  };
  return schema;
}

// ---------------------------------------------------------------- Gather

std::int64_t gather_index(const Node& node, std::int64_t index, std::int64_t dim) {
  check(index >= -dim && index < dim, node.label() + ": index " + std::to_string(index) +
                                           " is out of range for a dimension of " +
                                           std::to_string(dim));
  return index < 0 ? index + dim : index;
}

std::vector<TensorInfo> infer_gather(const InferContext& ctx) {
  const TensorInfo& data = ctx.input(0);
  const TensorInfo& indices = ctx.input(1);
  check(indices.dtype == DType::I64 || indices.dtype == DType::I32,
        ctx.node.label() + ": indices must be int64 or int32, got " + dtype_name(indices.dtype));
  const auto axis = static_cast<std::size_t>(normalize_axis(
      ctx.node, ctx.node.attributes.get_int("axis", 0), static_cast<std::int64_t>(data.shape.size())));
  // Known indices are checked now, so a bad model fails at load rather than at run.
  if (ctx.constants[1]) {
    for (std::int64_t index : ctx.constants[1]->to_i64_vector()) {
      gather_index(ctx.node, index, data.shape[axis]);
    }
  }
  Shape shape(data.shape.begin(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis));
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1, data.shape.end());
  return {{data.dtype, shape}};
}

void reference_gather(const RefContext& ctx) {
  const Tensor& data = *ctx.inputs[0];
  const std::vector<std::int64_t> indices = ctx.inputs[1]->to_i64_vector();
  Tensor& output = ctx.outputs[0];
  const Shape& shape = data.shape();
  const auto axis = static_cast<std::size_t>(normalize_axis(
      ctx.node, ctx.node.attributes.get_int("axis", 0), static_cast<std::int64_t>(shape.size())));
  const std::int64_t outer = product(shape, 0, axis);
  const std::size_t block =
      static_cast<std::size_t>(product(shape, axis + 1, shape.size())) * dtype_size(data.dtype());
  const std::size_t count = indices.size();
  for (std::size_t o = 0; o < static_cast<std::size_t>(outer); ++o) {
    for (std::size_t j = 0; j < count; ++j) {
      const auto source = static_cast<std::size_t>(gather_index(ctx.node, indices[j], shape[axis]));
      std::memcpy(output.raw() + (o * count + j) * block,
                  data.raw() + (o * static_cast<std::size_t>(shape[axis]) + source) * block, block);
    }
  }
}

OpSchema make_gather_schema() {
  OpSchema schema;
  schema.op_type = "Gather";
  schema.min_inputs = 2;
  schema.max_inputs = 2;
  schema.attributes = {{"axis", AttrKind::Int}};
  schema.infer = infer_gather;
  schema.reference = reference_gather;
  return schema;
}

// ---------------------------------------------------------------- Pad

enum class PadMode { Constant, Reflect, Edge };

PadMode pad_mode(const Node& node) {
  const std::string mode = node.attributes.get_string("mode", "constant");
  if (mode == "constant") return PadMode::Constant;
  if (mode == "reflect") return PadMode::Reflect;
  if (mode == "edge") return PadMode::Edge;
  if (mode == "wrap") throw Unsupported(node.label() + ": mode 'wrap' is not supported");
  fail(node.label() + ": unknown mode '" + mode + "'");
}

// Input position read by padded position `i` (already shifted by the leading pad), or -1
// for the constant. Reflect mirrors about the edge elements without repeating them, as
// numpy's 'reflect' does, and keeps mirroring for pads longer than the dimension.
std::int64_t pad_source(std::int64_t i, std::int64_t dim, PadMode mode) {
  if (i >= 0 && i < dim) return i;
  if (mode == PadMode::Constant) return -1;
  if (mode == PadMode::Edge || dim == 1) return i < 0 ? 0 : dim - 1;
  const std::int64_t period = 2 * (dim - 1);
  const std::int64_t m = ((i % period) + period) % period;
  return m < dim ? m : period - m;
}

std::vector<std::int64_t> pads_of(const Node& node, const Tensor& pads, std::size_t rank) {
  std::vector<std::int64_t> values = int_list(node, pads, "pads");
  check(values.size() == 2 * rank, node.label() + ": pads has " + std::to_string(values.size()) +
                                       " values, rank " + std::to_string(rank) + " needs " +
                                       std::to_string(2 * rank));
  return values;
}

std::vector<TensorInfo> infer_pad(const InferContext& ctx) {
  const TensorInfo& data = ctx.input(0);
  const std::size_t rank = data.shape.size();
  const std::vector<std::int64_t> pads = pads_of(ctx.node, ctx.constant(1), rank);
  const PadMode mode = pad_mode(ctx.node);
  TensorInfo output = data;
  for (std::size_t d = 0; d < rank; ++d) {
    // Pads come from the model file: a sum that overflowed would wrap to any size.
    const bool overflow = __builtin_add_overflow(data.shape[d], pads[d], &output.shape[d]) ||
                          __builtin_add_overflow(output.shape[d], pads[d + rank], &output.shape[d]);
    check(!overflow, ctx.node.label() + ": pads " + shape_to_string(pads) + " overflow shape " +
                         shape_to_string(data.shape));
    check(output.shape[d] >= 0, ctx.node.label() + ": pads " + shape_to_string(pads) +
                                    " crop more than shape " + shape_to_string(data.shape));
    check(mode == PadMode::Constant || data.shape[d] > 0 || output.shape[d] == 0,
          ctx.node.label() + ": cannot pad an empty dimension in reflect or edge mode");
  }
  if (ctx.has_input(2)) {
    check(ctx.input(2).dtype == data.dtype && ctx.input(2).numel() <= 1,
          ctx.node.label() + ": constant_value must be a scalar of the data's dtype");
  }
  return {output};
}

void reference_pad(const RefContext& ctx) {
  const Tensor& input = *ctx.inputs[0];
  Tensor& output = ctx.outputs[0];
  const Shape& in_shape = input.shape();
  const std::size_t rank = in_shape.size();
  const std::vector<std::int64_t> pads = pads_of(ctx.node, *ctx.inputs[1], rank);
  const PadMode mode = pad_mode(ctx.node);
  // Per dimension, the input position each output position reads (-1: the constant).
  std::vector<std::vector<std::int64_t>> source(rank);
  for (std::size_t d = 0; d < rank; ++d) {
    for (std::int64_t o = 0; o < output.shape()[d]; ++o) {
      source[d].push_back(pad_source(o - pads[d], in_shape[d], mode));
    }
  }
  const std::size_t size = dtype_size(input.dtype());
  std::vector<std::uint8_t> fill(size, 0);
  const Tensor* value = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  if (value && value->numel() == 1) std::memcpy(fill.data(), value->raw(), size);
  const std::vector<std::int64_t> strides = strides_of(in_shape);
  std::vector<std::int64_t> index(rank, 0);
  for (std::int64_t i = 0; i < output.numel(); ++i) {
    std::int64_t offset = 0;
    for (std::size_t d = 0; d < rank && offset >= 0; ++d) {
      const std::int64_t s = source[d][static_cast<std::size_t>(index[d])];
      offset = s < 0 ? -1 : offset + s * strides[d];
    }
    const std::uint8_t* from = offset < 0 ? fill.data() : input.raw() + offset * static_cast<std::int64_t>(size);
    std::memcpy(output.raw() + static_cast<std::size_t>(i) * size, from, size);
    for (std::size_t d = rank; d-- > 0;) {
      if (++index[d] < output.shape()[d]) break;
      index[d] = 0;
    }
  }
}

OpSchema make_pad_schema() {
  OpSchema schema;
  schema.op_type = "Pad";
  schema.min_inputs = 2;
  schema.max_inputs = 4;
  schema.attributes = {{"mode", AttrKind::String}};
  schema.validate = [](const Node& node) {
    pad_mode(node);
    if (node.inputs.size() > 3 && node.inputs[3] != kNoValue) {
      throw Unsupported(node.label() + ": the axes input is not supported");
    }
  };
  schema.infer = infer_pad;
  schema.reference = reference_pad;
  return schema;
}

TANDEM_REGISTER_OP(make_transpose_schema);
TANDEM_REGISTER_OP(make_concat_schema);
TANDEM_REGISTER_OP(make_slice_schema);
TANDEM_REGISTER_OP(make_gather_schema);
TANDEM_REGISTER_OP(make_pad_schema);

}  // namespace
}  // namespace tandem
