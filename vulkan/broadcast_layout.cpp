#include "vulkan/broadcast_layout.h"

#include "core/ops/broadcast.h"

namespace tandem::vulkan {

BroadcastLayout collapse_layout(const Shape& shape,
                                const std::vector<std::vector<std::int64_t>>& strides) {
  BroadcastLayout layout;
  layout.strides.resize(strides.size());
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;  // a size-1 dim moves no operand
    bool merges = !layout.shape.empty();
    for (std::size_t k = 0; merges && k < strides.size(); ++k) {
      merges = layout.strides[k].back() == strides[k][d] * shape[d];
    }
    if (merges) {
      layout.shape.back() *= shape[d];
      for (std::size_t k = 0; k < strides.size(); ++k) layout.strides[k].back() = strides[k][d];
    } else {
      layout.shape.push_back(shape[d]);
      for (std::size_t k = 0; k < strides.size(); ++k) layout.strides[k].push_back(strides[k][d]);
    }
  }
  if (layout.shape.empty()) {
    layout.shape.push_back(1);
    for (auto& operand : layout.strides) operand.push_back(0);
  }
  return layout;
}

BroadcastLayout broadcast_layout(const Shape& output, const std::vector<Shape>& operands) {
  std::vector<std::vector<std::int64_t>> strides;
  for (const Shape& operand : operands) strides.push_back(broadcast_strides(operand, output));
  return collapse_layout(output, strides);
}

}  // namespace tandem::vulkan
