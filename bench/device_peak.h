#pragma once
// A device's FP32 peak in GFLOP/s, for conv layers reported as a fraction of it. APIs do not
// report it: known GPUs come from their data sheets, CPUs are estimated from cores x clock
// x 32 FLOP/cycle (two 8-wide FMA units), and --peak-gflops overrides both.
#include <string>

#include "core/backend.h"

namespace tandem::bench {

struct Peak {
  double gflops = 0;   // 0: unknown
  std::string source;  // "data sheet", "estimate: 2 cores x 3.0 GHz x 32", "--peak-gflops"
};

Peak fp32_peak(const DeviceInfo& device, double override_gflops);

}  // namespace tandem::bench
