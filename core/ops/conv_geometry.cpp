#include "core/ops/conv_geometry.h"

#include <algorithm>
#include <span>
#include <string>

namespace tandem {

Shape ConvGeometry::output_shape() const {
  Shape shape = {batch, out_channels};
  for (const WindowDim& dim : window.dims) shape.push_back(dim.output);
  return shape;
}

namespace {

void check_ranks(const Node& node, const Shape& x, const Shape& w) {
  check(x.size() >= 3, node.label() + ": input " + shape_to_string(x) +
                           " must be [N, C, spatial...] with at least one spatial dim");
  check(w.size() == x.size(), node.label() + ": weight " + shape_to_string(w) +
                                  " must have the rank of the input " + shape_to_string(x));
}

std::int64_t read_group(const Node& node) {
  const std::int64_t group = node.attributes.get_int("group", 1);
  check(group >= 1, node.label() + ": group must be >= 1, got " + std::to_string(group));
  return group;
}

void check_divides(const Node& node, std::int64_t group, std::int64_t channels,
                   const char* what) {
  check(channels % group == 0, node.label() + ": group " + std::to_string(group) +
                                   " does not divide the " + what + " (" +
                                   std::to_string(channels) + ")");
}

void check_kernel_shape(const Node& node, const WindowAttributes& attributes,
                        const Shape& kernel_spatial) {
  check(attributes.kernel_shape.empty() || attributes.kernel_shape == kernel_spatial,
        node.label() + ": kernel_shape " + shape_to_string(attributes.kernel_shape) +
            " does not match the weight's spatial shape " + shape_to_string(kernel_spatial));
}

}  // namespace

ConvGeometry resolve_conv(const Node& node, const Shape& x, const Shape& w) {
  check_ranks(node, x, w);
  ConvGeometry geometry;
  geometry.batch = x[0];
  geometry.in_channels = x[1];
  geometry.out_channels = w[0];
  geometry.group = read_group(node);
  check_divides(node, geometry.group, geometry.in_channels, "input channels");
  check_divides(node, geometry.group, geometry.out_channels, "output channels (weight dim 0)");
  check(w[1] == geometry.in_channels_per_group(),
        node.label() + ": weight " + shape_to_string(w) + " must have " +
            std::to_string(geometry.in_channels_per_group()) +
            " channels per group in dim 1 (input channels / group)");
  const WindowAttributes attributes = read_window_attributes(node);
  const Shape kernel_spatial(w.begin() + 2, w.end());
  check_kernel_shape(node, attributes, kernel_spatial);
  geometry.window =
      resolve_window(node, attributes, Shape(x.begin() + 2, x.end()), kernel_spatial);
  return geometry;
}

ConvGeometry resolve_conv_transpose(const Node& node, const Shape& x, const Shape& w) {
  check_ranks(node, x, w);
  ConvGeometry geometry;
  geometry.batch = x[0];
  geometry.in_channels = x[1];
  geometry.group = read_group(node);
  geometry.out_channels = w[1] * geometry.group;
  check_divides(node, geometry.group, geometry.in_channels, "input channels");
  check(w[0] == geometry.in_channels,
        node.label() + ": weight " + shape_to_string(w) + " must have the " +
            std::to_string(geometry.in_channels) + " input channels in dim 0");
  const WindowAttributes attributes = read_window_attributes(node);
  const Shape kernel_spatial(w.begin() + 2, w.end());
  check_kernel_shape(node, attributes, kernel_spatial);
  const std::vector<std::int64_t> output_padding =
      node.attributes.get_ints("output_padding", {});
  for (std::int64_t value : output_padding) {
    check(value >= 0, node.label() + ": output_padding " + shape_to_string(output_padding) +
                          " must not be negative");
  }
  const std::vector<std::int64_t> output_shape = node.attributes.get_ints("output_shape", {});
  geometry.window = resolve_transposed_window(node, attributes, Shape(x.begin() + 2, x.end()),
                                              kernel_spatial, output_padding, output_shape);
  return geometry;
}

void check_conv_bias(const Node& node, const ConvGeometry& geometry, const Shape& bias) {
  check(bias == Shape{geometry.out_channels},
        node.label() + ": bias " + shape_to_string(bias) + " must be [" +
            std::to_string(geometry.out_channels) + "] (one per output channel)");
}

std::vector<float> tap_major_weights(const Tensor& weights) {
  const Shape& shape = weights.shape();
  check(shape.size() >= 2, "tap_major_weights: weights of rank " + std::to_string(shape.size()));
  const std::int64_t m = shape[0];
  const std::int64_t channels = shape[1];
  const std::int64_t taps = m * channels == 0 ? 0 : weights.numel() / (m * channels);
  Tensor cast;
  const std::span<const float> source = weights.as_float32(cast).data<float>();
  std::vector<float> reordered(source.size());
  for (std::int64_t o = 0; o < m; ++o) {
    for (std::int64_t c = 0; c < channels; ++c) {
      for (std::int64_t t = 0; t < taps; ++t) {
        reordered[static_cast<std::size_t>((o * taps + t) * channels + c)] =
            source[static_cast<std::size_t>((o * channels + c) * taps + t)];
      }
    }
  }
  return reordered;
}

std::vector<float> k_major_weights(const Tensor& weights, bool tap_major, std::int64_t group) {
  check(weights.shape().size() >= 2 && group > 0 && weights.shape()[0] % group == 0,
        "k_major_weights: weights " + shape_to_string(weights.shape()) + " in groups of " +
            std::to_string(group));
  Tensor cast;
  const std::vector<float> reordered =
      tap_major ? tap_major_weights(weights) : std::vector<float>();
  const std::span<const float> rows =
      tap_major ? std::span<const float>(reordered) : weights.as_float32(cast).data<float>();
  const std::int64_t m = weights.shape()[0] / group;
  const std::int64_t k = m == 0 ? 0 : static_cast<std::int64_t>(rows.size()) / (m * group);
  std::vector<float> columns(rows.size());
  for (std::int64_t g = 0; g < group; ++g) {
    const std::int64_t first = g * m * k;
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < k; ++j) {
        columns[static_cast<std::size_t>(first + j * m + i)] =
            rows[static_cast<std::size_t>(first + i * k + j)];
      }
    }
  }
  return columns;
}

