#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace tandem::opencl {

// How each operand of an elementwise op is read while walking the output in order: the
// output shape and, per operand, its strides (0 along broadcast dims). Adjacent dims that
// every operand walks contiguously are merged, so same-shape operands become rank 1 and
// the kernels' index arithmetic stays short.
struct BroadcastLayout {
  Shape shape;
  std::vector<std::vector<std::int64_t>> strides;  // one per operand, shape.size() each
};

// Operands follow numpy broadcasting against `output` (right-aligned, size-1 dims stretch).
BroadcastLayout broadcast_layout(const Shape& output, const std::vector<Shape>& operands);

// The same merging for any strided walk (a transpose, a slice, a concat's destination):
// `strides` holds, per operand, one stride per dim of `shape`.
BroadcastLayout merge_dims(const Shape& shape,
                           const std::vector<std::vector<std::int64_t>>& strides);

// [rank, shape..., strides of operand 0..., strides of operand 1..., ...] as the kernels
// read it (see broadcast_offset in kernels/common.cl).
std::vector<std::int64_t> layout_params(const BroadcastLayout& layout);

}  // namespace tandem::opencl
