#include "vulkan/loop_limit.h"

#include <algorithm>
#include <bit>
#include <string>

namespace tandem::vulkan {
namespace {

constexpr std::int64_t kStepsPerLane = 16;
constexpr std::int64_t kMinGroupSize = 32;
constexpr std::int64_t kGroupSize = 256;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

std::int64_t pow2_at_least(std::int64_t value) {
  return static_cast<std::int64_t>(std::bit_ceil(static_cast<std::uint64_t>(value)));
}

// The largest power-of-two workgroup this device runs, at most kMaxGroupSize.
std::int64_t device_group_limit(const VkPhysicalDeviceLimits& limits) {
  const std::uint32_t limit =
      std::min(limits.maxComputeWorkGroupInvocations, limits.maxComputeWorkGroupSize[0]);
  return std::min<std::int64_t>(kMaxGroupSize, std::bit_floor(limit));
}

}  // namespace

std::uint32_t line_group_size(NodeContext& context, std::int64_t length, std::int64_t passes) {
  const std::int64_t wanted =
      std::clamp(pow2_at_least(ceil_div(length, kStepsPerLane)), kMinGroupSize, kGroupSize);
  const std::int64_t lanes_needed =
      ceil_div(length, std::max<std::int64_t>(1, kMaxStepsPerInvocation / passes));
  const std::int64_t needed = pow2_at_least(std::max<std::int64_t>(1, lanes_needed));
  const std::int64_t limit = device_group_limit(context.limits());
  const std::int64_t size = std::min(limit, std::max(wanted, needed));
  if (passes * ceil_div(length, size) > kMaxStepsPerInvocation) {
    context.unsupported("lines of " + std::to_string(length) +
                        " elements need workgroups of more than " + std::to_string(limit) +
                        " invocations");
  }
  return static_cast<std::uint32_t>(size);
}

}  // namespace tandem::vulkan
