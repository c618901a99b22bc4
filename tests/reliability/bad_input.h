#pragma once
// Bad input everywhere (issue 7.7): each case gives tandem one wrong, missing or malicious
// argument, config key, environment variable, model, input or cache file. The rule for
// all: a non-zero exit (not a signal, not a hang), exactly one line on stderr besides
// info and debug logs, "tandem: error: " naming what was wrong, and nothing on disk changed.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tests/reliability/tandem_runs.h"

namespace tandem::reliability {

struct BadInputCase {
  std::string id;                  // the test's name; [A-Za-z0-9_] only
  // "{dir}" becomes the workspace, "{model}" a good model, "{file}" the case's own file,
  // "{backend}" the GPU backend there is (else the reference). Cases are listed before the
  // workspace exists (when tests are registered), hence placeholders.
  std::vector<std::string> args;
  std::string names;               // what the error line must contain
  std::string file_bytes = {};     // written to {file} ("{dir}" expanded) when not empty
  std::vector<std::pair<std::string, std::string>> environment = {};
  const char* known_failure = nullptr;   // an id of known_failures.h while it fails
  // When set, the run's peak memory may exceed the good model's by no more than this: the
  // sizes the file claims must not be allocated.
  long max_extra_rss_kb = 0;
  int timeout_seconds = 15;        // a run still going then has hung
};

// gtest prints parameters in failure messages: the id, not the bytes.
inline void PrintTo(const BadInputCase& bad, std::ostream* out) { *out << bad.id; }

// A directory with a good model, a valid cache for it, and the odd files the cases point
// at (a fifo, a directory, garbage, ...). One per test executable.
class BadInputWorkspace {
 public:
  static BadInputWorkspace& instance();

  const std::string& dir() const { return scratch_.path(); }
  const std::string& backend() const { return backend_; }
  // Runs the case; "" when tandem behaved, else what it did wrong.
  std::string problem_with(const BadInputCase& bad) const;

 private:
  BadInputWorkspace();
  std::vector<std::string> expand(const std::vector<std::string>& args, const std::string& file) const;

  ScratchDir scratch_;
  long good_peak_kb_ = 0;
  std::string backend_;
  std::string cache_dir_;
};

// Checks one case, honouring its known failure.
void check_bad_input(const BadInputCase& bad);

// Test names for INSTANTIATE_TEST_SUITE_P.
struct BadInputName {
  std::string operator()(const ::testing::TestParamInfo<BadInputCase>& info) const {
    return info.param.id;
  }
};

}  // namespace tandem::reliability
