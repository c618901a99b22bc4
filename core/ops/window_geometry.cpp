#include "core/ops/window_geometry.h"

#include <algorithm>

namespace tandem {

Shape WindowGeometry::input_spatial() const {
  Shape shape;
  for (const WindowDim& dim : dims) shape.push_back(dim.input);
  return shape;
}

Shape WindowGeometry::output_spatial() const {
  Shape shape;
  for (const WindowDim& dim : dims) shape.push_back(dim.output);
  return shape;
}

Shape WindowGeometry::kernel_spatial() const {
  Shape shape;
  for (const WindowDim& dim : dims) shape.push_back(dim.kernel);
  return shape;
}

std::int64_t WindowGeometry::kernel_numel() const { return shape_numel(kernel_spatial()); }

bool WindowGeometry::is_unpadded_1x1() const {
  for (const WindowDim& dim : dims) {
    if (dim.kernel != 1 || dim.stride != 1 || dim.pad_begin != 0 || dim.output != dim.input)
      return false;
  }
  return true;
}

namespace {

// Python's //, which the ONNX spec's padding formulas assume for negative totals.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t quotient = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

AutoPad parse_auto_pad(const Node& node) {
  const std::string text = node.attributes.get_string("auto_pad", "NOTSET");
  if (text == "NOTSET") return AutoPad::NotSet;
  if (text == "SAME_UPPER") return AutoPad::SameUpper;
  if (text == "SAME_LOWER") return AutoPad::SameLower;
  if (text == "VALID") return AutoPad::Valid;
  fail(node.label() + ": auto_pad '" + text +
       "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
}

// Model files may declare any int64. No real conv or pool has an extent, kernel, stride,
// dilation or pad beyond 2^30, and below it the products and sums of the geometry stay far
// from int64 overflow (a pad of 2^62 used to overflow `input + pads`).
constexpr std::int64_t kMaxWindowValue = std::int64_t{1} << 30;

void check_window_value(const Node& node, const char* what, std::int64_t value, std::size_t d) {
  check(value >= -kMaxWindowValue && value <= kMaxWindowValue,
        node.label() + ": " + what + " " + std::to_string(value) + " in spatial dimension " +
            std::to_string(d) + " is beyond 2^30");
}

std::vector<std::int64_t> read_ints_at_least(const Node& node, const char* name,
                                             std::int64_t minimum) {
  std::vector<std::int64_t> values = node.attributes.get_ints(name, {});
  for (std::int64_t value : values) {
    check(value >= minimum && value <= kMaxWindowValue,
          node.label() + ": " + name + " must be from " + std::to_string(minimum) +
              " to 2^30, got " + shape_to_string(values));
  }
  return values;
}

void check_length(const Node& node, const char* name, const std::vector<std::int64_t>& values,
                  std::size_t expected) {
  check(values.empty() || values.size() == expected,
        node.label() + ": " + name + " " + shape_to_string(values) + " has " +
            std::to_string(values.size()) + " values, expected " + std::to_string(expected));
}

// The value for dimension `d`, or `fallback` where the attribute is absent (lengths are
// checked by check_spatial_lengths before any lookup).
std::int64_t at_or(const std::vector<std::int64_t>& values, std::size_t d, std::int64_t fallback) {
  return values.empty() ? fallback : values[d];
}

void check_spatial_lengths(const Node& node, const WindowAttributes& attributes,
                           std::size_t rank) {
  check_length(node, "kernel_shape", attributes.kernel_shape, rank);
  check_length(node, "strides", attributes.strides, rank);
  check_length(node, "dilations", attributes.dilations, rank);
  check_length(node, "pads", attributes.pads, 2 * rank);
}

WindowDim base_dim(const Node& node, const WindowAttributes& attributes,
                   const Shape& input_spatial, const Shape& kernel_spatial, std::size_t d) {
  check_window_value(node, "input extent", input_spatial[d], d);
  check_window_value(node, "kernel extent", kernel_spatial[d], d);
  WindowDim dim;
  dim.input = input_spatial[d];
  dim.kernel = kernel_spatial[d];
  dim.stride = at_or(attributes.strides, d, 1);
  dim.dilation = at_or(attributes.dilations, d, 1);
  return dim;
}

// Splits total padding the way SAME_UPPER (odd element at the end) or SAME_LOWER does.
void split_same_padding(WindowDim& dim, AutoPad auto_pad, std::int64_t total) {
  const std::int64_t small = floor_div(total, 2);
  dim.pad_begin = auto_pad == AutoPad::SameUpper ? small : total - small;
  dim.pad_end = total - dim.pad_begin;
}

void resolve_forward_dim(const Node& node, const WindowAttributes& attributes, WindowDim& dim,
                         std::size_t d, std::size_t rank) {
  if (attributes.auto_pad == AutoPad::SameUpper || attributes.auto_pad == AutoPad::SameLower) {
    dim.output = ceil_div(dim.input, dim.stride);
    const std::int64_t total = (dim.output - 1) * dim.stride + dim.effective_kernel() - dim.input;
    split_same_padding(dim, attributes.auto_pad, std::max<std::int64_t>(total, 0));
    return;
  }
  if (attributes.auto_pad == AutoPad::NotSet) {
    dim.pad_begin = at_or(attributes.pads, d, 0);
    dim.pad_end = at_or(attributes.pads, d + rank, 0);
  }
  const std::int64_t span = dim.input + dim.pad_begin + dim.pad_end - dim.effective_kernel();
  check(span >= 0, node.label() + ": the window (" + std::to_string(dim.effective_kernel()) +
                       " with dilation) is larger than the padded input (" +
                       std::to_string(dim.input + dim.pad_begin + dim.pad_end) +
                       ") in spatial dimension " + std::to_string(d));
  if (!attributes.ceil_mode) {
    dim.output = span / dim.stride + 1;
    return;
  }
  dim.output = ceil_div(span, dim.stride) + 1;
  if ((dim.output - 1) * dim.stride >= dim.input + dim.pad_begin) --dim.output;
}

}  // namespace

StridedRange strided_positions_inside(std::int64_t count, std::int64_t stride,
                                      std::int64_t offset, std::int64_t extent) {
  // p * stride + offset >= 0  <=>  p >= ceil(-offset / stride)
  // p * stride + offset < extent  <=>  p <= floor((extent - 1 - offset) / stride)
  StridedRange range;
  range.first = std::clamp<std::int64_t>(ceil_div(-offset, stride), 0, count);
  range.last = std::clamp<std::int64_t>(floor_div(extent - 1 - offset, stride) + 1, 0, count);
  range.last = std::max(range.first, range.last);
  return range;
}

WindowAttributes read_window_attributes(const Node& node) {
  WindowAttributes attributes;
  attributes.auto_pad = parse_auto_pad(node);
  attributes.kernel_shape = read_ints_at_least(node, "kernel_shape", 1);
  attributes.strides = read_ints_at_least(node, "strides", 1);
  attributes.dilations = read_ints_at_least(node, "dilations", 1);
  attributes.pads = read_ints_at_least(node, "pads", 0);
  const std::int64_t ceil_mode = node.attributes.get_int("ceil_mode", 0);
  check(ceil_mode == 0 || ceil_mode == 1,
        node.label() + ": ceil_mode must be 0 or 1, got " + std::to_string(ceil_mode));
  attributes.ceil_mode = ceil_mode == 1;
  check(attributes.pads.size() % 2 == 0,
        node.label() + ": pads " + shape_to_string(attributes.pads) +
            " must hold a begin and an end per spatial dimension");
  const bool any_pad = std::any_of(attributes.pads.begin(), attributes.pads.end(),
                                   [](std::int64_t pad) { return pad != 0; });
  if (any_pad && attributes.auto_pad != AutoPad::NotSet) {
    fail(node.label() + ": pads cannot be given together with auto_pad " +
         node.attributes.get_string("auto_pad"));
  }
  const std::size_t spatial = attributes.kernel_shape.size();
  if (spatial != 0) check_spatial_lengths(node, attributes, spatial);
  check(attributes.strides.empty() || attributes.dilations.empty() ||
            attributes.strides.size() == attributes.dilations.size(),
        node.label() + ": strides and dilations have different lengths");
  return attributes;
}

WindowGeometry resolve_window(const Node& node, const WindowAttributes& attributes,
                              const Shape& input_spatial, const Shape& kernel_spatial) {
  const std::size_t rank = input_spatial.size();
  check(kernel_spatial.size() == rank,
        node.label() + ": kernel " + shape_to_string(kernel_spatial) + " does not match the " +
            std::to_string(rank) + " spatial dimensions of the input");
  check_spatial_lengths(node, attributes, rank);
  WindowGeometry geometry;
  for (std::size_t d = 0; d < rank; ++d) {
    WindowDim dim = base_dim(node, attributes, input_spatial, kernel_spatial, d);
    resolve_forward_dim(node, attributes, dim, d, rank);
    check(dim.output >= 1, node.label() + ": output extent " + std::to_string(dim.output) +
                               " in spatial dimension " + std::to_string(d) + " is empty");
    geometry.dims.push_back(dim);
  }
  return geometry;
}

WindowGeometry resolve_transposed_window(const Node& node, const WindowAttributes& attributes,
                                         const Shape& input_spatial, const Shape& kernel_spatial,
                                         const std::vector<std::int64_t>& output_padding,
                                         const std::vector<std::int64_t>& output_shape) {
  const std::size_t rank = input_spatial.size();
  check(kernel_spatial.size() == rank,
        node.label() + ": kernel " + shape_to_string(kernel_spatial) + " does not match the " +
            std::to_string(rank) + " spatial dimensions of the input");
  check_spatial_lengths(node, attributes, rank);
  check_length(node, "output_padding", output_padding, rank);
  check(output_shape.empty() || output_shape.size() == rank || output_shape.size() == rank + 2,
        node.label() + ": output_shape " + shape_to_string(output_shape) + " must have " +
            std::to_string(rank) + " (spatial) or " + std::to_string(rank + 2) + " values");
  const std::size_t shape_offset = output_shape.size() == rank + 2 ? 2 : 0;
  WindowGeometry geometry;
  for (std::size_t d = 0; d < rank; ++d) {
    WindowDim dim = base_dim(node, attributes, input_spatial, kernel_spatial, d);
    check_window_value(node, "output_padding", at_or(output_padding, d, 0), d);
    if (!output_shape.empty()) check_window_value(node, "output_shape", output_shape[shape_offset + d], d);
    const std::int64_t full = dim.stride * (dim.input - 1) + at_or(output_padding, d, 0) +
                              dim.effective_kernel();
    const bool same = attributes.auto_pad == AutoPad::SameUpper ||
                      attributes.auto_pad == AutoPad::SameLower;
    if (!output_shape.empty() || same) {
      dim.output = output_shape.empty() ? dim.input * dim.stride : output_shape[shape_offset + d];
      split_same_padding(dim, attributes.auto_pad, full - dim.output);
    } else {
      if (attributes.auto_pad == AutoPad::NotSet) {
        dim.pad_begin = at_or(attributes.pads, d, 0);
        dim.pad_end = at_or(attributes.pads, d + rank, 0);
      }
      dim.output = full - dim.pad_begin - dim.pad_end;
    }
    check(dim.output >= 1, node.label() + ": output extent " + std::to_string(dim.output) +
                               " in spatial dimension " + std::to_string(d) + " is empty");
    geometry.dims.push_back(dim);
  }
  return geometry;
}

WindowGeometry resolve_pool_window(const Node& node, const Shape& input_shape) {
  check(input_shape.size() >= 3, node.label() + ": input " + shape_to_string(input_shape) +
                                     " must be [N, C, spatial...] with at least one spatial dim");
  const WindowAttributes attributes = read_window_attributes(node);
  check(!attributes.kernel_shape.empty(), node.label() + ": kernel_shape is required");
  const Shape input_spatial(input_shape.begin() + 2, input_shape.end());
  check_length(node, "kernel_shape", attributes.kernel_shape, input_spatial.size());
  return resolve_window(node, attributes, input_spatial, attributes.kernel_shape);
}

}  // namespace tandem
