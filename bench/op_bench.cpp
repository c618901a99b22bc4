#include "bench/op_bench.h"

#include <random>

#include "core/ops/single_node_graph.h"

namespace tandem::bench {
namespace {

Tensor random_f32(std::mt19937& rng, const Shape& shape) {
  std::uniform_real_distribution<float> values(-1.0f, 1.0f);
  Tensor tensor(DType::F32, shape);
  for (float& value : tensor.data<float>()) value = values(rng);
  return tensor;
}

OpTiming compile_and_time(Backend& backend, const DeviceInfo& device,
                          const op_test::SingleNodeGraph& single, const MeasureOptions& options) {
  const Plan plan = op_test::plan_single_node(single);
  CompileOptions compile;
  compile.cache.mode = CacheMode::Off;
  OpTiming timing;
  double start = now_ms();
  std::unique_ptr<Executable> executable = backend.compile(plan, device, compile);
  timing.compile_ms = wall_ms_since(start);
  start = now_ms();
  executable->run(single.runtime_inputs);
  timing.first_run_ms = wall_ms_since(start);
  MeasureOptions steady = options;
  steady.warmup = 0;  // the first run was the warm-up
  timing.steady = measure(
      [&] {
        const double begin = now_ms();
        executable->run(single.runtime_inputs);
        const double wall = wall_ms_since(begin);
        const std::optional<double> device_ms = executable->last_run_device_ms();
        return device_ms ? Sample{*device_ms, "device"} : Sample{wall, "wall"};
      },
      steady);
  return timing;
}

}  // namespace

double ConvShape::flops() const {
  return 2.0 * static_cast<double>(batch * out_channels * out_height() * out_width()) *
         static_cast<double>(channels / group * kernel * kernel);
}

OpTiming bench_matmul(Backend& backend, const DeviceInfo& device, const GemmShape& shape,
                      const MeasureOptions& options) {
  std::mt19937 rng(11);
  const op_test::SingleNodeGraph single = op_test::make_single_node_graph(
      "MatMul", {},
      {op_test::runtime(random_f32(rng, {shape.m, shape.k})),
       op_test::constant(random_f32(rng, {shape.k, shape.n}))});
  return compile_and_time(backend, device, single, options);
}

OpTiming bench_conv(Backend& backend, const DeviceInfo& device, const ConvShape& shape,
                    const MeasureOptions& options) {
  std::mt19937 rng(12);
  const std::int64_t k = shape.kernel;
  const std::int64_t p = shape.pad;
  const std::int64_t s = shape.stride;
  const Attributes attributes = op_test::make_attributes(
      {{"kernel_shape", op_test::Ints{k, k}},
       {"pads", op_test::Ints{p, p, p, p}},
       {"strides", op_test::Ints{s, s}},
       {"group", shape.group}});
  const op_test::SingleNodeGraph single = op_test::make_single_node_graph(
      "Conv", attributes,
      {op_test::runtime(random_f32(rng, {shape.batch, shape.channels, shape.height, shape.width})),
       op_test::constant(random_f32(rng, {shape.out_channels, shape.channels / shape.group, k, k})),
       op_test::constant(random_f32(rng, {shape.out_channels}))});
  return compile_and_time(backend, device, single, options);
}

}  // namespace tandem::bench
