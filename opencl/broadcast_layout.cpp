#include "opencl/broadcast_layout.h"

#include "core/error.h"

namespace tandem::opencl {

static std::vector<std::int64_t> broadcast_strides(const Shape& output, const Shape& operand) {
  check(operand.size() <= output.size(), "broadcast: operand " + shape_to_string(operand) +
                                             " has a higher rank than " + shape_to_string(output));
  std::vector<std::int64_t> strides(output.size(), 0);
  const std::size_t lead = output.size() - operand.size();
  std::int64_t stride = 1;
  for (std::size_t d = operand.size(); d-- > 0;) {
    check(operand[d] == output[lead + d] || operand[d] == 1,
          "broadcast: " + shape_to_string(operand) + " does not broadcast to " +
              shape_to_string(output));
    strides[lead + d] = operand[d] == 1 ? 0 : stride;
    stride *= operand[d];
  }
  return strides;
}

BroadcastLayout broadcast_layout(const Shape& output, const std::vector<Shape>& operands) {
  std::vector<std::vector<std::int64_t>> full;
  for (const Shape& operand : operands) full.push_back(broadcast_strides(output, operand));
  return merge_dims(output, full);
}

BroadcastLayout merge_dims(const Shape& shape, const std::vector<std::vector<std::int64_t>>& full) {
  const std::size_t operands = full.size();
  BroadcastLayout layout;
  layout.strides.resize(operands);
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;  // a size-1 dim moves no operand
    bool merges = !layout.shape.empty();
    for (std::size_t k = 0; merges && k < operands; ++k) {
      merges = layout.strides[k].back() == full[k][d] * shape[d];
    }
    if (merges) {
      layout.shape.back() *= shape[d];
      for (std::size_t k = 0; k < operands; ++k) layout.strides[k].back() = full[k][d];
    } else {
      layout.shape.push_back(shape[d]);
      for (std::size_t k = 0; k < operands; ++k) layout.strides[k].push_back(full[k][d]);
    }
  }
  if (layout.shape.empty()) {
    layout.shape.push_back(1);
    for (auto& strides : layout.strides) strides.push_back(0);
  }
  return layout;
}

std::vector<std::int64_t> layout_params(const BroadcastLayout& layout) {
  std::vector<std::int64_t> params{static_cast<std::int64_t>(layout.shape.size())};
  params.insert(params.end(), layout.shape.begin(), layout.shape.end());
  for (const auto& strides : layout.strides)
    params.insert(params.end(), strides.begin(), strides.end());
  return params;
}

}  // namespace tandem::opencl
