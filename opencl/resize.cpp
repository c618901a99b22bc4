// Resize in modes nearest and linear (kernels/resize.cl). Sampling positions follow the
// reference (core/ops/resize.cpp) exactly: they are computed here on the host, in double,
// and handed to the kernel as per-axis tables, so device and reference pick the same
// neighbours and the kernel only mixes them.
#include <cmath>

#include "core/ops/op_util.h"
#include "opencl/op_table.h"

namespace tandem::opencl {
namespace {

constexpr std::size_t kMaxRank = 8;  // RESIZE_MAX_RANK in kernels/resize.cl

struct AxisSample {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  double weight = 0;  // of hi
};

struct ResizeSettings {
  bool linear = false;
  std::string coordinates;
  std::string nearest;
};

ResizeSettings read_settings(NodeContext& context) {
  const Attributes& attributes = context.attributes();
  ResizeSettings settings;
  const std::string mode = attributes.get_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear") context.unsupported("Resize mode '" + mode + "'");
  settings.linear = mode == "linear";
  settings.coordinates = attributes.get_string("coordinate_transformation_mode", "half_pixel");
  if (settings.coordinates != "half_pixel" && settings.coordinates != "pytorch_half_pixel" &&
      settings.coordinates != "asymmetric" && settings.coordinates != "align_corners") {
    context.unsupported("coordinate_transformation_mode '" + settings.coordinates + "'");
  }
  settings.nearest = attributes.get_string("nearest_mode", "round_prefer_floor");
  if (attributes.get_int("antialias", 0) != 0) context.unsupported("antialias");
  return settings;
}

// `length` is the resized length: input * scale before flooring when scales are given,
// as in the ONNX reference (it matters to align_corners).
double source_coordinate(const std::string& mode, double x, double scale, std::int64_t in,
                         double length) {
  if (mode == "half_pixel") return (x + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel") return length > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (mode == "asymmetric") return x / scale;
  return length == 1 ? 0.0 : x * static_cast<double>(in - 1) / (length - 1);
}

// ONNX rounds only exact halves by preference; other fractions go to the nearer neighbour.
double nearest_coordinate(const std::string& mode, double x) {
  const double below = std::floor(x);
  const double fraction = x - below;
  if (mode == "floor") return below;
  if (mode == "ceil") return std::ceil(x);
  if (mode == "round_prefer_ceil") return fraction < 0.5 ? below : below + 1;
  return fraction <= 0.5 ? below : below + 1;
}

// Positions outside the input read its edge.
std::int64_t clamp_position(double position, std::int64_t in) {
  if (position <= 0) return 0;
  if (position >= static_cast<double>(in - 1)) return in - 1;
  return static_cast<std::int64_t>(position);
}

struct AxisScale {
  double scale = 1.0;
  double length = 1.0;
};

std::vector<AxisSample> axis_samples(const ResizeSettings& settings, std::int64_t in,
                                     std::int64_t out, AxisScale axis) {
  const double scale = axis.scale;
  std::vector<AxisSample> samples(static_cast<std::size_t>(out));
  for (std::int64_t o = 0; o < out; ++o) {
    AxisSample& sample = samples[static_cast<std::size_t>(o)];
    if (in == out && scale == 1.0) {  // the reference leaves such an axis alone
      sample.lo = sample.hi = o;
      continue;
    }
    const double x =
        source_coordinate(settings.coordinates, static_cast<double>(o), scale, in, axis.length);
    if (!settings.linear) {
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

// Per axis, the scale and length the coordinate transform uses: as given (length input *
// scale), or from sizes (scale output / input, length output).
std::vector<AxisScale> axis_scales(NodeContext& context, const Shape& in, const Shape& out) {
  std::vector<AxisScale> scales(in.size());
  const Tensor* given = context.has_input(2) ? context.constant(2) : nullptr;
  const bool from_scales = given && given->numel() > 0;
  if (context.has_input(2) && !given) context.unsupported("Resize's scales must be a constant");
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (from_scales) {
      scales[d].scale = given->value_f64(static_cast<std::int64_t>(d));
      scales[d].length = static_cast<double>(in[d]) * scales[d].scale;
    } else {
      scales[d].scale = static_cast<double>(out[d]) / static_cast<double>(in[d]);
      scales[d].length = static_cast<double>(out[d]);
    }
  }
  return scales;
}

void compile_resize(NodeContext& context) {
  const ResizeSettings settings = read_settings(context);
  const Shape& in = context.input_info(0).shape;
  const Shape& out = context.output_info().shape;
  if (in.size() > kMaxRank) context.unsupported("rank above 8");
  const std::int64_t count = shape_numel(out);
  if (count == 0) return;
  const std::vector<AxisScale> scales = axis_scales(context, in, out);
  std::vector<std::int64_t> lo;
  std::vector<std::int64_t> hi;
  std::vector<float> weights;
  std::int64_t mask = 0;
  for (std::size_t d = 0; d < in.size(); ++d) {
    for (const AxisSample& sample : axis_samples(settings, in[d], out[d], scales[d])) {
      lo.push_back(sample.lo);
      hi.push_back(sample.hi);
      weights.push_back(static_cast<float>(sample.weight));
      if (sample.weight != 0.0) mask |= std::int64_t{1} << d;
    }
  }
  std::vector<std::int64_t> params{static_cast<std::int64_t>(in.size())};
  params.insert(params.end(), out.begin(), out.end());
  const std::vector<std::int64_t> strides = strides_of(in);
  params.insert(params.end(), strides.begin(), strides.end());
  params.push_back(mask);
  params.push_back(static_cast<std::int64_t>(lo.size()));
  params.insert(params.end(), lo.begin(), lo.end());
  params.insert(params.end(), hi.begin(), hi.end());
  context.launch_1d("resize", count, context.input(0), context.output(),
                    context.upload_ints(params), context.upload_floats(weights),
                    context.to_int(count, "element count"));
}

const OpTableRegistration resize_op({"Resize"}, {{"resize.cl"}, compile_resize, {}});

}  // namespace
}  // namespace tandem::opencl
