#include "opencl/conv_depthwise.h"

#include "core/config.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {
namespace {

constexpr std::int64_t kMaxDepthwiseTaps = 49;
constexpr std::int64_t kRowOutputs = 4;  // OUTPUTS in the kernel

enum class DepthwiseKernel { Rows, QuadColumns, Flat };

// The kernel that runs a layer, and its program.
struct DepthwiseChoice {
  DepthwiseKernel kernel = DepthwiseKernel::Rows;
  std::string name;     // the program's
  std::string options;  // its build options
};

// Quad columns where they hold; else on GPU-style devices one output an item, where 4 outputs
// an item spread each load of a warp over 4 times the lines (on the H100 at batch 64, r196:
// dw 3x3 s2 256 @28 1335 -> 2216 GFLOP/s, dw 3x3 512 @14 2599 -> 3334, dw 3x3 1024 @7 2417 ->
// 3049); else (pocl's CPUs, where one output an item ran those layers 1.5-3x slower) rows.
// TANDEM_OPENCL_DEPTHWISE_FLAT=on or off overrides the device's side of it, for tests and
// measurements; another value is an error.
DepthwiseChoice choose(const ClDevice& device, const ConvGeometry& geometry, bool io_aligned) {
  const std::vector<WindowDim> dims = window_2d(geometry);
  const WindowDim& h = dims[0];
  const WindowDim& w = dims[1];
  DepthwiseChoice choice;
  choice.name = "conv_depthwise.cl[" + std::to_string(h.kernel) + "x" + std::to_string(w.kernel);
  choice.options = " -DKH=" + std::to_string(h.kernel) + " -DKW=" + std::to_string(w.kernel);
  if (io_aligned && has_quad_columns(w)) {
    choice.kernel = DepthwiseKernel::QuadColumns;
    choice.name += "q" + std::to_string(w.stride);
    choice.options += " -DQUAD_COLUMNS=1 -DSTRIDE_W=" + std::to_string(w.stride);
  } else if (environment_switch("TANDEM_OPENCL_DEPTHWISE_FLAT")
                 .value_or(device.info.type != "cpu")) {
    choice.kernel = DepthwiseKernel::Flat;
    choice.name += "f";
    choice.options += " -DFLAT=1";
    const std::pair<const char*, std::int64_t> window[] = {
        {"IN_H", h.input},         {"IN_W", w.input},      {"OUT_H", h.output},
        {"OUT_W", w.output},       {"STRIDE_H", h.stride}, {"STRIDE_W", w.stride},
        {"PAD_H", h.pad_begin},    {"PAD_W", w.pad_begin}, {"DILATION_H", h.dilation},
        {"DILATION_W", w.dilation}};
    for (const auto& [macro, value] : window) {
      choice.name += "," + std::to_string(value);
      choice.options += " -D" + std::string(macro) + "=" + std::to_string(value);
    }
  }
  choice.name += "]";
  return choice;
}

void launch_rows(NodeContext& context, const ConvGeometry& geometry, const DepthwiseChoice& choice,
                 const ConvActivation& activation) {
  const std::vector<WindowDim> dims = window_2d(geometry);
  const WindowDim& h = dims[0];
  const WindowDim& w = dims[1];
  const std::int64_t row_items = (w.output + kRowOutputs - 1) / kRowOutputs;
  const std::int64_t count = geometry.batch * geometry.in_channels * h.output * row_items;
  LaunchRange range;
  range.global[0] = static_cast<std::size_t>(context.to_int(count, "element count"));
  const bool has_bias = context.has_input(2);
  const BufferArg weights = context.input(1);
  const std::vector<std::int64_t> params{geometry.in_channels,
                                         h.input,
                                         w.input,
                                         h.output,
                                         w.output,
                                         row_items,
                                         h.stride,
                                         w.stride,
                                         h.pad_begin,
                                         w.pad_begin,
                                         h.dilation,
                                         w.dilation};
  const bool quads = choice.kernel == DepthwiseKernel::QuadColumns;
  context.launch_in(choice.name, quads ? "conv_depthwise_quads" : "conv_depthwise", range,
                    context.input(0), weights, has_bias ? context.input(2) : weights,
                    cl_int{has_bias}, context.output(), context.upload_ints(params),
                    static_cast<cl_int>(count), activation.op, activation.alpha, activation.beta);
}

void launch_flat(NodeContext& context, const ConvGeometry& geometry, const DepthwiseChoice& choice,
                 const ConvActivation& activation) {
  const cl_int count = context.to_int(
      geometry.batch * geometry.in_channels * shape_numel(geometry.window.output_spatial()),
      "element count");
  LaunchRange range;
  range.global[0] = static_cast<std::size_t>(count);
  const bool has_bias = context.has_input(2);
  const BufferArg weights = context.input(1);
  context.launch_in(choice.name, "conv_depthwise_flat", range, context.input(0), weights,
                    has_bias ? context.input(2) : weights, cl_int{has_bias}, context.output(),
                    context.to_int(geometry.in_channels, "channels"), count, activation.op,
                    activation.alpha, activation.beta);
}

}  // namespace

bool is_depthwise(const ConvGeometry& geometry) {
  return geometry.group == geometry.in_channels && geometry.out_channels == geometry.in_channels &&
         geometry.window.dims.size() <= 2 && geometry.window.kernel_numel() <= kMaxDepthwiseTaps;
}

ProgramRequest depthwise_program(const ClDevice& device, const ConvGeometry& geometry,
                                 bool io_aligned) {
  const DepthwiseChoice choice = choose(device, geometry, io_aligned);
  ProgramRequest request = embedded_program("conv_depthwise.cl");
  request.file = choice.name;
  request.build_options += choice.options;
  return request;
}

void compile_depthwise_conv(NodeContext& context, const ConvGeometry& geometry, bool io_aligned,
                            const ConvActivation& activation) {
  if (geometry.batch * geometry.in_channels * shape_numel(geometry.window.output_spatial()) == 0) {
    return;
  }
  const DepthwiseChoice choice = choose(context.device(), geometry, io_aligned);
  if (choice.kernel == DepthwiseKernel::Flat) {
    launch_flat(context, geometry, choice, activation);
  } else {
    launch_rows(context, geometry, choice, activation);
  }
}

}  // namespace tandem::opencl
