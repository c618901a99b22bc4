#pragma once
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "conformance/results.h"

namespace tandem::conformance {

// Reports results as they arrive, from any thread: on a terminal, one redrawn bar with
// counts and the current case; otherwise (CI logs) one plain line per result.
class Progress {
 public:
  Progress(std::FILE* stream, bool terminal);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void add_expected(int count);
  void report(const std::string& lane, const CaseResult& result);
  void note(const std::string& line);  // a line that is not a result (lane unavailable ...)
  void finish();

 private:
  void draw_bar(const std::string& lane, const CaseResult& result);

  std::mutex mutex_;
  std::FILE* stream_;
  bool terminal_;
  bool bar_drawn_ = false;
  int expected_ = 0;
  int done_ = 0;
  OutcomeCounts counts_;
  std::chrono::steady_clock::time_point start_;
};

// The table printed at the end of a run: one row per backend and device with its counts.
std::string summary_table(const RunReport& report);

}  // namespace tandem::conformance
