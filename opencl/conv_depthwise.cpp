#include "opencl/conv_depthwise.h"

#include "opencl/program_cache.h"

namespace tandem::opencl {
namespace {

constexpr std::int64_t kMaxDepthwiseTaps = 49;
constexpr std::int64_t kDepthwiseOutputs = 4;  // OUTPUTS in the kernel

// The stride along w of a layer that reads quad columns, else 0.
std::int64_t quad_stride(const ConvGeometry& geometry, bool io_aligned) {
  const WindowDim& w = window_2d(geometry)[1];
  return io_aligned && has_quad_columns(w) ? w.stride : 0;
}

std::string program_name(const ConvGeometry& geometry, std::int64_t quad_stride) {
  const std::vector<WindowDim> dims = window_2d(geometry);
  std::string name =
      "conv_depthwise.cl[" + std::to_string(dims[0].kernel) + "x" + std::to_string(dims[1].kernel);
  if (quad_stride > 0) name += "q" + std::to_string(quad_stride);
  return name + "]";
}

}  // namespace

bool is_depthwise(const ConvGeometry& geometry) {
  return geometry.group == geometry.in_channels && geometry.out_channels == geometry.in_channels &&
         geometry.window.dims.size() <= 2 && geometry.window.kernel_numel() <= kMaxDepthwiseTaps;
}

ProgramRequest depthwise_program(const ConvGeometry& geometry, bool io_aligned) {
  const std::vector<WindowDim> dims = window_2d(geometry);
  const std::int64_t stride = quad_stride(geometry, io_aligned);
  ProgramRequest request = embedded_program("conv_depthwise.cl");
  request.file = program_name(geometry, stride);
  request.build_options +=
      " -DKH=" + std::to_string(dims[0].kernel) + " -DKW=" + std::to_string(dims[1].kernel);
  if (stride > 0) request.build_options += " -DQUAD_COLUMNS=1 -DSTRIDE_W=" + std::to_string(stride);
  return request;
}

void compile_depthwise_conv(NodeContext& context, const ConvGeometry& geometry, bool io_aligned,
                            const ConvActivation& activation) {
  const std::vector<WindowDim> dims = window_2d(geometry);
  const WindowDim& h = dims[0];
  const WindowDim& w = dims[1];
  const std::int64_t stride = quad_stride(geometry, io_aligned);
  const std::int64_t row_items = (w.output + kDepthwiseOutputs - 1) / kDepthwiseOutputs;
  const std::int64_t count = geometry.batch * geometry.in_channels * h.output * row_items;
  if (count == 0) return;
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
  context.launch_in(program_name(geometry, stride),
                    stride > 0 ? "conv_depthwise_quads" : "conv_depthwise", range, context.input(0),
                    weights, has_bias ? context.input(2) : weights, cl_int{has_bias},
                    context.output(), context.upload_ints(params), static_cast<cl_int>(count),
                    activation.op, activation.alpha, activation.beta);
}

}  // namespace tandem::opencl
