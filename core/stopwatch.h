#pragma once
#include <algorithm>
#include <chrono>
#include <vector>

namespace tandem {

// Wall-clock milliseconds since `start` on the steady clock: compile, run and cache timings.
inline double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The middle of a non-empty list of timings (the upper one of an even count): the figure
// the bench, `tandem run` and the work-group tuner report.
inline double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.at(values.size() / 2);
}

}  // namespace tandem
