#include "core/ops/op_util.h"

#include <algorithm>
#include <cmath>

namespace tandem {

std::int64_t normalize_axis(const Node& node, std::int64_t axis, std::int64_t rank) {
  const std::int64_t normalized = axis < 0 ? axis + rank : axis;
  check(normalized >= 0 && normalized < rank,
        node.label() + ": axis " + std::to_string(axis) + " is out of range for rank " +
            std::to_string(rank));
  return normalized;
}

std::vector<std::int64_t> strides_of(const Shape& shape) {
  std::vector<std::int64_t> strides(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

double apply_activation(const std::string& activation, double alpha, double beta, double x) {
  if (activation == "Relu") return x < 0 ? 0.0 : x;   // NaN stays NaN, as standalone Relu
  if (activation == "LeakyRelu") return x >= 0 ? x : alpha * x;
  if (activation == "Clip") return std::isnan(x) ? x : std::min(std::max(x, alpha), beta);
  if (activation == "Sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (activation == "HardSigmoid") return std::clamp(alpha * x + beta, 0.0, 1.0);
  if (activation == "HardSwish") return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0);
  if (activation == "Tanh") return std::tanh(x);
  fail("unknown fused activation '" + activation + "'");
}

}  // namespace tandem
