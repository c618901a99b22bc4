#pragma once
// The reduction behind ReduceSum/ReduceMean (vulkan/reduce.cpp, shaders/reduce.comp), also
// used by GlobalAveragePool: a mean over the spatial dims is a reduction like any other.
#include <vector>

#include "vulkan/node_context.h"

namespace tandem::vulkan {

// Sums (or averages, `mean`) input 0 over the dims marked in `reduced` (one flag per input
// dim) into output 0, whose element count must be the product of the dims not reduced.
void record_reduction(NodeContext& context, const std::vector<bool>& reduced, bool mean);

}  // namespace tandem::vulkan
