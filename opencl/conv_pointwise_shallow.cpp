#include "opencl/conv_pointwise_shallow.h"

#include <cstdlib>
#include <string>

#include "core/error.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {
namespace {

// With more input channels a layer does enough flops per byte for the tile loop's register
// blocking to pay; x's 2 x K values per item also stay in registers up to here.
constexpr std::int64_t kMaxStreamedInputs = 32;
constexpr std::uint64_t kMaxWeightBytes = 16 * 1024;

std::string program_name(const ConvGeometry& geometry) {
  return "conv_pointwise_shallow.cl[" + std::to_string(geometry.in_channels) + "x" +
         std::to_string(geometry.out_channels) + "]";
}

bool device_streams(const ClDevice& device) {
  const char* forced = std::getenv("TANDEM_OPENCL_SHALLOW_POINTWISE");
  if (forced == nullptr) return device.info.type != "cpu";
  const std::string setting = forced;
  check(setting == "on" || setting == "off",
        "TANDEM_OPENCL_SHALLOW_POINTWISE: '" + setting + "' is neither on nor off");
  return setting == "on";
}

}  // namespace

bool streams_shallow_pointwise(const ClDevice& device, const ConvGeometry& geometry) {
  const std::int64_t k = geometry.in_channels;
  const auto local_bytes = static_cast<std::uint64_t>(geometry.out_channels * (k + 1)) * 4;
  return device_streams(device) && geometry.group == 1 && geometry.window.is_unpadded_1x1() &&
         k <= kMaxStreamedInputs && k % 4 == 0 && local_bytes <= kMaxWeightBytes &&
         local_bytes <= device.limits.local_mem_bytes / 2 &&
         shape_numel(geometry.window.output_spatial()) % 2 == 0;
}

ProgramRequest shallow_pointwise_program(const ConvGeometry& geometry) {
  ProgramRequest request = embedded_program("conv_pointwise_shallow.cl");
  request.file = program_name(geometry);
  request.build_options += " -DK_IN=" + std::to_string(geometry.in_channels) +
                           " -DM_OUT=" + std::to_string(geometry.out_channels);
  return request;
}

void compile_shallow_pointwise_conv(NodeContext& context, const ConvGeometry& geometry,
                                    const ConvActivation& activation) {
  const std::int64_t positions = shape_numel(geometry.window.output_spatial());
  // The kernel's int arithmetic reaches every position of the batch.
  const cl_int pairs = context.to_int(geometry.batch * positions, "positions of the batch") / 2;
  LaunchRange range;
  range.global[0] = static_cast<std::size_t>(pairs);
  const bool has_bias = context.has_input(2);
  const BufferArg weights = context.input(1);
  context.launch_in(program_name(geometry), "conv_pointwise_shallow", range, context.input(0),
                    weights, has_bias ? context.input(2) : weights, cl_int{has_bias},
                    context.output(), context.to_int(positions, "positions"), pairs, activation.op,
                    activation.alpha, activation.beta);
}

}  // namespace tandem::opencl
