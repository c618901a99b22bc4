#pragma once
// How each operand of an elementwise or strided-copy dispatch is walked while the output is
// walked in row-major order: one shape and, per operand, its element strides (0 along
// broadcast dims). Size-1 dims are dropped and adjacent dims that every operand walks
// contiguously are merged, so same-shape operands become rank 1 and the shaders' index
// arithmetic stays short.
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace tandem::vulkan {

struct BroadcastLayout {
  Shape shape;                                     // at least one dim
  std::vector<std::vector<std::int64_t>> strides;  // one per operand, shape.size() each
};

// Merges what can be merged in `shape` walked with `strides` (one vector per operand).
BroadcastLayout collapse_layout(const Shape& shape,
                                const std::vector<std::vector<std::int64_t>>& strides);

// Operands follow numpy broadcasting against `output` (core/ops/broadcast.h).
BroadcastLayout broadcast_layout(const Shape& output, const std::vector<Shape>& operands);

}  // namespace tandem::vulkan
