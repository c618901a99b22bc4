#pragma once
#include <regex>
#include <string>
#include <vector>

namespace tandem::conformance {

// One line of a backend's skip list: cases whose id matches `case_pattern` (the whole id,
// ECMAScript regex), on devices whose name matches `device_pattern` (a substring search,
// case-insensitive; empty = every device).
struct ExpectationRule {
  std::string case_pattern;
  std::string device_pattern;
  std::string reason;
  std::regex case_regex;
  std::regex device_regex;

  bool matches(const std::string& case_id, const std::string& device_name) const;
};

// conformance/expectations/<backend>.yaml, kept beside each backend and never in the cases
// (IREE's CTS does the same): `unsupported` is permanent, with a reason, and the case is not
// run; `expected_failure` is temporary: the case runs, a failure is reported as xfail and a
// pass as xpass, which fails the run so the entry gets removed.
struct Expectations {
  std::vector<ExpectationRule> unsupported;
  std::vector<ExpectationRule> expected_failures;

  const ExpectationRule* find_unsupported(const std::string& case_id,
                                          const std::string& device) const;
  const ExpectationRule* find_expected_failure(const std::string& case_id,
                                               const std::string& device) const;
};

Expectations parse_expectations(const std::string& yaml_text, const std::string& source_name);
// `<dir>/<backend>.yaml`; no file means no expectations.
Expectations load_expectations(const std::string& dir, const std::string& backend);

}  // namespace tandem::conformance
