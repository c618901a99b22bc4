#include "conformance/tolerance.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace tandem::conformance {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

// float32 bits mapped onto a line of integers that is monotonic in the float's value,
// with -0 and +0 on the same point.
std::int64_t ordered_bits(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  const auto magnitude = static_cast<std::int64_t>(bits & 0x7fffffffu);
  return (bits & 0x80000000u) ? -magnitude : magnitude;
}

struct ElementError {
  bool compared = true;  // false where the NaN policy says to skip the element
  double abs_err = 0.0;
  double rel_err = 0.0;
  std::int64_t ulp = 0;
  double ratio = 0.0;  // error / allowed error; > 1 fails
};

ElementError mismatch() {
  return {true, kInf, kInf, std::numeric_limits<std::int64_t>::max(), kInf};
}

// NaN and infinities are judged by kind, never by distance.
bool judge_special(double expected, float expected32, double actual, const Tolerance& tolerance,
                   ElementError& error) {
  const bool expected_nan = std::isnan(expected);
  const bool actual_nan = std::isnan(actual);
  if (expected_nan || actual_nan) {
    if (tolerance.nan == NanPolicy::Ignore)
      error = {false, 0, 0, 0, 0};
    else
      error = (expected_nan && actual_nan) ? ElementError{} : mismatch();
    return true;
  }
  if (std::isinf(expected32) || std::isinf(actual)) {
    error = (static_cast<double>(expected32) == actual) ? ElementError{} : mismatch();
    return true;
  }
  return false;
}

ElementError judge_element(double expected, double actual, const Tolerance& tolerance) {
  // The device computes in float32: the best it can return is the reference rounded.
  const auto expected32 = static_cast<float>(expected);
  ElementError error;
  if (judge_special(expected, expected32, actual, tolerance, error)) return error;
  error.abs_err = std::fabs(actual - expected);
  error.rel_err =
      expected != 0.0 ? error.abs_err / std::fabs(expected) : (error.abs_err == 0.0 ? 0.0 : kInf);
  error.ulp = ulp_distance(expected32, static_cast<float>(actual));
  const double allowed = tolerance.abs + tolerance.rel * std::fabs(expected);
  double ratio = allowed > 0.0 ? error.abs_err / allowed : (error.abs_err == 0.0 ? 0.0 : kInf);
  if (tolerance.ulp >= 0) {
    const double ulp_ratio =
        tolerance.ulp > 0 ? static_cast<double>(error.ulp) / static_cast<double>(tolerance.ulp)
                          : (error.ulp == 0 ? 0.0 : kInf);
    ratio = std::min(ratio, ulp_ratio);
  }
  const float smallest_normal = std::numeric_limits<float>::min();
  if (tolerance.flush_denormals && std::fabs(expected32) < smallest_normal &&
      std::fabs(actual) < smallest_normal) {
    ratio = 0.0;  // both are zero or denormal: equal once flushed
  }
  error.ratio = ratio;
  return error;
}

ElementError judge_integer(std::int64_t expected, std::int64_t actual) {
  if (expected == actual) return {};
  ElementError error = mismatch();
  error.abs_err = std::fabs(static_cast<double>(actual) - static_cast<double>(expected));
  return error;
}

std::string failure_message(const Comparison& c, const Tolerance& tolerance, std::int64_t count) {
  return "output " + std::to_string(c.worst_output) + ": " + std::to_string(c.mismatches) + " of " +
         std::to_string(count) + " elements out of tolerance; worst at index " +
         std::to_string(c.worst_index) + ": expected " + number(c.worst_expected) + ", got " +
         number(c.worst_actual) + " (" + describe(tolerance) + ")";
}

