#pragma once
#include <cmath>
#include <nlohmann/json.hpp>

namespace tandem::conformance {

// JSON has no infinities or NaN: those travel as the strings "inf", "-inf", "nan" in the
// JSON reports and in the data of the HTML page alike.
inline nlohmann::json json_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

}  // namespace tandem::conformance
