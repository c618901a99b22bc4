#pragma once
#include <cstdint>

#include "conformance/case.h"
#include "core/tensor.h"

namespace tandem::conformance {

// Draws an input's values: explicit values if the spec has them, else the generator's
// distribution followed by its special values. The stream is std::mt19937_64 (fully
// specified by the C++ standard) turned into numbers by our own formulas rather than
// <random>'s distributions, whose algorithms differ between standard libraries: a case
// draws the same bits on every machine and compiler. Float values are rounded to float32
// before they reach the tensor, so the reference and the device see identical inputs.
Tensor generate_input(const InputSpec& spec, std::uint64_t seed);

// Indices the special values are written to: `count` distinct indices in [0, numel), one
// per equal bucket, at a seeded place within it.
std::vector<std::int64_t> special_positions(std::int64_t numel, std::int64_t count,
                                            std::uint64_t seed);

}  // namespace tandem::conformance
