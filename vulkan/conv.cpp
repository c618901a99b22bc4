// Conv and ConvTranspose: geometry resolved once by core/ops/conv_geometry.h, the fused
// activation (kFusedActivation) baked in as a specialization constant. Group-1 convolutions
// large enough to fill whole blocks run as an implicit GEMM (shaders/conv_gemm.comp, the
// register-blocked tile loop; the batch's output positions side by side as its columns,
// constant weights reordered tap-major so that a K step stays within one tap); depthwise
// layers run shaders/conv_depthwise*.comp (vulkan/conv_depthwise.h); on GPUs, layers with at
// most 32 inputs per output (C x taps: 1x1 32->64, a 3x3 layer on RGB) run the shallow shaders
// (vulkan/conv_shallow.h), other unpadded 1x1 layers with up to 512 input channels
// shaders/conv_pointwise.comp (unless the tile loop's 64 x 64 blocks fill a wave where its
// 128 x 64 ones do not); the rest and ConvTranspose run the direct kernel shaders/conv.comp,
// which also remains the simple reference the fast paths are tested against. Layers with so many
// taps per output that one invocation would pass lavapipe's loop limit give each output a
// workgroup instead (vulkan/loop_limit.h).
#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

#include "core/op_registry.h"
#include "core/ops/conv_geometry.h"
#include "vulkan/activation.h"
#include "vulkan/conv_depthwise.h"
#include "vulkan/conv_shallow.h"
#include "vulkan/gemm_tiling.h"
#include "vulkan/loop_limit.h"
#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

// The fused activation with ONNX's defaults where the fusion pass left alpha/beta unset
// (the same defaults the Conv reference kernel applies).
ConvActivation fused_activation(const NodeContext& context) {
  const Attributes& attributes = context.attributes();
  if (!attributes.has(kFusedActivation)) return {};
  const std::string name = attributes.get_string(kFusedActivation);
  ConvActivation activation;
  activation.code = activation_code(name);
  if (activation.code < 0) context.unsupported("fused activation '" + name + "'");
  double alpha = 0.0;
  double beta = 0.0;
  if (name == "LeakyRelu") alpha = 0.01;
  if (name == "HardSigmoid") alpha = 0.2, beta = 0.5;
  if (name == "Clip") {
    alpha = -std::numeric_limits<double>::infinity();
    beta = std::numeric_limits<double>::infinity();
  }
  activation.alpha = static_cast<float>(attributes.get_float(kFusedAlpha, alpha));
  activation.beta = static_cast<float>(attributes.get_float(kFusedBeta, beta));
  return activation;
}

// 1-D windows run as 2-D with a unit leading dimension.
WindowDim unit_dim() {
  WindowDim dim;
  dim.input = 1;
  dim.output = 1;
  return dim;
}

// The window's strides, begin pads and dilations as the shaders' push constants read them
// (int, height first), in conv.comp, conv_gemm.comp and the depthwise shaders alike.
std::vector<std::uint32_t> window_words(const WindowDim& h, const WindowDim& w) {
  std::vector<std::uint32_t> words;
  for (const std::int64_t value :
       {h.stride, w.stride, h.pad_begin, w.pad_begin, h.dilation, w.dilation}) {
    words.push_back(static_cast<std::uint32_t>(static_cast<std::int32_t>(value)));
  }
  return words;
}

Slot add_float_constant(NodeContext& context, const std::vector<float>& values) {
  std::vector<std::uint32_t> words(values.size());
  std::transform(values.begin(), values.end(), words.begin(), float_word);
  return context.add_constant(words);
}

// The tiling conv_gemm.comp runs a layer with, and how K is split (1: not at all).
struct ConvGemmChoice {
  GemmTiling tiling;
  std::int64_t splits = 1;
  std::int64_t depth = 0;  // of K per split
};