bool is_shallow_conv(const ConvGeometry& geometry, std::uint64_t local_bytes) {
  const std::int64_t k = geometry.inputs_per_output();
  const std::int64_t row = shallow_weight_row(k) + 1;  // and the bias
  const auto weight_bytes = static_cast<std::uint64_t>(geometry.out_channels * row * 4);
  return geometry.group == 1 && k <= kMaxShallowInputs && weight_bytes <= 16 * 1024 &&
         weight_bytes <= local_bytes / 2;
}

bool is_paired_pointwise(const ConvGeometry& geometry) {
  return geometry.window.is_unpadded_1x1() && geometry.in_channels % 4 == 0 &&
         shape_numel(geometry.window.output_spatial()) % 2 == 0;
}

// On the H100 (132 units), 1x1 32->64 at 112x112 read, in % of FP32 peak with groups of 256 /
// 128, OpenCL: batch 1 6.1-6.2 / 7.8, 4 22.7-22.8 / 21.9-22.0, 8 27.1-27.2 / 31.0-31.2, 12
// 29.5-29.6 / 30.1-30.3, 16 34.8 / 32.9, 32 37.1-37.2 / 37.3-37.4, 64 40.9-41.1 / 41.0-41.1
// (r185); Vulkan: batch 1 5.9 / 6.5, 8 28.0 / 31.2-31.3, 16 34.0 / 33.4-33.6, 32 36.4-36.5 /
// 36.5, 64 40.6 / 40.6-40.7 (r184). 128 won where it spread more evenly (batches 1, 8, 12);
// where both spread alike 256 won or tied. The window kernels lost with 256 (the stem at batch
// 16: 29.1-29.3% against 33.8-34.0%; r164).
std::int64_t pointwise_shallow_group(std::int64_t pairs, std::int64_t units) {
  const auto balance = [&](std::int64_t size) {
    const std::int64_t groups = (pairs + size - 1) / size;
    return wave_balance(groups, Wave{units, groups});
  };
  return balance(128) > balance(256) ? 128 : 256;
}

bool has_quad_columns(const WindowDim& w) {
  // The last item's middle float4 starts at column stride x (output - 4), inside the row.
  return w.kernel == 3 && (w.stride == 1 || w.stride == 2) && w.pad_begin == 1 && w.dilation == 1 &&
         w.input % 4 == 0 && w.output % 4 == 0 && w.stride * w.output <= w.input;
}

bool has_quad_rows(const WindowDim& w) { return w.stride == 2 && has_quad_columns(w); }

double wave_balance(std::int64_t blocks, const Wave& wave) {
  if (blocks < 1 || wave.units < 1 || blocks > wave.units * wave.per_unit) return 0.0;
  const std::int64_t most = (blocks + wave.units - 1) / wave.units;
  return static_cast<double>(blocks) / static_cast<double>(most * wave.units);
}

KSplit split_k(std::int64_t blocks, std::int64_t k, std::int64_t step, const Wave& wave,
               std::int64_t min_depth, std::int64_t max_splits) {
  KSplit best{1, k, wave_balance(blocks, wave)};
  if (blocks < 1 || k < 1) return best;
  for (std::int64_t wanted = 2; wanted <= max_splits; ++wanted) {
    // Whole K steps per part; rounding up may leave fewer parts than asked.
    const std::int64_t depth = ((k + wanted - 1) / wanted + step - 1) / step * step;
    if (depth < min_depth) break;
    const std::int64_t splits = (k + depth - 1) / depth;
    const double balance = wave_balance(blocks * splits, wave);
    if (balance > 0.0 && balance >= best.balance - 1e-9 && splits > best.splits) {
      best = {splits, depth, balance};
    }
  }
  return best;
}

}  // namespace tandem
