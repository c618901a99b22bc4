#pragma once
#include <chrono>

namespace tandem {

// Wall-clock milliseconds since `start` on the steady clock: compile, run and cache timings.
inline double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace tandem
