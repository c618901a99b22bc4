#pragma once
// Repetition harness of tandem-bench: warm-up runs, then timed runs until a time budget or a
// repetition cap is reached, reported as the median (robust to the odd slow run on a shared
// machine) and the minimum.
#include <functional>
#include <string>

namespace tandem::bench {

struct MeasureOptions {
  int warmup = 1;
  int min_repetitions = 3;
  int max_repetitions = 30;
  double budget_ms = 1000;  // stop after this much measured time once min_repetitions ran
};

struct Measurement {
  double median_ms = 0;
  double min_ms = 0;
  int repetitions = 0;
  std::string clock;  // "device" (timestamp queries / profiling events) or "wall"
};

// One timed sample of what is measured: the milliseconds and which clock gave them.
struct Sample {
  double ms = 0;
  std::string clock;
};

Measurement measure(const std::function<Sample()>& once, const MeasureOptions& options);

// GFLOP/s of `flops` done in `ms` milliseconds.
double gflops(double flops, double ms);

double wall_ms_since(double start_ms);
double now_ms();

}  // namespace tandem::bench
