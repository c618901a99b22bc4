#pragma once
// One ONNX node (MatMul or Conv) planned and compiled on a tandem backend's device through
// the public path, then timed: by the executable's device timer where it has one
// (Executable::last_run_device_ms), else by wall clock around run(), host copies included.
// Sampled outputs are checked against float64 sums first: a wrong result throws instead of
// giving a figure.
#include <memory>
#include <random>
#include <string>

#include "bench/harness.h"
#include "core/backend.h"
#include "core/ops/single_node_graph.h"

namespace tandem::bench {

struct GemmShape {
  std::string name;
  std::int64_t m = 0, n = 0, k = 0;
  double flops() const { return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k); }
};

struct ConvShape {
  std::string name;
  std::int64_t batch = 1, channels = 0, height = 0, width = 0;
  std::int64_t out_channels = 0, kernel = 3, stride = 1, pad = 1, group = 1;
  std::int64_t out_height() const { return (height + 2 * pad - kernel) / stride + 1; }
  std::int64_t out_width() const { return (width + 2 * pad - kernel) / stride + 1; }
  double flops() const;
};

struct OpTiming {
  Measurement steady;
  double compile_ms = 0;
  double first_run_ms = 0;
};

// Uniform float32 values in [low, high) from a generator the caller seeds.
Tensor random_f32(std::mt19937& rng, const Shape& shape, float low = -1.0f, float high = 1.0f);

// Plans and compiles the node (tandem cache off), runs it once (the warm-up, whose outputs
// land in first_output) and then until the budget.
OpTiming compile_and_time(Backend& backend, const DeviceInfo& device,
                          const op_test::SingleNodeGraph& single, const MeasureOptions& options,
                          Tensor& first_output);

// C[m, n] = A[m, k] x B[k, n] as MatMul, A fed at run time, B a constant (weights).
OpTiming bench_matmul(Backend& backend, const DeviceInfo& device, const GemmShape& shape,
                      const MeasureOptions& options);
// Conv with constant weights and bias, X fed at run time.
OpTiming bench_conv(Backend& backend, const DeviceInfo& device, const ConvShape& shape,
                    const MeasureOptions& options);

}  // namespace tandem::bench