std::optional<ConvGemmChoice> choose_conv_gemm(const NodeContext& context, std::int64_t m,
                                               std::int64_t n, std::int64_t k, bool pointwise) {
  const std::optional<GemmTiling> tiling =
      choose_conv_tiling(context.limits(), context.compute_units(), m, n, k, pointwise);
  if (!tiling) return std::nullopt;
  ConvGemmChoice choice{*tiling, 1, k};
  if (const auto split =
          choose_conv_split(context.limits(), context.compute_units(), m, n, k, pointwise)) {
    choice = {split->tiling, split->splits, split->depth};
  }
  // The tile loop takes depth / BK steps in one invocation; past the loop limit
  // (vulkan/loop_limit.h) the direct kernel's workgroup per output takes the layer.
  if ((choice.depth + choice.tiling.bk - 1) / choice.tiling.bk > kMaxStepsPerInvocation) {
    return std::nullopt;
  }
  // conv_gemm.comp splits each invocation's column of B once (b_column in gemm_tile.glsl),
  // which holds when every staged element of it falls in that column.
  if (choice.tiling.invocations() % choice.tiling.bn != 0) return std::nullopt;
  return choice;
}

// Split-K's second pass: out = act(sum of the splits' copies in `partial` + bias).
void record_split_sum(NodeContext& context, const Slot& out, const Slot& partial,
                      const Slot& bias, bool has_bias, std::int64_t splits,
                      std::int64_t positions, const ConvActivation& activation) {
  const std::int64_t count = out.bytes / 4;
  Dispatch dispatch;
  dispatch.shader = "conv_split_sum";
  dispatch.variant = {activation.code};
  dispatch.bindings = {out, partial, bias};
  dispatch.invocations = static_cast<std::uint64_t>((count + 3) / 4);  // 4 elements each
  dispatch.push = {checked_u32(context, count, "output size"),
                   out.element_offset(),
                   partial.element_offset(),
                   bias.element_offset(),
                   has_bias ? 1u : 0u,
                   checked_u32(context, splits, "splits"),
                   checked_u32(context, positions, "output size"),
                   checked_u32(context, context.output().shape[1], "channels"),
                   float_word(activation.alpha),
                   float_word(activation.beta)};
  context.dispatch(std::move(dispatch));
}

// How the splits' copies are added up (conv_gemm.comp's SPLIT_K): two splits of micro-tiles of
// at most 32 sums by the last split to finish, others by a second pass. On the H100 at batch 16
// (r158, r159) that took 3x3 256->256 at 14x14 (64 x 64 / 4 x 8 in 2 parts) from 45.5-45.6% of
// FP32 peak to 46.6-46.9%, 1x1 1024->256 from 41.0-41.3% to 41.4-42.3%. With more parts the
// adds fall on a fraction of the workgroups, at the end (r125): 3x3 512->512 at 7x7 in 7 parts
// of 64 x 128 / 8 x 8, summed by its last split, read 2.5% (its 64 sums a tile spilled) or,
// with the sums read from the copies alone, 23.8% against 40.8% (r155).
enum class SplitSum : std::int32_t { None = 0, LastSplit = 1, SecondPass = 2 };

SplitSum split_sum(const ConvGemmChoice& choice) {
  if (choice.splits == 1) return SplitSum::None;
  const bool last = choice.splits == 2 && choice.tiling.tm * choice.tiling.tn <= 32;
  return last ? SplitSum::LastSplit : SplitSum::SecondPass;
}

// conv_gemm.comp's push constants after the block count, offsets and has_bias: the layer's
// shape, the activation's parameters and the split.
std::vector<std::uint32_t> conv_gemm_shape_words(const NodeContext& context,
                                                 const ConvGeometry& geometry, const WindowDim& h,
                                                 const WindowDim& w, const ConvGemmChoice& choice,
                                                 const ConvActivation& activation) {
  auto u32 = [&](std::int64_t value, const char* what) {
    return checked_u32(context, value, what);
  };
  std::vector<std::uint32_t> words = {
      u32(geometry.out_channels, "channels"),
      u32(h.output * w.output * geometry.batch, "output size"),
      u32(geometry.inputs_per_output(), "reduction size"),
      u32(h.output * w.output, "output size"),
      u32(geometry.in_channels * h.input * w.input, "input size"),
      u32(geometry.in_channels, "channels"),
      u32(h.input, "height"),
      u32(w.input, "width"),
      u32(w.output, "width")};
  const std::vector<std::uint32_t> window = window_words(h, w);
  words.insert(words.end(), window.begin(), window.end());
  words.insert(words.end(), {float_word(activation.alpha), float_word(activation.beta),
                             u32(choice.splits, "splits"), u32(choice.depth, "reduction size")});
  return words;
}