void merge_into(Comparison& total, const Comparison& part) {
  total.max_abs_err = std::max(total.max_abs_err, part.max_abs_err);
  total.max_rel_err = std::max(total.max_rel_err, part.max_rel_err);
  total.max_ulp = std::max(total.max_ulp, part.max_ulp);
  total.mismatches += part.mismatches;
  if (part.worst_index >= 0 &&
      (total.worst_index < 0 || part.tolerance_ratio > total.tolerance_ratio)) {
    total.tolerance_ratio = part.tolerance_ratio;
    total.worst_output = part.worst_output;
    total.worst_index = part.worst_index;
    total.worst_expected = part.worst_expected;
    total.worst_actual = part.worst_actual;
  }
  total.tolerance_ratio = std::max(total.tolerance_ratio, part.tolerance_ratio);
  if (!part.passed) {
    if (total.passed) total.message = part.message;
    total.passed = false;
  }
}

}  // namespace

const char* nan_policy_name(NanPolicy policy) {
  return policy == NanPolicy::Match ? "match" : "ignore";
}

std::string describe(const Tolerance& tolerance) {
  std::string text = "abs " + number(tolerance.abs) + ", rel " + number(tolerance.rel);
  if (tolerance.ulp >= 0) text += ", ulp " + std::to_string(tolerance.ulp);
  if (tolerance.nan == NanPolicy::Ignore) text += ", NaN ignored";
  return text;
}

std::int64_t ulp_distance(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<std::int64_t>::max();
  const std::int64_t distance = ordered_bits(a) - ordered_bits(b);
  return distance < 0 ? -distance : distance;
}

Comparison compare_tensors(const Tensor& expected, const Tensor& actual, const Tolerance& tolerance,
                           int output, const Tensor* alternative) {
  Comparison result;
  if (expected.shape() != actual.shape()) {
    result.passed = false;
    result.tolerance_ratio = kInf;
    result.message = "output " + std::to_string(output) + ": shape " +
                     shape_to_string(actual.shape()) + ", expected " +
                     shape_to_string(expected.shape());
    return result;
  }
  const bool integer = !is_float(expected.dtype()) && !is_float(actual.dtype());
  for (std::int64_t i = 0; i < expected.numel(); ++i) {
    ElementError error =
        integer ? judge_integer(expected.value_i64(i), actual.value_i64(i))
                : judge_element(expected.value_f64(i), actual.value_f64(i), tolerance);
    if (alternative && !integer && error.ratio > 1.0) {
      const ElementError flushed = judge_element(alternative->value_f64(i), actual.value_f64(i), tolerance);
      if (flushed.ratio <= 1.0) error = flushed;
    }
    if (!error.compared) continue;
    result.max_abs_err = std::max(result.max_abs_err, error.abs_err);
    result.max_rel_err = std::max(result.max_rel_err, error.rel_err);
    result.max_ulp = std::max(result.max_ulp, error.ulp);
    if (error.ratio > 1.0) ++result.mismatches;
    if (result.worst_index < 0 || error.ratio > result.tolerance_ratio) {
      result.tolerance_ratio = error.ratio;
      result.worst_output = output;
      result.worst_index = i;
      result.worst_expected = expected.value_f64(i);
      result.worst_actual = actual.value_f64(i);
    }
  }
  result.passed = result.mismatches == 0;
  if (!result.passed) result.message = failure_message(result, tolerance, expected.numel());
  return result;
}

Comparison compare_outputs(const std::vector<Tensor>& expected, const std::vector<Tensor>& actual,
                           const Tolerance& tolerance, const std::vector<Tensor>* alternatives) {
  Comparison total;
  if (expected.size() != actual.size()) {
    total.passed = false;
    total.tolerance_ratio = kInf;
    total.message =
        std::to_string(actual.size()) + " outputs, expected " + std::to_string(expected.size());
    return total;
  }
  for (std::size_t o = 0; o < expected.size(); ++o) {
    const bool has_alternative = alternatives && alternatives->size() == expected.size() &&
                                 (*alternatives)[o].shape() == expected[o].shape();
    merge_into(total, compare_tensors(expected[o], actual[o], tolerance, static_cast<int>(o),
                                      has_alternative ? &(*alternatives)[o] : nullptr));
  }
  return total;
}

}  // namespace tandem::conformance
