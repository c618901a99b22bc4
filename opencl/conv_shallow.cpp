#include "opencl/conv_shallow.h"

#include "core/config.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {
namespace {

bool device_takes(const ClDevice& device) {
  return environment_switch("TANDEM_OPENCL_SHALLOW_CONV").value_or(device.info.type != "cpu");
}

std::string program_name(const ConvGeometry& geometry, ShallowConv kind) {
  std::string name = "conv_shallow.cl[" + std::to_string(geometry.in_channels) + "x" +
                     std::to_string(geometry.out_channels);
  if (kind != ShallowConv::Pointwise) {
    const std::vector<WindowDim> dims = window_2d(geometry);
    name += "/" + std::to_string(dims[0].kernel) + "x" + std::to_string(dims[1].kernel);
    if (kind == ShallowConv::QuadWindow) name += "q";
  }
  return name + "]";
}

void compile_pointwise(NodeContext& context, const ConvGeometry& geometry,
                       const ConvActivation& activation) {
  const std::int64_t positions = shape_numel(geometry.window.output_spatial());
  // The kernel's int arithmetic reaches every position of the batch.
  const cl_int pairs = context.to_int(geometry.batch * positions, "positions of the batch") / 2;
  LaunchRange range;
  range.global[0] = static_cast<std::size_t>(pairs);
  range.preferred_group = static_cast<std::size_t>(
      pointwise_shallow_group(pairs, context.device().limits.compute_units));
  const bool has_bias = context.has_input(2);
  const BufferArg weights = context.input(1);
  context.launch_in(program_name(geometry, ShallowConv::Pointwise), "conv_pointwise_shallow", range,
                    context.input(0), weights, has_bias ? context.input(2) : weights,
                    cl_int{has_bias}, context.output(), context.to_int(positions, "positions"),
                    pairs, activation.op, activation.alpha, activation.beta);
}

void compile_window(NodeContext& context, const ConvGeometry& geometry, ShallowConv kind,
                    const ConvActivation& activation) {
  const std::vector<WindowDim> dims = window_2d(geometry);
  const WindowDim& h = dims[0];
  const WindowDim& w = dims[1];
  const std::int64_t row_items =
      kind == ShallowConv::QuadWindow ? w.output / 4 : (w.output + 1) / 2;
  const std::int64_t count = geometry.batch * h.output * row_items;
  LaunchRange range;
  range.global[0] = static_cast<std::size_t>(context.to_int(count, "work items"));
  // The kernel's int arithmetic reaches every output of an image and every input of a plane.
  context.to_int(geometry.out_channels * h.output * w.output, "outputs of an image");
  const bool has_bias = context.has_input(2);
  const BufferArg weights = context.input(1);
  const std::vector<std::int64_t> params{h.input,     w.input,    h.output,  w.output,
                                         row_items,   h.stride,   w.stride,  h.pad_begin,
                                         w.pad_begin, h.dilation, w.dilation};
  context.launch_in(program_name(geometry, kind), "conv_window_shallow", range, context.input(0),
                    weights, has_bias ? context.input(2) : weights, cl_int{has_bias},
                    context.output(), context.upload_ints(params), static_cast<cl_int>(count),
                    activation.op, activation.alpha, activation.beta);
}

}  // namespace

ShallowConv choose_shallow_conv(const ClDevice& device, const ConvGeometry& geometry,
                                bool io_aligned) {
  if (!device_takes(device) || !is_shallow_conv(geometry, device.limits.local_mem_bytes)) {
    return ShallowConv::None;
  }
  if (is_paired_pointwise(geometry)) return ShallowConv::Pointwise;
  if (geometry.window.dims.size() > 2) return ShallowConv::None;
  return io_aligned && has_quad_rows(window_2d(geometry)[1]) ? ShallowConv::QuadWindow
                                                             : ShallowConv::Window;
}

ProgramRequest shallow_conv_program(const ConvGeometry& geometry, ShallowConv kind) {
  const std::int64_t k = geometry.inputs_per_output();
  ProgramRequest request = embedded_program("conv_shallow.cl");
  request.file = program_name(geometry, kind);
  request.build_options += " -DK_IN=" + std::to_string(k) +
                           " -DK_PAD=" + std::to_string(shallow_weight_row(k)) +
                           " -DM_OUT=" + std::to_string(geometry.out_channels);
  if (kind != ShallowConv::Pointwise) {
    const std::vector<WindowDim> dims = window_2d(geometry);
    request.build_options += " -DCHANNELS=" + std::to_string(geometry.in_channels) +
                             " -DKH=" + std::to_string(dims[0].kernel) +
                             " -DKW=" + std::to_string(dims[1].kernel) +
                             " -DQUAD_ROWS=" + std::to_string(kind == ShallowConv::QuadWindow);
  }
  return request;
}

void compile_shallow_conv(NodeContext& context, const ConvGeometry& geometry, ShallowConv kind,
                          const ConvActivation& activation) {
  if (kind == ShallowConv::Pointwise) {
    compile_pointwise(context, geometry, activation);
  } else {
    compile_window(context, geometry, kind, activation);
  }
}

}  // namespace tandem::opencl
