// Resize (nearest, linear) through shaders/resize.comp. Only the last two axes may change.
// Source positions and weights are computed here in double precision with the formulas of
// the reference (core/ops/resize.cpp), so rounding decisions (nearest_mode ties, clamping)
// are identical; the shader only gathers and mixes.
#include <cmath>

#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

struct ResizeSettings {
  bool linear = false;
  std::string coordinates;  // half_pixel, asymmetric, align_corners, pytorch_half_pixel
  std::string nearest;      // round_prefer_floor, round_prefer_ceil, floor, ceil
};

// ONNX's x_original for output position x; `length` is input * scale before flooring.
double source_coordinate(const std::string& mode, double x, double scale, std::int64_t in,
                         double length) {
  if (mode == "asymmetric") return x / scale;
  if (mode == "align_corners")
    return length == 1 ? 0.0 : x * static_cast<double>(in - 1) / (length - 1);
  if (mode == "pytorch_half_pixel") return length > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  return (x + 0.5) / scale - 0.5;  // half_pixel
}

// Only exact halves are rounded by preference; other fractions go to the nearer neighbour.
double nearest_coordinate(const std::string& mode, double x) {
  const double below = std::floor(x);
  const double fraction = x - below;
  if (mode == "floor") return below;
  if (mode == "ceil") return std::ceil(x);
  if (mode == "round_prefer_ceil") return fraction < 0.5 ? below : below + 1;
  return fraction <= 0.5 ? below : below + 1;  // round_prefer_floor
}

// Positions outside the input read its edge.
std::int64_t clamp_position(double position, std::int64_t in) {
  if (position <= 0) return 0;
  if (position >= static_cast<double>(in - 1)) return in - 1;
  return static_cast<std::int64_t>(position);
}

// Per output position: lo, hi and the weight of hi, as three words.
std::vector<std::uint32_t> axis_samples(const ResizeSettings& settings, std::int64_t in,
                                        std::int64_t out, double scale, double length) {
  std::vector<std::uint32_t> words;
  const bool identity = in == out && scale == 1.0;
  for (std::int64_t o = 0; o < out; ++o) {
    std::int64_t lo = o;
    std::int64_t hi = o;
    float weight = 0.0f;
    if (!identity) {
      const double x =
          source_coordinate(settings.coordinates, static_cast<double>(o), scale, in, length);
      if (!settings.linear) {
        lo = hi = clamp_position(nearest_coordinate(settings.nearest, x), in);
      } else {
        const double below = std::floor(x);
        lo = clamp_position(below, in);
        hi = clamp_position(below + 1, in);
        weight = lo == hi ? 0.0f : static_cast<float>(x - below);
      }
    }
    words.insert(words.end(), {static_cast<std::uint32_t>(lo), static_cast<std::uint32_t>(hi),
                               float_word(weight)});
  }
  return words;
}

void compile_resize(NodeContext& context) {
  const Attributes& attributes = context.attributes();
  const ResizeSettings settings{
      attributes.get_string("mode", "nearest") == "linear",
      attributes.get_string("coordinate_transformation_mode", "half_pixel"),
      attributes.get_string("nearest_mode", "round_prefer_floor")};
  const Shape& in = context.input(0).shape;
  const Shape& out = context.output().shape;
  const Tensor* scales = context.constant(2);
  const bool from_scales = scales != nullptr && scales->numel() > 0;
  if (!from_scales && context.constant(3) == nullptr)
    context.unsupported("sizes must be a constant");
  std::vector<double> scale(in.size());
  std::vector<double> length(in.size());
  for (std::size_t d = 0; d < in.size(); ++d) {
    scale[d] = from_scales ? scales->value_f64(static_cast<std::int64_t>(d))
                           : static_cast<double>(out[d]) / static_cast<double>(in[d]);
    length[d] = from_scales ? static_cast<double>(in[d]) * scale[d] : static_cast<double>(out[d]);
    if (d + 2 < in.size() && (in[d] != out[d] || scale[d] != 1.0)) {
      context.unsupported("resizing axis " + std::to_string(d) + " (only the last two axes)");
    }
  }
  const std::size_t rank = in.size();
  const bool has_rows = rank >= 2;
  const std::int64_t in_h = has_rows ? in[rank - 2] : 1;
  const std::int64_t out_h = has_rows ? out[rank - 2] : 1;
  std::vector<std::uint32_t> table =
      has_rows ? axis_samples(settings, in_h, out_h, scale[rank - 2], length[rank - 2])
               : axis_samples(settings, 1, 1, 1.0, 1.0);
  const auto columns_start = static_cast<std::uint32_t>(table.size());
  const std::vector<std::uint32_t> columns =
      axis_samples(settings, in[rank - 1], out[rank - 1], scale[rank - 1], length[rank - 1]);
  table.insert(table.end(), columns.begin(), columns.end());

  const Slot out_slot = context.output_slot();
  const Slot x = context.input_slot(0);
  const Slot samples = context.add_constant(table);
  const std::int64_t count = shape_numel(out);
  auto u32 = [&](std::int64_t value) { return checked_u32(context, value, "size"); };
  Dispatch dispatch;
  dispatch.bindings = {out_slot, x, samples};
  dispatch.invocations = static_cast<std::uint64_t>(count);
  dispatch.push = {u32(count),
                   out_slot.element_offset(),
                   x.element_offset(),
                   samples.element_offset(),
                   samples.element_offset() + columns_start,
                   u32(in_h),
                   u32(in[rank - 1]),
                   u32(out_h),
                   u32(out[rank - 1])};
  context.dispatch(std::move(dispatch));
}

const OpTableRegistration registration({"Resize"}, {"resize", compile_resize, {}});

}  // namespace
}  // namespace tandem::vulkan
