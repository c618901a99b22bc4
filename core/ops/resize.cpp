// Resize (opset 13+ form: X, roi, scales, sizes) in modes nearest and linear. Both are
// separable, so the reference resizes one axis at a time: each output position along an
// axis reads at most two input positions, lo and hi, mixed as (1 - w) * lo + w * hi.
#include <cmath>
#include <string>

#include "core/op_registry.h"

namespace tandem {
namespace {

enum class ResizeMode { Nearest, Linear };
enum class CoordinateMode { HalfPixel, Asymmetric, AlignCorners, PytorchHalfPixel };
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct ResizeSettings {
  ResizeMode mode = ResizeMode::Nearest;
  CoordinateMode coordinates = CoordinateMode::HalfPixel;
  NearestMode nearest = NearestMode::RoundPreferFloor;
};

// Valid ONNX values we do not implement are Unsupported; anything else is an Error.
[[noreturn]] void bad_value(const Node& node, const char* attribute, const std::string& value,
                            bool is_valid_onnx) {
  const std::string message =
      node.label() + ": " + attribute + " '" + value + "' is " + (is_valid_onnx ? "not supported" : "unknown");
  if (is_valid_onnx) throw Unsupported(message);
  fail(message);
}

ResizeMode resize_mode(const Node& node) {
  const std::string mode = node.attributes.get_string("mode", "nearest");
  if (mode == "nearest") return ResizeMode::Nearest;
  if (mode == "linear") return ResizeMode::Linear;
  bad_value(node, "mode", mode, mode == "cubic");
}

CoordinateMode coordinate_mode(const Node& node) {
  const std::string mode = node.attributes.get_string("coordinate_transformation_mode", "half_pixel");
  if (mode == "half_pixel") return CoordinateMode::HalfPixel;
  if (mode == "asymmetric") return CoordinateMode::Asymmetric;
  if (mode == "align_corners") return CoordinateMode::AlignCorners;
  if (mode == "pytorch_half_pixel") return CoordinateMode::PytorchHalfPixel;
  bad_value(node, "coordinate_transformation_mode", mode,
            mode == "tf_crop_and_resize" || mode == "tf_half_pixel_for_nn" ||
                mode == "half_pixel_symmetric");
}

NearestMode nearest_mode(const Node& node) {
  const std::string mode = node.attributes.get_string("nearest_mode", "round_prefer_floor");
  if (mode == "round_prefer_floor") return NearestMode::RoundPreferFloor;
  if (mode == "round_prefer_ceil") return NearestMode::RoundPreferCeil;
  if (mode == "floor") return NearestMode::Floor;
  if (mode == "ceil") return NearestMode::Ceil;
  bad_value(node, "nearest_mode", mode, false);
}

ResizeSettings resize_settings(const Node& node) {
  if (node.attributes.get_int("antialias", 0) != 0) {
    throw Unsupported(node.label() + ": antialias is not supported");
  }
  const std::string policy = node.attributes.get_string("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch") {
    bad_value(node, "keep_aspect_ratio_policy", policy,
              policy == "not_larger" || policy == "not_smaller");
  }
  return {resize_mode(node), coordinate_mode(node), nearest_mode(node)};
}

// ---------------------------------------------------------------- output shape

struct ResizeTarget {
  Shape shape;
  // Per axis, as the coordinate transform uses them. The resized length is input * scale
  // before flooring, as in the ONNX reference (it matters to align_corners downsampling).
  std::vector<double> scales;
  std::vector<double> lengths;
};

bool is_given(const Tensor* tensor) { return tensor && tensor->numel() > 0; }

// From scales, each output dimension is floor(input * scale) and the coordinate transform
// uses the scale as given; from sizes, the scale is output / input (policy "stretch").
ResizeTarget resize_target(const Node& node, const Shape& input, const Tensor* scales,
                           const Tensor* sizes) {
  const auto rank = static_cast<std::int64_t>(input.size());
  check(is_given(scales) != is_given(sizes),
        node.label() + ": exactly one of scales and sizes must be given");
  const Tensor& given = is_given(scales) ? *scales : *sizes;
  const char* what = is_given(scales) ? "scales" : "sizes";
  check(given.numel() == rank, node.label() + ": " + what + " has " + std::to_string(given.numel()) +
                                   " values for input shape " + shape_to_string(input));
  ResizeTarget target{Shape(input.size()), std::vector<double>(input.size()),
                      std::vector<double>(input.size())};
  for (std::size_t d = 0; d < input.size(); ++d) {
    const auto i = static_cast<std::int64_t>(d);
    if (is_given(scales)) {
      target.scales[d] = scales->value_f64(i);
      check(target.scales[d] > 0, node.label() + ": scale " + std::to_string(target.scales[d]) +
                                      " on axis " + std::to_string(d) + " must be positive");
      target.lengths[d] = static_cast<double>(input[d]) * target.scales[d];
      // A scale from the model file may be 1e30 (or inf): no such length fits an int64.
      check(target.lengths[d] < 0x1p48, node.label() + ": scale " + std::to_string(target.scales[d]) +
                                            " on axis " + std::to_string(d) + " is too large");
      target.shape[d] = static_cast<std::int64_t>(std::floor(target.lengths[d]));
    } else {
      target.shape[d] = sizes->value_i64(i);
      check(target.shape[d] > 0 && input[d] > 0,
            node.label() + ": cannot resize " + shape_to_string(input) + " to sizes " +
                shape_to_string(sizes->to_i64_vector()));
      target.scales[d] = static_cast<double>(target.shape[d]) / static_cast<double>(input[d]);
      target.lengths[d] = static_cast<double>(target.shape[d]);
    }
  }
  return target;
}

const Tensor* optional_constant(const InferContext& ctx, std::size_t i) {
  return ctx.has_input(i) ? &ctx.constant(i) : nullptr;
}

const Tensor* optional_input(const RefContext& ctx, std::size_t i) {
  return i < ctx.inputs.size() ? ctx.inputs[i] : nullptr;
}

std::vector<TensorInfo> infer_resize(const InferContext& ctx) {
  const TensorInfo& x = ctx.input(0);
  if (!is_float(x.dtype)) {
    throw Unsupported(ctx.node.label() + ": " + dtype_name(x.dtype) + " inputs are not supported");
  }
  resize_settings(ctx.node);
  const ResizeTarget target =
      resize_target(ctx.node, x.shape, optional_constant(ctx, 2), optional_constant(ctx, 3));
  return {{x.dtype, target.shape}};
}

// ---------------------------------------------------------------- sampling along one axis

struct AxisSample {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  double weight = 0;   // of hi; 0 means lo alone (so an inf or NaN at hi cannot leak in)
};

// The input coordinate that output position x maps to (ONNX's x_original); `length` is
// the resized length (input * scale, not floored).
double source_coordinate(CoordinateMode mode, double x, double scale, std::int64_t in,
                         double length) {
  switch (mode) {
    case CoordinateMode::HalfPixel: return (x + 0.5) / scale - 0.5;
    case CoordinateMode::PytorchHalfPixel: return length > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    case CoordinateMode::Asymmetric: return x / scale;
    case CoordinateMode::AlignCorners:
      return length == 1 ? 0.0 : x * static_cast<double>(in - 1) / (length - 1);
  }
  return 0.0;
}

// ONNX rounds only exact halves by preference; other fractions go to the nearer neighbour.
double nearest_coordinate(NearestMode mode, double x) {
  const double below = std::floor(x);
  const double fraction = x - below;
  switch (mode) {
    case NearestMode::Floor: return below;
    case NearestMode::Ceil: return std::ceil(x);
    case NearestMode::RoundPreferFloor: return fraction <= 0.5 ? below : below + 1;
    case NearestMode::RoundPreferCeil: return fraction < 0.5 ? below : below + 1;
  }
  return below;
}

// Positions outside the input read its edge (the ONNX reference pads with 'edge').
std::int64_t clamp_position(double position, std::int64_t in) {
  if (position <= 0) return 0;
  if (position >= static_cast<double>(in - 1)) return in - 1;
  return static_cast<std::int64_t>(position);
}

std::vector<AxisSample> axis_samples(const ResizeSettings& settings, std::int64_t in,
                                     std::int64_t out, double scale, double length) {
  std::vector<AxisSample> samples(static_cast<std::size_t>(out));
  for (std::int64_t o = 0; o < out; ++o) {
    const double x = source_coordinate(settings.coordinates, static_cast<double>(o), scale, in, length);
    AxisSample& sample = samples[static_cast<std::size_t>(o)];
    if (settings.mode == ResizeMode::Nearest) {
      sample.lo = sample.hi = clamp_position(nearest_coordinate(settings.nearest, x), in);
      continue;
    }
    const double below = std::floor(x);
    sample.lo = clamp_position(below, in);
    sample.hi = clamp_position(below + 1, in);
    sample.weight = sample.lo == sample.hi ? 0.0 : x - below;
  }
  return samples;
}

// Resizes axis `axis` of `input` to `samples.size()` positions.
Tensor resize_axis(const Tensor& input, std::size_t axis, const std::vector<AxisSample>& samples) {
  Shape shape = input.shape();
  const std::int64_t in = shape[axis];
  shape[axis] = static_cast<std::int64_t>(samples.size());
  Tensor output(DType::F64, shape);
  std::int64_t outer = 1;
  std::int64_t inner = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (d < axis) outer *= shape[d];
    if (d > axis) inner *= shape[d];
  }
  const auto x = input.data<double>();
  auto y = output.data<double>();
  const auto out = static_cast<std::int64_t>(samples.size());
  for (std::int64_t b = 0; b < outer; ++b) {
    for (std::int64_t o = 0; o < out; ++o) {
      const AxisSample& s = samples[static_cast<std::size_t>(o)];
      const std::int64_t lo = (b * in + s.lo) * inner;
      const std::int64_t hi = (b * in + s.hi) * inner;
      const std::int64_t to = (b * out + o) * inner;
      for (std::int64_t k = 0; k < inner; ++k) {
        const double a = x[static_cast<std::size_t>(lo + k)];
        y[static_cast<std::size_t>(to + k)] =
            s.weight == 0 ? a : (1 - s.weight) * a + s.weight * x[static_cast<std::size_t>(hi + k)];
      }
    }
  }
  return output;
}

void reference_resize(const RefContext& ctx) {
  const ResizeSettings settings = resize_settings(ctx.node);
  Tensor current = *ctx.inputs[0];
  const ResizeTarget target =
      resize_target(ctx.node, current.shape(), optional_input(ctx, 2), optional_input(ctx, 3));
  for (std::size_t axis = 0; axis < target.shape.size(); ++axis) {
    const std::int64_t in = current.shape()[axis];
    if (in == target.shape[axis] && target.scales[axis] == 1.0) continue;   // identity
    current = resize_axis(current, axis, axis_samples(settings, in, target.shape[axis],
                                                      target.scales[axis], target.lengths[axis]));
  }
  check(current.shape() == ctx.outputs[0].shape(), ctx.node.label() + ": output shape mismatch");
  ctx.outputs[0] = std::move(current);
}

OpSchema make_resize_schema() {
  OpSchema schema;
  schema.op_type = "Resize";
  schema.min_inputs = 1;
  schema.max_inputs = 4;
  schema.attributes = {{"antialias", AttrKind::Int},
                       {"coordinate_transformation_mode", AttrKind::String},
                       {"cubic_coeff_a", AttrKind::Float},
                       {"exclude_outside", AttrKind::Int},   // no effect on nearest or linear
                       {"extrapolation_value", AttrKind::Float},   // tf_crop_and_resize only
                       {"keep_aspect_ratio_policy", AttrKind::String},
                       {"mode", AttrKind::String},
                       {"nearest_mode", AttrKind::String}};
  schema.validate = [](const Node& node) { resize_settings(node); };
  schema.infer = infer_resize;
  schema.reference = reference_resize;
  return schema;
}

TANDEM_REGISTER_OP(make_resize_schema);

}  // namespace
}  // namespace tandem
