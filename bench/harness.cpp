#include "bench/harness.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "core/stopwatch.h"

namespace tandem::bench {

double now_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double wall_ms_since(double start_ms) { return now_ms() - start_ms; }

double gflops(double flops, double ms) { return ms > 0 ? flops / (ms * 1e6) : 0.0; }

Measurement measure(const std::function<Sample()>& once, const MeasureOptions& options) {
  for (int i = 0; i < options.warmup; ++i) once();
  std::vector<double> samples;
  std::string clock;
  double spent = 0;
  while (static_cast<int>(samples.size()) < options.max_repetitions) {
    const Sample sample = once();
    samples.push_back(sample.ms);
    clock = sample.clock;
    spent += sample.ms;
    // Slow figures (a CPU device) stop at the budget, one sample at least; the rest once
    // they have min_repetitions.
    const bool enough = static_cast<int>(samples.size()) >= options.min_repetitions;
    if (spent >= (enough ? 1.0 : 3.0) * options.budget_ms) break;
  }
  Measurement result;
  result.repetitions = static_cast<int>(samples.size());
  result.median_ms = median_of(samples);
  result.min_ms = *std::min_element(samples.begin(), samples.end());
  result.clock = clock;
  return result;
}

}  // namespace tandem::bench
