// Conv and ConvTranspose: schemas, shape inference and float64 reference kernels.
#include <cmath>
#include <limits>
#include <optional>

#include "core/op_registry.h"
#include "core/ops/conv_geometry.h"
#include "core/ops/op_util.h"

namespace tandem {
namespace {

// The activation the fusion pass folded into this node, with ONNX's defaults where the pass
// left alpha/beta unset.
struct FusedActivation {
  std::string name;
  double alpha = 0.0;
  double beta = 0.0;
};

std::optional<FusedActivation> read_fused_activation(const Node& node) {
  if (!node.attributes.has(kFusedActivation)) return std::nullopt;
  FusedActivation activation;
  activation.name = node.attributes.get_string(kFusedActivation);
  double alpha = 0.0;
  double beta = 0.0;
  if (activation.name == "LeakyRelu") alpha = 0.01;
  if (activation.name == "HardSigmoid") alpha = 0.2, beta = 0.5;
  if (activation.name == "Clip") {
    alpha = -std::numeric_limits<double>::infinity();
    beta = std::numeric_limits<double>::infinity();
  }
  activation.alpha = node.attributes.get_float(kFusedAlpha, alpha);
  activation.beta = node.attributes.get_float(kFusedBeta, beta);
  return activation;
}

void validate_fused_activation(const Node& node) {
  static const char* const known[] = {"Relu",        "LeakyRelu", "Clip", "Sigmoid",
                                      "HardSigmoid", "HardSwish", "Tanh"};
  const Attributes& attributes = node.attributes;
  for (const char* name : {kFusedAlpha, kFusedBeta}) {
    check(!attributes.has(name) || std::holds_alternative<double>(attributes.all().at(name)),
          node.label() + ": attribute '" + name + "' must be a float");
  }
  if (!attributes.has(kFusedActivation)) return;
  check(std::holds_alternative<std::string>(attributes.all().at(kFusedActivation)),
        node.label() + ": attribute '" + std::string(kFusedActivation) + "' must be a string");
  const std::string name = attributes.get_string(kFusedActivation);
  for (const char* candidate : known) {
    if (name == candidate) return;
  }
  fail(node.label() + ": fused activation '" + name + "' is not supported");
}

void apply_fused_activation(const Node& node, Tensor& output) {
  const std::optional<FusedActivation> activation = read_fused_activation(node);
  if (!activation) return;
  for (double& value : output.data<double>()) {
    value = apply_activation(activation->name, activation->alpha, activation->beta, value);
  }
}

void validate_window_node(const Node& node) {
  read_window_attributes(node);
  const std::int64_t group = node.attributes.get_int("group", 1);
  check(group >= 1, node.label() + ": group must be >= 1, got " + std::to_string(group));
  validate_fused_activation(node);
}

void check_float_inputs(const InferContext& context, std::size_t count) {
  const DType dtype = context.input(0).dtype;
  if (!is_float(dtype)) {
    throw Unsupported(context.node.label() + ": " + dtype_name(dtype) +
                      " input is not supported (float types only)");
  }
  for (std::size_t i = 1; i < count; ++i) {
    if (!context.has_input(i)) continue;
    check(context.inputs[i].dtype == dtype,
          context.node.label() + ": input " + std::to_string(i) + " is " +
              dtype_name(context.inputs[i].dtype) + ", expected " + dtype_name(dtype));
  }
}

std::vector<TensorInfo> infer_window_op(const InferContext& context, bool transposed) {
  check_float_inputs(context, 3);
  const Shape& x = context.input(0).shape;
  const Shape& w = context.input(1).shape;
  const ConvGeometry geometry = transposed ? resolve_conv_transpose(context.node, x, w)
                                           : resolve_conv(context.node, x, w);
  if (context.has_input(2)) check_conv_bias(context.node, geometry, context.inputs[2].shape);
  return {TensorInfo{context.input(0).dtype, geometry.output_shape()}};
}

// Which dense positions each strided position touches, precomputed once per node run. A
// "row" is every spatial dimension but the last; the last one is the contiguous inner loop.
// For Conv the strided side is the output and the dense side the input; for ConvTranspose
// the other way round.
struct TapTable {
  std::int64_t kernel_rows = 1;
  std::int64_t kernel_columns = 1;
  std::int64_t strided_rows = 1;
  std::int64_t strided_columns = 1;
  std::int64_t column_stride = 1;
  // [kernel row][strided row]: element offset of the dense row in a dense plane, -1 if outside.
  std::vector<std::int64_t> dense_row;
  // [kernel column]: strided columns whose tap lands inside, and the dense column offset.
  std::vector<StridedRange> columns_inside;
  std::vector<std::int64_t> column_offset;
};

struct SideExtents {
  Shape strided;
  Shape dense;
};

// The dense row offset for one (kernel row, strided row) pair, or -1 in padding.
std::int64_t dense_row_offset(const WindowGeometry& window, const SideExtents& sides,
                              std::int64_t kernel_row, std::int64_t strided_row) {
  const std::size_t last = window.rank() - 1;
  std::int64_t offset = 0;
  std::int64_t dense_stride = sides.dense[last];
  for (std::size_t d = last; d-- > 0;) {
    const std::int64_t tap = kernel_row % window.dims[d].kernel;
    const std::int64_t position = strided_row % sides.strided[d];
    kernel_row /= window.dims[d].kernel;
    strided_row /= sides.strided[d];
    const std::int64_t dense = window.dims[d].dense_index(position, tap);
    if (dense < 0 || dense >= sides.dense[d]) return -1;
    offset += dense * dense_stride;
    dense_stride *= sides.dense[d];
  }
  return offset;
}

TapTable make_tap_table(const WindowGeometry& window, const SideExtents& sides) {
  const std::size_t last = window.rank() - 1;
  TapTable table;
  for (std::size_t d = 0; d < last; ++d) {
    table.kernel_rows *= window.dims[d].kernel;
    table.strided_rows *= sides.strided[d];
  }
  const WindowDim& column = window.dims[last];
  table.kernel_columns = column.kernel;
  table.strided_columns = sides.strided[last];
  table.column_stride = column.stride;
  table.dense_row.resize(static_cast<std::size_t>(table.kernel_rows * table.strided_rows));
  for (std::int64_t kr = 0; kr < table.kernel_rows; ++kr) {
    for (std::int64_t sr = 0; sr < table.strided_rows; ++sr) {
      table.dense_row[static_cast<std::size_t>(kr * table.strided_rows + sr)] =
          dense_row_offset(window, sides, kr, sr);
    }
  }
  for (std::int64_t kc = 0; kc < column.kernel; ++kc) {
    const std::int64_t offset = column.dense_index(0, kc);
    table.column_offset.push_back(offset);
    table.columns_inside.push_back(strided_positions_inside(
        table.strided_columns, column.stride, offset, sides.dense[last]));
  }
  return table;
}

void fill_bias(std::span<double> plane, const Tensor* bias, std::int64_t channel) {
  const double value = bias ? bias->data<double>()[static_cast<std::size_t>(channel)] : 0.0;
  std::fill(plane.begin(), plane.end(), value);
}

// out[o] += w * in[o * stride + offset] over one row: Conv's gather.
void gather_row(double* out, const double* in, double w, StridedRange range, std::int64_t stride,
                std::int64_t offset) {
  for (std::int64_t o = range.first; o < range.last; ++o) out[o] += w * in[o * stride + offset];
}

// out[i * stride + offset] += w * in[i] over one row: ConvTranspose's scatter.
void scatter_row(double* out, const double* in, double w, StridedRange range, std::int64_t stride,
                 std::int64_t offset) {
  for (std::int64_t i = range.first; i < range.last; ++i) out[i * stride + offset] += w * in[i];
}

// Calls row_op(strided row offset, dense row offset, weight, strided columns inside, dense
// column offset) for every kernel tap and every strided row whose tap lands inside.
template <typename RowOp>
void for_each_tap_row(const TapTable& table, const double* kernel, RowOp row_op) {
  for (std::int64_t kr = 0; kr < table.kernel_rows; ++kr) {
    const std::int64_t* dense_rows =
        &table.dense_row[static_cast<std::size_t>(kr * table.strided_rows)];
    for (std::int64_t kc = 0; kc < table.kernel_columns; ++kc) {
      const double w = kernel[kr * table.kernel_columns + kc];
      const StridedRange range = table.columns_inside[static_cast<std::size_t>(kc)];
      const std::int64_t offset = table.column_offset[static_cast<std::size_t>(kc)];
      for (std::int64_t sr = 0; sr < table.strided_rows; ++sr) {
        if (dense_rows[sr] >= 0) row_op(sr * table.strided_columns, dense_rows[sr], w, range, offset);
      }
    }
  }
}

// Both references: each output plane starts as its bias, then every input channel of its
// group adds its taps. Conv gathers each strided output row from a dense input row;
// ConvTranspose scatters each strided input row into a dense output row, its weight laid
// out [C, M / group, kernel...].
void window_reference(const RefContext& context, const ConvGeometry& geometry, bool transposed) {
  const Tensor& x = *context.inputs[0];
  const Tensor* bias = context.inputs.size() > 2 ? context.inputs[2] : nullptr;
  Tensor& y = context.outputs[0];
  const WindowGeometry& window = geometry.window;
  const Shape strided = transposed ? window.input_spatial() : window.output_spatial();
  const Shape dense = transposed ? window.output_spatial() : window.input_spatial();
  const TapTable table = make_tap_table(window, {strided, dense});
  const std::int64_t in_plane = shape_numel(window.input_spatial());
  const std::int64_t out_plane = shape_numel(window.output_spatial());
  const std::int64_t kernel_plane = window.kernel_numel();
  const std::int64_t cin = geometry.in_channels_per_group();
  const std::int64_t cout = geometry.out_channels_per_group();
  const double* x_data = x.data<double>().data();
  const double* w_data = context.inputs[1]->data<double>().data();
  double* y_data = y.data<double>().data();
  for (std::int64_t n = 0; n < geometry.batch; ++n) {
    for (std::int64_t oc = 0; oc < geometry.out_channels; ++oc) {
      double* out = y_data + (n * geometry.out_channels + oc) * out_plane;
      fill_bias({out, static_cast<std::size_t>(out_plane)}, bias, oc);
      for (std::int64_t icg = 0; icg < cin; ++icg) {
        const std::int64_t ic = oc / cout * cin + icg;
        const double* in = x_data + (n * geometry.in_channels + ic) * in_plane;
        const std::int64_t filter = transposed ? ic * cout + oc % cout : oc * cin + icg;
        const auto add_row = [&](std::int64_t strided_row, std::int64_t dense_row, double weight,
                                 StridedRange range, std::int64_t offset) {
          if (transposed) {
            scatter_row(out + dense_row, in + strided_row, weight, range, table.column_stride,
                        offset);
          } else {
            gather_row(out + strided_row, in + dense_row, weight, range, table.column_stride,
                       offset);
          }
        };
        for_each_tap_row(table, w_data + filter * kernel_plane, add_row);
      }
    }
  }
  apply_fused_activation(context.node, y);
}

void conv_reference(const RefContext& context) {
  window_reference(
      context, resolve_conv(context.node, context.inputs[0]->shape(), context.inputs[1]->shape()),
      false);
}

void conv_transpose_reference(const RefContext& context) {
  window_reference(
      context,
      resolve_conv_transpose(context.node, context.inputs[0]->shape(), context.inputs[1]->shape()),
      true);
}

std::vector<AttrSpec> window_attributes() {
  return {{"auto_pad", AttrKind::String}, {"dilations", AttrKind::Ints},
          {"group", AttrKind::Int},       {"kernel_shape", AttrKind::Ints},
          {"pads", AttrKind::Ints},       {"strides", AttrKind::Ints}};
}

OpSchema make_conv_schema() {
  OpSchema schema;
  schema.op_type = "Conv";
  schema.min_inputs = 2;
  schema.max_inputs = 3;
  schema.attributes = window_attributes();
  schema.validate = validate_window_node;
  schema.infer = [](const InferContext& context) { return infer_window_op(context, false); };
  schema.reference = conv_reference;
  return schema;
}

OpSchema make_conv_transpose_schema() {
  OpSchema schema;
  schema.op_type = "ConvTranspose";
  schema.min_inputs = 2;
  schema.max_inputs = 3;
  schema.attributes = window_attributes();
  schema.attributes.push_back({"output_padding", AttrKind::Ints});
  schema.attributes.push_back({"output_shape", AttrKind::Ints});
  schema.validate = validate_window_node;
  schema.infer = [](const InferContext& context) { return infer_window_op(context, true); };
  schema.reference = conv_transpose_reference;
  return schema;
}

}  // namespace

TANDEM_REGISTER_OP(make_conv_schema);
TANDEM_REGISTER_OP(make_conv_transpose_schema);

}  // namespace tandem
