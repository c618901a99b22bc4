#include "vulkan/conv_pointwise_shallow.h"

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace tandem::vulkan {
namespace {

// With more input channels a layer does enough flops per byte for conv_pointwise.comp's
// register blocking to pay; x's 2 x K values per invocation also stay in registers up to here.
constexpr std::int64_t kMaxInputs = 32;
constexpr std::int64_t kMaxWeightBytes = 16 * 1024;
constexpr std::uint32_t kInvocations = 128;  // each 2 positions

bool device_takes(const NodeContext& context) {
  const char* forced = std::getenv("TANDEM_VULKAN_SHALLOW_POINTWISE");
  if (forced == nullptr) return !context.cpu_device();
  const std::string setting = forced;
  check(setting == "on" || setting == "off",
        "TANDEM_VULKAN_SHALLOW_POINTWISE: '" + setting + "' is neither on nor off");
  return setting == "on";
}

bool takes(const NodeContext& context, const ConvGeometry& geometry, std::int64_t positions) {
  const std::int64_t k = geometry.in_channels;
  const std::int64_t shared_bytes = geometry.out_channels * (k + 1) * 4;
  return device_takes(context) && geometry.group == 1 && geometry.window.is_unpadded_1x1() && k <= kMaxInputs &&
         k % 4 == 0 && shared_bytes <= kMaxWeightBytes &&
         shared_bytes <= context.limits().maxComputeSharedMemorySize / 2 && positions % 2 == 0 &&
         context.output_slot().element_offset() % 2 == 0;
}

}  // namespace

bool record_conv_pointwise_shallow(NodeContext& context, const ConvGeometry& geometry,
                                   const ConvActivation& activation) {
  const std::int64_t positions = shape_numel(geometry.window.output_spatial());
  if (!takes(context, geometry, positions)) return false;
  const Slot in = context.input_slot(0);
  if (in.element_offset() % 2 != 0) return false;
  const std::int64_t pairs = geometry.batch * positions / 2;
  if (pairs == 0) return true;
  const Slot weights = context.input_slot(1);
  const bool has_bias = context.has_input(2);
  Dispatch dispatch;
  dispatch.shader = "conv_pointwise_shallow";
  dispatch.variant = {activation.code, static_cast<std::int32_t>(geometry.in_channels),
                      static_cast<std::int32_t>(geometry.out_channels)};
  dispatch.bindings = {context.output_slot(), in, weights,
                       has_bias ? context.input_slot(2) : weights};
  dispatch.workgroup_size = kInvocations;
  dispatch.invocations = static_cast<std::uint64_t>(pairs);
  dispatch.push = {checked_u32(context, pairs, "position pairs"),
                   dispatch.bindings[0].element_offset(),
                   in.element_offset(),
                   weights.element_offset(),
                   dispatch.bindings[3].element_offset(),
                   has_bias ? 1u : 0u,
                   checked_u32(context, positions, "positions"),
                   float_word(activation.alpha),
                   float_word(activation.beta)};
  context.dispatch(std::move(dispatch));
  return true;
}

}  // namespace tandem::vulkan
