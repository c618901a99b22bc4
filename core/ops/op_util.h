#pragma once
#include <cstdint>
#include <string>

#include "core/graph.h"

namespace tandem {

// Small helpers every op family uses.

// ONNX axes may be negative (counted from the end); returns 0..rank-1 or throws naming the node.
std::int64_t normalize_axis(const Node& node, std::int64_t axis, std::int64_t rank);
// Row-major strides of a shape.
std::vector<std::int64_t> strides_of(const Shape& shape);
// The activations the fusion pass may fold into a Conv, applied in double precision.
double apply_activation(const std::string& activation, double alpha, double beta, double x);

}  // namespace tandem
