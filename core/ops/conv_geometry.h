#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "core/ops/window_geometry.h"
#include "core/tensor.h"

namespace tandem {

// Conv and ConvTranspose resolved against their input and weight shapes, with every ONNX
// check on channels and groups done once, for the reference kernel and the backends alike.
struct ConvGeometry {
  std::int64_t batch = 0;
  std::int64_t in_channels = 0;    // C, the input's channel count
  std::int64_t out_channels = 0;   // M, the output's channel count
  std::int64_t group = 1;
  WindowGeometry window;

  std::int64_t in_channels_per_group() const { return in_channels / group; }
  std::int64_t out_channels_per_group() const { return out_channels / group; }
  // K of the product: C / group x taps.
  std::int64_t inputs_per_output() const { return in_channels_per_group() * window.kernel_numel(); }
  Shape output_shape() const;   // [N, M, spatial...]
};

// Conv: x [N, C, spatial...], w [M, C / group, kernel...]. Checks ranks, that group divides
// C and M, that w matches C / group and kernel_shape (where given) matches w.
ConvGeometry resolve_conv(const Node& node, const Shape& x, const Shape& w);

// ConvTranspose: x [N, C, spatial...], w [C, M / group, kernel...]; M = w[1] * group.
ConvGeometry resolve_conv_transpose(const Node& node, const Shape& x, const Shape& w);

// Conv weights [M, C/group, kernel...] as float32 in the order [M, kernel..., C/group]: the
// tap-major layout of the GPU backends' implicit GEMMs, where one K step of C/group values
// stays within one kernel tap.
std::vector<float> tap_major_weights(const Tensor& weights);

// Conv weights as float32 [group][K][M/group]: each group's implicit-GEMM A transposed, K in
// tap-major order (as tap_major_weights) when `tap_major`, else in the weights' own
// (C/group, kernel...). Read so, A comes to the GPU kernels as vectors along M, which they
// stage into local memory whole, where rows along K go in one value at a time.
std::vector<float> k_major_weights(const Tensor& weights, bool tap_major, std::int64_t group = 1);

// One wave of blocks on a GPU: `units` multiprocessors, each running `per_unit` blocks at once.
struct Wave {
  std::int64_t units = 1;
  std::int64_t per_unit = 1;
};

// The multiprocessors of an H100, where the split-K counts were measured. Vulkan assumes them
// where no vendor extension counts a device's, and forced tilings (tests) split as on an H100
// on any device.
constexpr std::int64_t kH100Multiprocessors = 132;
// A device's multiprocessors where it reports them (`units` > 0), else an H100's.
constexpr std::int64_t units_or_h100(std::int64_t units) {
  return units > 0 ? units : kH100Multiprocessors;
}
// A block count that the backends measured on an H100 as enough (or too few) for its wave,
// for a device of `units` multiprocessors (an H100's where `units` is 0): as many blocks a
// multiprocessor, rounded up. The same count on an H100; on smaller GPUs their thresholds
// follow the wave that split_k already spreads blocks over.
constexpr std::int64_t h100_blocks_for(std::int64_t h100_blocks, std::int64_t units) {
  return (h100_blocks * units_or_h100(units) + kH100Multiprocessors - 1) / kH100Multiprocessors;
}

// How evenly `blocks` spread over one wave: the mean number of blocks a unit runs over the
// most any unit runs (1 when all run as many, under 1 when some idle while others finish);
// 0 when they need more than one wave.
double wave_balance(std::int64_t blocks, const Wave& wave);

// Split-K for the GPU backends' implicit GEMMs: K cut into `splits` parts, each `depth`
// deep (a whole number of K steps; the last part may be shorter). A layer with `blocks`
// blocks takes the count, at most `max_splits` and no part shallower than `min_depth`,
// whose blocks spread most evenly over one wave; of counts as even, the most, since more
// blocks per unit hide more latency. splits == 1 when no split spreads them better.
struct KSplit {
  std::int64_t splits = 1;
  std::int64_t depth = 0;
  double balance = 0.0;  // wave_balance of blocks x splits
};
KSplit split_k(std::int64_t blocks, std::int64_t k, std::int64_t step, const Wave& wave,
               std::int64_t min_depth, std::int64_t max_splits);

// Of two candidate splits (each backend's own split type, with a `balance`), the one whose
// blocks spread more evenly; `a` when they spread as evenly, either when the other is none.
template <typename Split>
std::optional<Split> more_even(std::optional<Split> a, std::optional<Split> b) {
  if (!a || (b && b->balance > a->balance)) return b;
  return a;
}

// The layers the GPU backends stream through their shallow kernels (kernels/conv_shallow.cl,
// shaders/conv_*_shallow.comp), which memory bounds: group 1, at most kMaxShallowInputs
// inputs per output (with more, the tile loops' register blocking pays, and the kernels keep
// 2 x K inputs in registers), the weights as [M][K rounded up to 4] and the biases within
// 16 KiB and within half of `local_bytes`, a work-group's memory.
constexpr std::int64_t kMaxShallowInputs = 32;
bool is_shallow_conv(const ConvGeometry& geometry, std::uint64_t local_bytes);

// The length of a weight row in the shallow kernels' local memory: K rounded up to 4, so
// that every row is whole float4s (K_PAD in the kernels).
constexpr std::int64_t shallow_weight_row(std::int64_t k) { return (k + 3) / 4 * 4; }

// Of those, the layers the pointwise kernels read two positions at a time: unpadded 1x1, C a
// multiple of 4, an even number of positions per image.
bool is_paired_pointwise(const ConvGeometry& geometry);

// The pointwise shallow kernels' work-group size for `pairs` items on `units` multiprocessors:
// 256, unless 128 spreads the groups more evenly over them (wave_balance with every group in
// one wave: the groups dealt out to the units in turn), as for small batches.
std::int64_t pointwise_shallow_group(std::int64_t pairs, std::int64_t units);

// Of the 2-D shallow layers, those whose items each take 4 neighbouring outputs of a row and
// read the 9 columns of each input row they need as one scalar and two float4s that start on
// multiples of 4 columns: along w, 3 wide, stride 2, pad 1, dilation 1, the input width a
// multiple of 4, the output width a multiple of 4 and at most half the input's (the 3x3 s2
// RGB stem of image networks). With x 16-byte aligned, every float4 is.
bool has_quad_rows(const WindowDim& w);

// Windows along which 4 neighbouring outputs of a row read their 3 taps each from the 3
// aligned float4s from column 4 x stride x t - 4 on (t: the run of 4 in the row): 3 wide, pad
// 1 at the start, dilation 1, stride 1 or 2, the input and output widths multiples of 4, and
// output x stride at most the input width, so that the middle float4 lies inside the row. The
// depthwise kernels read a row that way; has_quad_rows is the stride 2 case.
bool has_quad_columns(const WindowDim& w);

// The bias of either op, if present, must be [M].
void check_conv_bias(const Node& node, const ConvGeometry& geometry, const Shape& bias);

}  // namespace tandem
