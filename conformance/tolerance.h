#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tandem::conformance {

// How NaN is judged. Match: NaN in the reference must be NaN in the result and vice versa.
// Ignore: an element where either side is NaN is not compared (for ops whose NaN handling
// ONNX leaves open, e.g. Max/MaxPool over a window holding a NaN).
enum class NanPolicy { Match, Ignore };

// An element passes when |actual - expected| <= abs + rel * |expected| (expected in float64),
// or, where `ulp` >= 0, when actual is within `ulp` float32 steps of the expected value
// rounded to float32. ±inf must match exactly and -0 equals +0. With `flush_denormals`, an
// expected float32 denormal may come back as zero (and a zero as a denormal): OpenCL and
// Vulkan both make float32 denormal support optional. Every tolerance states its reason.
struct Tolerance {
  double abs = 0.0;
  double rel = 0.0;
  std::int64_t ulp = -1;  // -1: no ULP criterion
  NanPolicy nan = NanPolicy::Match;
  bool flush_denormals = true;
  std::string reason;
};

const char* nan_policy_name(NanPolicy policy);     // "match", "ignore"
std::string describe(const Tolerance& tolerance);  // "abs 1e-05, rel 0.0001, ulp 4"

// The result of comparing a device's outputs with the reference's. `tolerance_ratio` is the
// worst element's error as a fraction of what it was allowed (<= 1 passes; +inf where NaN
// or ±inf disagree), and `worst_*` locate that element.
struct Comparison {
  bool passed = true;
  std::string message;  // empty when passed
  double max_abs_err = 0.0;
  double max_rel_err = 0.0;
  std::int64_t max_ulp = 0;
  double tolerance_ratio = 0.0;
  std::int64_t mismatches = 0;
  int worst_output = -1;
  std::int64_t worst_index = -1;
  double worst_expected = 0.0;
  double worst_actual = 0.0;
};

// Distance in float32 steps between a and b, counting -0 and +0 as one value, so the
// distance across zero is the number of representable floats between them. NaN: INT64_MAX.
std::int64_t ulp_distance(float a, float b);

// Compares one output; `output` only labels the message. Where `alternative` is given (the
// reference computed from denormal-flushed inputs), an element may match either.
Comparison compare_tensors(const Tensor& expected, const Tensor& actual, const Tolerance& tolerance,
                           int output = 0, const Tensor* alternative = nullptr);
// Compares every output and merges the statistics; a count or shape mismatch fails.
// `alternatives`, when not empty, holds one alternative reference per output.
Comparison compare_outputs(const std::vector<Tensor>& expected, const std::vector<Tensor>& actual,
                           const Tolerance& tolerance,
                           const std::vector<Tensor>* alternatives = nullptr);

}  // namespace tandem::conformance
