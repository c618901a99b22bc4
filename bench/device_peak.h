#pragma once
// A device's FP32 peak in GFLOP/s, for conv layers reported as a fraction of it. APIs do not
// report it: known GPUs come from their data sheets, CPUs are estimated from cores x clock
// x FLOP/cycle for two FMA units of the widest vectors the CPU reports (64 with AVX-512, 32
// with AVX2 and FMA, 16 otherwise), and --peak-gflops overrides both. CPUs that split
// AVX-512 in two halves (AMD Zen 4) reach half the estimate; a peak must not be too low, or
// a layer reads over 100% of it.
#include <string>

#include "core/backend.h"

namespace tandem::bench {

struct Peak {
  double gflops = 0;   // 0: unknown
  std::string source;  // "data sheet (H100 SXM)", "estimate: ... x 64 (AVX-512)", "--peak-gflops"
};

Peak fp32_peak(const DeviceInfo& device, double override_gflops);

}  // namespace tandem::bench
