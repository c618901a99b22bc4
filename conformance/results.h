#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "conformance/tolerance.h"
#include "core/backend.h"

namespace tandem::conformance {

// Pass and Fail judge outputs against the reference; Skip means not run (unsupported op or
// feature, listed as unsupported, backend unavailable); ExpectedFailure is a failure the
// backend's expectations list; UnexpectedPass is a listed failure that now passes, and
// counts as a failure so the list gets updated.
enum class Outcome { Pass, Fail, Skip, ExpectedFailure, UnexpectedPass };
const char* outcome_name(Outcome outcome);           // "pass", "fail", "skip", "xfail", "xpass"
Outcome outcome_from_name(const std::string& name);  // throws Error
bool is_failure(Outcome outcome);                    // Fail or UnexpectedPass

struct CaseResult {
  std::string case_id;  // "eltwise/Relu_13"
  std::string family;
  std::string op;  // "Relu", "Conv+Relu+Add", "mobilenet_tiny.onnx"
  Outcome outcome = Outcome::Skip;
  std::string reason;  // why it failed or was skipped; empty on a plain pass
  Comparison comparison;
  Tolerance tolerance;
  double duration_ms = 0.0;
  std::string cache_status;  // cache scenarios: the status the backend reported
};

struct OutcomeCounts {
  int pass = 0, fail = 0, skip = 0, xfail = 0, xpass = 0;
  int total() const { return pass + fail + skip + xfail + xpass; }
  int failures() const { return fail + xpass; }
  void add(Outcome outcome);
};

// One backend on one device (or a parity comparison of two such lanes): what a JSON
// report file holds.
struct LaneReport {
  std::string backend;  // "opencl", or "parity" for a cross-backend comparison
  DeviceInfo device;
  bool available = true;
  std::string note;  // why unavailable, or how a parity pair was matched
  std::string host;
  std::string started_at;  // ISO 8601, UTC
  double duration_s = 0.0;
  std::vector<CaseResult> results;

  std::string label() const;  // "opencl:pocl-cpu-..." or "vulkan (unavailable)"
  OutcomeCounts counts() const;
};

struct RunReport {
  std::string tandem_version;
  std::vector<LaneReport> lanes;
  bool has_failures() const;
};

}  // namespace tandem::conformance