// The implicit GEMM: M = output channels, N = the output positions of every image side by
// side, K = C x taps. Returns false when the layer is not one it takes (grouped, or too small
// for whole blocks).
bool record_conv_gemm(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                      const WindowDim& w, const ConvActivation& activation) {
  if (geometry.group != 1 || geometry.batch == 0) return false;
  const std::int64_t m = geometry.out_channels;
  const std::int64_t positions = h.output * w.output;
  const std::int64_t n = positions * geometry.batch;
  const std::int64_t k = geometry.inputs_per_output();
  const bool pointwise = geometry.window.is_unpadded_1x1();
  const std::optional<ConvGemmChoice> choice = choose_conv_gemm(context, m, n, k, pointwise);
  if (!choice) return false;
  const GemmTiling& tiling = choice->tiling;
  // Weights known at compile time are reordered so that a K step stays within one tap
  // (TAP_MAJOR), and stored as [K, M] where vec4s along M fit (K_MAJOR).
  const Tensor* constant_weights = context.constant(1);
  const bool tap_major =
      !pointwise && constant_weights != nullptr && geometry.in_channels % tiling.bk == 0;
  // On the H100 at batch 16 (r145) K_MAJOR took 3x3 s2 64->128 from 39.6-39.7% of FP32
  // peak to 45.6-45.7%, 1x1 512->512 at 14x14 from 41.6% to 49.3-49.4%, 3x3 256->256 at
  // 14x14 from 40.7% to 45.4%, 1x1 1024->256 from 38.3-38.7% to 39.9-41.2%; at batch 64 3x3
  // 64->64 from 51.1% to 58.6%, 3x3 s2 64->128 from 45.5% to 54.0%: A's rows along K had
  // gone into shared memory one float at a time, four invocations to a bank.
  const bool k_major = constant_weights != nullptr && m % 4 == 0;
  const Slot out = context.output_slot();
  // Split-K: each split's copy of the output in scratch; for LastSplit a ticket a block.
  // The output and weights fill the bindings a layer does not use.
  const SplitSum sum = split_sum(*choice);
  const Slot copies = sum == SplitSum::None ? out : context.scratch_slot(m * n * choice->splits);
  const Slot in = context.input_slot(0);
  const Slot weights =
      k_major     ? add_float_constant(context, k_major_weights(*constant_weights, tap_major))
      : tap_major ? add_float_constant(context, tap_major_weights(*constant_weights))
                  : context.input_slot(1);
  const bool has_bias = context.has_input(2);
  const Slot bias = has_bias ? context.input_slot(2) : weights;
  const bool vec_a = k % 4 == 0 && weights.element_offset() % 4 == 0;
  // Groups of 4 columns stay inside one image when each image has a multiple of 4 positions.
  const bool vec_b = pointwise && positions % 4 == 0 && in.element_offset() % 4 == 0;
  const bool vec_out =
      positions % 4 == 0 && out.element_offset() % 4 == 0 && copies.element_offset() % 4 == 0;
  const auto count = static_cast<std::int64_t>(tiling.blocks(m, n));
  const Slot tickets = sum == SplitSum::LastSplit ? context.zeroed_counters(count) : weights;
  Dispatch dispatch;
  dispatch.shader = "conv_gemm";
  dispatch.variant = tiling.constants();
  dispatch.variant.insert(
      dispatch.variant.end(),
      {static_cast<std::int32_t>(k_major ? LoadMode::Vec4KMajor
                                 : vec_a ? LoadMode::Vec4
                                         : LoadMode::ContiguousFastest),
       static_cast<std::int32_t>(vec_b ? LoadMode::Vec4 : LoadMode::ContiguousFastest),
       vec_out ? 1 : 0, pointwise ? 1 : 0, activation.code, static_cast<std::int32_t>(h.kernel),
       static_cast<std::int32_t>(w.kernel), tap_major ? 1 : 0, static_cast<std::int32_t>(sum),
       k_major ? 1 : 0});
  dispatch.bindings = {out, copies, in, weights, bias, tickets};
  dispatch.written = 2;
  dispatch.workgroup_size = tiling.invocations();
  dispatch.invocations = static_cast<std::uint64_t>(count * choice->splits) * tiling.invocations();
  dispatch.push = {checked_u32(context, count, "block count"),
                   out.element_offset(),
                   in.element_offset(),
                   weights.element_offset(),
                   bias.element_offset(),
                   has_bias ? 1u : 0u};
  const std::vector<std::uint32_t> shape =
      conv_gemm_shape_words(context, geometry, h, w, *choice, activation);
  dispatch.push.insert(dispatch.push.end(), shape.begin(), shape.end());
  dispatch.push.insert(dispatch.push.end(), {copies.element_offset(), tickets.element_offset()});
  context.dispatch(std::move(dispatch));
  if (sum == SplitSum::SecondPass) {
    record_split_sum(context, out, copies, bias, has_bias, choice->splits, positions, activation);
  }
  return true;
}

