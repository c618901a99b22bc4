#pragma once
#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>

#include "opencl/node_context.h"

namespace tandem::opencl {

// REDUCE_GROUP and REDUCE_MAX_GROUP in kernels/common.cl: the work-group sizes of the
// row-reducing kernels' fixed and `_wide` entry points.
constexpr std::int64_t kReduceGroup = 64;
constexpr std::int64_t kMaxReduceGroup = 256;
// Elements each item of the group walks in a row, about.
constexpr std::int64_t kReduceStepsPerItem = 16;

// One work group per row of `length` elements: a power of two from kReduceGroup to
// kMaxReduceGroup (within the device's limit), about kReduceStepsPerItem elements per item.
// Long rows get more items, so a few of them still keep a GPU busy (256 softmax lines of
// 32768 on an H100: 146 GB/s with groups of 64, 520-535 with 256).
inline LaunchRange group_per_row(const ClDevice& device, std::int64_t rows, std::int64_t length) {
  const auto wanted = static_cast<std::uint64_t>(std::clamp(
      (length + kReduceStepsPerItem - 1) / kReduceStepsPerItem, kReduceGroup, kMaxReduceGroup));
  const std::uint64_t limit = std::bit_floor(std::max<std::uint64_t>(
      1, std::min<std::uint64_t>(device.limits.max_work_group_size, kMaxReduceGroup)));
  const std::size_t group = std::min(std::bit_ceil(wanted), limit);
  LaunchRange range;
  range.global[0] = static_cast<std::size_t>(rows) * group;
  range.local[0] = group;
  return range;
}

// The entry point for `range`: `name`, fixed at kReduceGroup items (the compiler unrolls its
// tree: the H100 ran 4096 softmax lines of 1024 at 1245-1274 GB/s with it, 1003 with the size
// read at run time), or `name`_wide for other sizes.
inline std::string row_kernel(const std::string& name, const LaunchRange& range) {
  return range.local[0] == static_cast<std::size_t>(kReduceGroup) ? name : name + "_wide";
}

}  // namespace tandem::opencl
