#pragma once
// An example model end to end through tandem::Session on one backend: compile + first run
// with an empty cache (cold) and again with the cache that run wrote (warm), each with its
// device set-up time apart, then the steady-state latency by wall clock and by device timer,
// and the planned arena against the planner's live-set lower bound.
#include <string>

#include "bench/harness.h"
#include "core/config.h"

namespace tandem::bench {

struct FirstRun {
  double ms = 0;              // compile + first run, by wall clock, without device_init_ms
  double device_init_ms = 0;  // SessionTimings::device_init_ms
};

struct ModelTiming {
  std::string device;
  FirstRun cold;  // an empty cache
  FirstRun warm;  // the cache the cold run wrote
  std::string cold_status, warm_status;
  Measurement steady;
  // Median over the steady runs of their device time, first kernel's start to last one's
  // end (Session::last_run_device_ms); negative where the backend cannot time.
  double steady_device_ms = -1;
  std::int64_t planned_bytes = 0;
  std::int64_t lower_bound_bytes = 0;
};

ModelTiming bench_model(const std::string& path, const std::string& backend,
                        const DeviceSelector& device, const MeasureOptions& options);

}  // namespace tandem::bench
