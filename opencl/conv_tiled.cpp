#include "opencl/conv_tiled.h"

#include <vector>

namespace tandem::opencl {
namespace {

const char* read_name(ConvRead read) {
  switch (read) {
    case ConvRead::Pointwise:
      return "pointwise";
    case ConvRead::TapMajor:
      return "tap-major";
    case ConvRead::Gather:
      return "gather";
  }
  return "?";
}

// The layout conv_tiled.cl reads (its header comment).
std::vector<std::int64_t> tiled_conv_params(const ConvGeometry& geometry) {
  const std::int64_t positions = shape_numel(geometry.window.output_spatial());
  const std::int64_t plane = shape_numel(geometry.window.input_spatial());
  const std::vector<WindowDim> dims = window_2d(geometry);
  const WindowDim& h = dims[0];
  const WindowDim& w = dims[1];
  return {geometry.out_channels_per_group(),
          geometry.batch * positions,
          geometry.inputs_per_output(),
          positions,
          geometry.in_channels * plane,
          geometry.in_channels_per_group(),
          plane,
          h.input,
          w.input,
          w.output,
          h.kernel,
          w.kernel,
          h.stride,
          w.stride,
          h.pad_begin,
          w.pad_begin,
          h.dilation,
          w.dilation};
}

}  // namespace

// 1-D windows run as 2-D ones of height 1; an unpadded 1x1 of any rank as one of width 1.
std::vector<WindowDim> window_2d(const ConvGeometry& geometry) {
  std::vector<WindowDim> dims = geometry.window.dims;
  if (dims.size() > 2) return {WindowDim{1, 1, 1, 1, 1, 0, 0}, WindowDim{1, 1, 1, 1, 1, 0, 0}};
  while (dims.size() < 2) dims.insert(dims.begin(), WindowDim{1, 1, 1, 1, 1, 0, 0});
  return dims;
}

std::string TiledConv::program_name() const {
  std::string vectors;
  if (operand_flags & kVecA) vectors += "a";
  if (operand_flags & kVecB) vectors += "b";
  return "conv_tiled.cl[" + tiling.name() + "/" + read_name(read) +
         (operand_flags & kAKMajor ? "/k-major" : "") + (vectors.empty() ? "" : "/vec-" + vectors) +
         (splits > 1 ? "/split-k" : "") +
         (max_registers > 0 ? "/" + std::to_string(max_registers) + "-registers" : "") + "]";
}

ProgramRequest TiledConv::program() const {
  ProgramRequest request =
      embedded_program(std::vector<std::string>{"gemm_tiled.cl", "conv_tiled.cl"});
  request.file = program_name();
  request.build_options += " " + tiling.build_options() +
                           " -DCONV_MODE=" + std::to_string(static_cast<int>(read)) +
                           " -DCONV_FLAGS=" + std::to_string(operand_flags) +
                           " -DSPLIT_K=" + (splits > 1 ? "1" : "0");
  if (max_registers > 0) {
    request.build_options +=
        " -DREGISTER_CAP=1 -cl-nv-maxrregcount=" + std::to_string(max_registers);
  }
  return request;
}

std::optional<TiledConv> tiled_conv(const ClDevice& device, const ConvGeometry& geometry,
                                    bool constant_weights) {
  const bool pointwise = geometry.window.is_unpadded_1x1();
  if (!pointwise && geometry.window.dims.size() > 2) return std::nullopt;
  const std::int64_t m = geometry.out_channels_per_group();
  const std::int64_t positions = shape_numel(geometry.window.output_spatial());
  const std::int64_t channels = geometry.in_channels_per_group();
  const std::int64_t k = geometry.inputs_per_output();
  const std::optional<GemmTiling> tiling =
      choose_conv_tiling(device, m, geometry.batch * positions, k, geometry.group, pointwise);
  if (!tiling || !tiling->local_tiles) return std::nullopt;
  // The item's column of B is the same in every K step (column_in_block in the kernel).
  if (tiling->work_items() % tiling->bn != 0) return std::nullopt;
  TiledConv conv;
  conv.tiling = *tiling;
  conv.tiling.vector_operands = false;  // the program's flags are CONV_FLAGS
  conv.read = pointwise                                        ? ConvRead::Pointwise
              : constant_weights && channels % tiling->bk == 0 ? ConvRead::TapMajor
                                                               : ConvRead::Gather;
  conv.depth = k;
  // Split-K needs each split's K steps whole in one tap (or pointwise) to start anywhere.
  const std::optional<ConvSplit> split =
      conv.read == ConvRead::Gather
          ? std::nullopt
          : choose_conv_split(device, m, geometry.batch * positions, k, geometry.group, pointwise);
  if (split && split->tiling.work_items() % split->tiling.bn == 0 &&
      (pointwise || channels % split->tiling.bk == 0)) {
    conv.tiling = split->tiling;
    conv.splits = split->splits;
    conv.depth = split->depth;
    conv.max_registers = register_cap(device, split->tiling, split->blocks_per_unit);
  } else {
    // Unsplit blocks fill their wave only at the count per compute unit they were chosen
    // for: with [K][M] weights NVIDIA's compiler gave the 3x3 64 x 128 / 8 x 8 program 203
    // registers (two blocks a multiprocessor, not three), and at batch 16 3x3 64->64 at 56x56
    // (392 blocks) fell from 50.4% of FP32 peak to 42.1%; capped at 168, 58.6% (r147).
    conv.max_registers = register_cap(device, conv.tiling, conv_blocks_per_unit(conv.tiling));
  }
  // Constant weights are stored as [K][M/g] where float4s along M fit (as Vulkan's K_MAJOR,
  // vulkan/conv.cpp): A's tile is then staged in float4s, not one float at a time. Not on
  // K steps of 8, whose rows along K stage one float4 an item either way: 1x1 1024->256 at
  // 14x14, batch 16 (128 x 128 / 8 x 8 in 5 parts) fell from 43.7% to 39.4% with them (r147).
  const bool k_major = constant_weights && m % 4 == 0 && conv.tiling.bk >= 16;
  const bool vec_a = !k_major && k % 4 == 0;
  const bool vec_b = pointwise && positions % 4 == 0;
  conv.operand_flags = (k_major ? kAKMajor : 0) | (vec_a ? kVecA : 0) | (vec_b ? kVecB : 0);
  return conv;
}

void compile_tiled_conv(NodeContext& context, const ConvGeometry& geometry, const TiledConv& conv,
                        const ConvActivation& activation) {
  std::vector<std::int64_t> params = tiled_conv_params(geometry);
  params.insert(params.end(), {conv.splits, conv.depth});
  const std::int64_t m = params[0], n = params[1], k = params[2], positions = params[3];
  const bool tap_major = conv.read == ConvRead::TapMajor;
  const BufferArg weights =
      conv.operand_flags & kAKMajor
          ? context.upload_floats(k_major_weights(*context.constant(1), tap_major, geometry.group))
      : tap_major ? context.upload_floats(tap_major_weights(*context.constant(1)))
                  : context.input(1);
  const BufferArg x = context.input(0);
  const BufferArg y = context.output();
  check((!(conv.operand_flags & (kVecA | kAKMajor)) || weights.offset % 4 == 0) &&
            (!(conv.operand_flags & kVecB) || x.offset % 4 == 0),
        "opencl: Conv operands are not 16-byte aligned for program " + conv.program_name());
  const std::int64_t channels = m * geometry.group;
  // Split-K's copies are [channel][column] with rows padded to 4 (split_row in the kernel).
  const std::int64_t copy = channels * ((n + 3) / 4 * 4);
  // Output, weights, input and partial sums are indexed with ints in the kernel.
  for (const std::int64_t value :
       {channels * n, copy * conv.splits, k * channels, geometry.batch * params[4]}) {
    context.to_int(value, "Conv size");
  }
  const bool has_bias = context.has_input(2);
  const BufferArg bias = has_bias ? context.input(2) : weights;
  const LaunchRange blocks = blocked_range(context, conv.tiling, m, n, geometry.group * conv.splits);
  if (conv.splits == 1) {
    const cl_int flags = positions % 4 == 0 && y.offset % 4 == 0 ? kVecOut : 0;
    context.launch_in(conv.program_name(), "conv_tiled", blocks, x, weights, bias,
                      cl_int{has_bias}, y, context.upload_ints(params), flags,
                      activation.op, activation.alpha, activation.beta);
    return;
  }
  // Split-K: each split's sums into its own copy, then one pass adds them up.
  const BufferArg partial = context.scratch_floats(copy * conv.splits);
  context.launch_in(conv.program_name(), "conv_tiled", blocks, x, weights, bias, cl_int{0}, partial,
                    context.upload_ints(params), cl_int{0}, UnaryOp::Identity, 0.0f, 0.0f);
  LaunchRange quads;
  quads.global[0] = static_cast<std::size_t>(copy / 4);  // 4 columns an item
  context.launch_in(conv.program_name(), "conv_split_sum", quads, partial, bias, cl_int{has_bias},
                    y, context.to_int(channels, "channels"), context.to_int(n, "Conv size"),
                    context.to_int(conv.splits, "splits"), context.to_int(positions, "positions"),
                    activation.op, activation.alpha, activation.beta);
}

}  // namespace tandem::opencl