// Unpadded 1x1 layers of group 1 with at most kPointwiseMaxDepth input channels, positions in
// vec4s and vec4-aligned operands: shaders/conv_pointwise.comp, kPointwiseChannels output
// channels per invocation. Measured on the H100 against conv_gemm.comp at batch 16 (64), %
// of FP32 peak: 1x1 128->128 at 56x56 47.0 against 39.0 (49.3 against 43.2), 1x1 256->64 at 56x56
// 46.3 against 37.8 (49.7 / 41.7), 1x1 512->512 at 14x14 37.5 against 33.3 (49.4 / 45.4),
// 1x1 32->64 at 112x112 28.1 against 25.3 (33.3 / 27.8); 4 or 16 channels per invocation were
// slower there (16 with K = 512 and batch 64: 14.7% against 45.4). On lavapipe 1.4-1.9x.
// 1x1 512->512 at batch 16 (256 workgroups) has since run faster on conv_gemm.comp's 64 x 64 /
// 8 x 4 blocks (pointwise_takes_medium_blocks): 41.4-41.6% against 37.5-38.3% (r132-r134).
constexpr std::int64_t kPointwiseMaxDepth = 512;
constexpr std::int64_t kPointwiseChannels = 8;        // MT in the shader
constexpr std::uint32_t kPointwiseInvocations = 256;  // each 4 positions

bool record_conv_pointwise(NodeContext& context, const ConvGeometry& geometry, const WindowDim& h,
                        const WindowDim& w, const ConvActivation& activation) {
  const std::int64_t positions = h.output * w.output;
  const Slot out = context.output_slot();
  const Slot in = context.input_slot(0);
  if (geometry.group != 1 || !geometry.window.is_unpadded_1x1() || positions % 4 != 0 ||
      geometry.in_channels > kPointwiseMaxDepth || !io_starts_on(context, 4) ||
      geometry.in_channels * kPointwiseChannels * 4 > context.limits().maxComputeSharedMemorySize ||
      pointwise_takes_medium_blocks(context.limits(), context.compute_units(),
                                    geometry.out_channels, geometry.batch * positions,
                                    geometry.in_channels)) {
    return false;
  }
  auto u32 = [&](std::int64_t value, const char* what) {
    return checked_u32(context, value, what);
  };
  const std::int64_t quads = geometry.batch * positions / 4;
  const std::int64_t groups = (geometry.out_channels + kPointwiseChannels - 1) / kPointwiseChannels *
                              ((quads + kPointwiseInvocations - 1) / kPointwiseInvocations);
  if (groups == 0) return true;
  const Slot weights = context.input_slot(1);
  const bool has_bias = context.has_input(2);
  Dispatch dispatch;
  dispatch.shader = "conv_pointwise";
  dispatch.variant = {activation.code, static_cast<std::int32_t>(geometry.in_channels),
                      static_cast<std::int32_t>(kPointwiseChannels)};
  dispatch.bindings = {out, in, weights, has_bias ? context.input_slot(2) : weights};
  dispatch.workgroup_size = kPointwiseInvocations;
  dispatch.invocations = static_cast<std::uint64_t>(groups) * kPointwiseInvocations;
  dispatch.push = {u32(groups, "workgroups"),
                   out.element_offset(),
                   in.element_offset(),
                   weights.element_offset(),
                   dispatch.bindings[3].element_offset(),
                   has_bias ? 1u : 0u,
                   u32(geometry.out_channels, "channels"),
                   u32(positions, "positions"),
                   u32(quads, "position quads"),
                   float_word(activation.alpha),
                   float_word(activation.beta)};
  context.dispatch(std::move(dispatch));
  return true;
}

