#pragma once
#include <cstdint>

#include "opencl/node_context.h"

namespace tandem::opencl {

// REDUCE_GROUP in kernels/common.cl: the work-group size of the row-reducing kernels.
constexpr std::size_t kReduceGroupSize = 64;

// One work group of kReduceGroupSize items per row.
inline LaunchRange group_per_row(std::int64_t rows) {
  LaunchRange range;
  range.global[0] = static_cast<std::size_t>(rows) * kReduceGroupSize;
  range.local[0] = kReduceGroupSize;
  return range;
}

}  // namespace tandem::opencl
