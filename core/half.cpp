#include "core/half.h"

#include <bit>
#include <cmath>

namespace tandem {

float half_to_float(std::uint16_t half) {
  const std::uint32_t sign = (half & 0x8000u) << 16;
  const std::uint32_t exponent = (half >> 10) & 0x1fu;
  const std::uint32_t mantissa = half & 0x3ffu;
  if (exponent == 0) {   // zero or denormal: mantissa * 2^-24
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

std::uint16_t float_to_half(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  const std::uint16_t sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  const float magnitude = std::fabs(value);
  if (std::isnan(value)) return sign | 0x7e00u;
  if (magnitude >= 65520.0f) return sign | 0x7c00u;   // rounds to infinity
  if (magnitude < 6.103515625e-05f) {                  // denormal range: units of 2^-24
    return sign | static_cast<std::uint16_t>(std::nearbyint(magnitude * 16777216.0f));
  }
  const std::uint32_t rest = bits & 0x7fffffffu;
  const std::uint32_t round_bit = 0x1000u;
  std::uint32_t half = (rest >> 13) - (112u << 10);
  const std::uint32_t dropped = rest & 0x1fffu;
  if (dropped > round_bit || (dropped == round_bit && (half & 1u))) ++half;
  return sign | static_cast<std::uint16_t>(half);
}

}  // namespace tandem