void compile_conv(NodeContext& context, bool transposed) {
  const Shape& x = context.input(0).shape;
  const Shape& w = context.input(1).shape;
  const ConvGeometry geometry = transposed ? resolve_conv_transpose(context.node(), x, w)
                                           : resolve_conv(context.node(), x, w);
  const std::vector<WindowDim>& dims = geometry.window.dims;
  if (dims.empty() || dims.size() > 2) {
    context.unsupported(std::to_string(dims.size()) + "-D convolution (1-D and 2-D only)");
  }
  const WindowDim h = dims.size() == 2 ? dims[0] : unit_dim();
  const WindowDim wd = dims.back();
  const ConvActivation activation = fused_activation(context);
  if (!transposed &&
      record_conv_shallow(context, geometry, h, wd, window_words(h, wd), activation)) {
    return;
  }
  if (!transposed && record_conv_pointwise(context, geometry, h, wd, activation)) return;
  if (!transposed && record_conv_gemm(context, geometry, h, wd, activation)) return;
  if (!transposed &&
      record_conv_depthwise(context, geometry, h, wd, window_words(h, wd), activation)) {
    return;
  }
  const Slot out = context.output_slot();
  const Slot in = context.input_slot(0);
  const Slot weights = context.input_slot(1);
  const bool has_bias = context.has_input(2);
  const Slot bias = has_bias ? context.input_slot(2) : weights;
  const std::int64_t count = shape_numel(context.output().shape);
  auto u32 = [&](std::int64_t value, const char* what) {
    return checked_u32(context, value, what);
  };

  Dispatch dispatch;
  dispatch.bindings = {out, in, weights, bias};
  // The nested loops of one invocation: channels, then kernel rows, then taps of a row.
  const std::int64_t in_per_group = geometry.in_channels_per_group();
  const std::int64_t steps = in_per_group * (1 + h.kernel * (1 + wd.kernel));
  if (steps <= kMaxStepsPerInvocation) {
    dispatch.variant = {activation.code, transposed ? 1 : 0, 0};
    dispatch.invocations = static_cast<std::uint64_t>(count);
  } else {
    dispatch.variant = {activation.code, transposed ? 1 : 0, 1};
    dispatch.workgroup_size = line_group_size(context, in_per_group * h.kernel * wd.kernel);
    dispatch.invocations = static_cast<std::uint64_t>(count) * dispatch.workgroup_size;
  }
  dispatch.push = {u32(count, "element count"),
                   out.element_offset(),
                   in.element_offset(),
                   weights.element_offset(),
                   bias.element_offset(),
                   has_bias ? 1u : 0u,
                   u32(geometry.in_channels, "channels"),
                   u32(h.input, "height"),
                   u32(wd.input, "width"),
                   u32(geometry.out_channels, "channels"),
                   u32(h.output, "height"),
                   u32(wd.output, "width"),
                   u32(h.kernel, "kernel"),
                   u32(wd.kernel, "kernel")};
  const std::vector<std::uint32_t> window = window_words(h, wd);
  dispatch.push.insert(dispatch.push.end(), window.begin(), window.end());
  dispatch.push.insert(dispatch.push.end(),
                       {u32(geometry.in_channels_per_group(), "channels"),
                        u32(geometry.out_channels_per_group(), "channels"),
                        float_word(activation.alpha), float_word(activation.beta)});
  context.dispatch(std::move(dispatch));
}

const OpTableRegistration conv_registration({"Conv"},
                                            {"conv", [](NodeContext& c) { compile_conv(c, false); },
                                             fusable_activations()});
const OpTableRegistration conv_transpose_registration(
    {"ConvTranspose"}, {"conv", [](NodeContext& c) { compile_conv(c, true); }, {}});

}  // namespace
}  // namespace tandem::vulkan
