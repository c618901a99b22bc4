#pragma once
#include <cstdint>

namespace tandem {

// IEEE 754 binary16 <-> binary32, round-to-nearest-even, denormals, inf and NaN kept.
float half_to_float(std::uint16_t half);
std::uint16_t float_to_half(float value);

}  // namespace tandem
