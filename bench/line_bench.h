#pragma once
// Ops that reduce along lines (Softmax, LayerNormalization, ReduceMean over the last axis),
// whose long lines the backends give a workgroup each: timed like op_bench.h's kernels, and
// checked element by element against the float64 reference first.
#include <string>

#include "bench/op_bench.h"

namespace tandem::bench {

struct LineShape {
  std::string op;  // Softmax, LayerNormalization or ReduceMean
  std::int64_t lines = 0, length = 0;
  std::string name() const;
  // The least memory traffic: every input element read once, every output written once.
  double bytes() const;
};

OpTiming bench_line_op(Backend& backend, const DeviceInfo& device, const LineShape& shape,
                       const MeasureOptions& options);

}  // namespace tandem::bench
