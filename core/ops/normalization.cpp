// BatchNormalization (inference) and LayerNormalization: schemas, shape inference and
// float64 reference kernels.
#include <algorithm>
#include <cmath>

#include "core/op_registry.h"
#include "core/ops/broadcast.h"
#include "core/ops/op_util.h"

namespace tandem {
namespace {

void check_float_inputs(const InferContext& context) {
  for (std::size_t i = 0; i < context.inputs.size(); ++i) {
    if (!context.has_input(i)) continue;
    const DType dtype = context.inputs[i].dtype;
    if (!is_float(dtype)) {
      throw Unsupported(context.node.label() + ": input " + std::to_string(i) + " is " +
                        dtype_name(dtype) + " (float types only)");
    }
  }
}

void reject_extra_outputs(const Node& node, const std::string& which) {
  // Omitted optional outputs (ONNX's empty names) do not count.
  if (std::any_of(node.outputs.begin() + 1, node.outputs.end(),
                  [](ValueId id) { return id != kNoValue; })) {
    throw Unsupported(node.label() + ": only the first output is supported (not " + which + ")");
  }
}

// ---- BatchNormalization ------------------------------------------------------------------

void validate_batch_normalization(const Node& node) {
  const std::int64_t training_mode = node.attributes.get_int("training_mode", 0);
  check(training_mode == 0 || training_mode == 1,
        node.label() + ": training_mode must be 0 or 1, got " + std::to_string(training_mode));
  if (training_mode == 1) throw Unsupported(node.label() + ": training_mode=1 is not supported");
  reject_extra_outputs(node, "running_mean/running_var, which exist only in training mode");
  const double epsilon = node.attributes.get_float("epsilon", 1e-5);
  check(epsilon >= 0, node.label() + ": epsilon must not be negative");
}

std::vector<TensorInfo> infer_batch_normalization(const InferContext& context) {
  check_float_inputs(context);
  const Shape& x = context.input(0).shape;
  check(x.size() >= 2, context.node.label() + ": input " + shape_to_string(x) +
                           " must be [N, C, ...]");
  static const char* const names[] = {"", "scale", "B", "input_mean", "input_var"};
  for (std::size_t i = 1; i <= 4; ++i) {
    const Shape& parameter = context.input(i).shape;
    check(parameter == Shape{x[1]},
          context.node.label() + ": " + names[i] + " " + shape_to_string(parameter) + " must be [" +
              std::to_string(x[1]) + "] (one per channel)");
  }
  return {context.input(0)};
}

void batch_normalization_reference(const RefContext& context) {
  const Tensor& x = *context.inputs[0];
  const std::span<const double> scale = context.inputs[1]->data<double>();
  const std::span<const double> bias = context.inputs[2]->data<double>();
  const std::span<const double> mean = context.inputs[3]->data<double>();
  const std::span<const double> variance = context.inputs[4]->data<double>();
  const double epsilon = context.node.attributes.get_float("epsilon", 1e-5);
  const std::int64_t channels = x.shape()[1];
  const std::int64_t plane = shape_numel(Shape(x.shape().begin() + 2, x.shape().end()));
  const std::span<const double> in = x.data<double>();
  std::span<double> out = context.outputs[0].data<double>();
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const auto c = static_cast<std::size_t>((i / plane) % channels);
    const auto at = static_cast<std::size_t>(i);
    out[at] = (in[at] - mean[c]) / std::sqrt(variance[c] + epsilon) * scale[c] + bias[c];
  }
}

OpSchema make_batch_normalization_schema() {
  OpSchema schema;
  schema.op_type = "BatchNormalization";
  schema.min_inputs = 5;
  schema.max_inputs = 5;
  schema.max_outputs = 3;   // so a training-mode graph hears Unsupported, not a count error
  schema.attributes = {{"epsilon", AttrKind::Float},
                       {"momentum", AttrKind::Float},
                       {"training_mode", AttrKind::Int}};
  schema.validate = validate_batch_normalization;
  schema.infer = infer_batch_normalization;
  schema.reference = batch_normalization_reference;
  return schema;
}

// ---- LayerNormalization ------------------------------------------------------------------

void validate_layer_normalization(const Node& node) {
  reject_extra_outputs(node, "Mean/InvStdDev");
  const std::int64_t stash_type = node.attributes.get_int("stash_type", 1);
  // float, float16, double, bfloat16: the reference computes in double whichever is asked.
  check(stash_type == 1 || stash_type == 10 || stash_type == 11 || stash_type == 16,
        node.label() + ": stash_type " + std::to_string(stash_type) + " is not a float type");
  const double epsilon = node.attributes.get_float("epsilon", 1e-5);
  check(epsilon >= 0, node.label() + ": epsilon must not be negative");
}

std::vector<TensorInfo> infer_layer_normalization(const InferContext& context) {
  check_float_inputs(context);
  const Shape& x = context.input(0).shape;
  normalize_axis(context.node, context.node.attributes.get_int("axis", -1),
                 static_cast<std::int64_t>(x.size()));
  context.input(1);   // Scale is required, B optional
  static const char* const names[] = {"", "Scale", "B"};
  for (std::size_t i = 1; i <= 2; ++i) {
    if (!context.has_input(i)) continue;
    check(broadcasts_to(context.inputs[i].shape, x),
          context.node.label() + ": " + names[i] + " " + shape_to_string(context.inputs[i].shape) +
              " does not broadcast to the input " + shape_to_string(x));
  }
  return {context.input(0)};
}

void layer_normalization_reference(const RefContext& context) {
  const Tensor& x = *context.inputs[0];
  const Tensor& scale = *context.inputs[1];
  const Tensor* bias = context.inputs.size() > 2 ? context.inputs[2] : nullptr;
  const Node& node = context.node;
  const std::int64_t axis = normalize_axis(node, node.attributes.get_int("axis", -1),
                                           static_cast<std::int64_t>(x.shape().size()));
  const double epsilon = node.attributes.get_float("epsilon", 1e-5);
  const std::int64_t inner = shape_numel(Shape(x.shape().begin() + axis, x.shape().end()));
  const std::vector<std::int64_t> scale_at = broadcast_offsets(scale.shape(), x.shape());
  const std::vector<std::int64_t> bias_at =
      bias ? broadcast_offsets(bias->shape(), x.shape()) : std::vector<std::int64_t>{};
  const std::span<const double> scale_data = scale.data<double>();
  const std::span<const double> bias_data = bias ? bias->data<double>() : std::span<const double>{};
  const std::span<const double> in = x.data<double>();
  std::span<double> out = context.outputs[0].data<double>();
  for (std::int64_t row = 0; inner > 0 && row < x.numel() / inner; ++row) {
    const std::span<const double> values = in.subspan(static_cast<std::size_t>(row * inner),
                                                      static_cast<std::size_t>(inner));
    double mean = 0.0;
    for (double value : values) mean += value;
    mean /= static_cast<double>(inner);
    double variance = 0.0;
    for (double value : values) variance += (value - mean) * (value - mean);
    variance /= static_cast<double>(inner);
    const double inverse_deviation = 1.0 / std::sqrt(variance + epsilon);
    for (std::int64_t i = row * inner; i < (row + 1) * inner; ++i) {
      const auto at = static_cast<std::size_t>(i);
      double y = (in[at] - mean) * inverse_deviation * scale_data[static_cast<std::size_t>(scale_at[at])];
      if (bias) y += bias_data[static_cast<std::size_t>(bias_at[at])];
      out[at] = y;
    }
  }
}

OpSchema make_layer_normalization_schema() {
  OpSchema schema;
  schema.op_type = "LayerNormalization";
  schema.min_inputs = 2;
  schema.max_inputs = 3;
  schema.max_outputs = 3;   // Mean and InvStdDev are declared so they can be refused by name
  schema.attributes = {{"axis", AttrKind::Int},
                       {"epsilon", AttrKind::Float},
                       {"stash_type", AttrKind::Int}};
  schema.validate = validate_layer_normalization;
  schema.infer = infer_layer_normalization;
  schema.reference = layer_normalization_reference;
  return schema;
}

}  // namespace

TANDEM_REGISTER_OP(make_batch_normalization_schema);
TANDEM_REGISTER_OP(make_layer_normalization_schema);

}  // namespace tandem
