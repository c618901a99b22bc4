#include "bench/op_bench.h"

#include <cmath>
#include <random>

#include "core/error.h"

namespace tandem::bench {
namespace {

// A figure from a kernel that computes the wrong thing must not be printed: sampled
// entries (the corners among them) are compared with float64 sums of the same terms. The
// bound, 1e-3 of the sum of the terms' magnitudes, is far above float32 rounding over any
// K here and far below what a skipped or repeated block of K leaves.
struct TermSum {
  double value = 0, magnitude = 0;
  void add(double a, double b) { value += a * b, magnitude += std::fabs(a * b); }
};

template <typename Expected>
void check_samples(const Tensor& output, std::int64_t count, Expected expected) {
  std::mt19937_64 rng(13);
  std::uniform_int_distribution<std::int64_t> pick(0, count - 1);
  const auto values = output.data<float>();
  for (int sample = 0; sample < 256; ++sample) {
    const std::int64_t index = sample == 0 ? 0 : sample == 1 ? count - 1 : pick(rng);
    const TermSum want = expected(index);
    const double got = values[static_cast<std::size_t>(index)];
    if (std::fabs(got - want.value) > 1e-3 * want.magnitude + 1e-6) {
      fail("wrong result at flat index " + std::to_string(index) + ": " + std::to_string(got) +
           ", expected " + std::to_string(want.value));
    }
  }
}

}  // namespace

Tensor random_f32(std::mt19937& rng, const Shape& shape, float low, float high) {
  std::uniform_real_distribution<float> values(low, high);
  Tensor tensor(DType::F32, shape);
  for (float& value : tensor.data<float>()) value = values(rng);
  return tensor;
}

OpTiming compile_and_time(Backend& backend, const DeviceInfo& device,
                          const op_test::SingleNodeGraph& single, const MeasureOptions& options,
                          Tensor& first_output) {
  const Plan plan = op_test::plan_single_node(single);
  CompileOptions compile;
  compile.cache.mode = CacheMode::Off;
  OpTiming timing;
  double start = now_ms();
  std::unique_ptr<Executable> executable = backend.compile(plan, device, compile);
  timing.compile_ms = wall_ms_since(start);
  start = now_ms();
  first_output = executable->run(single.runtime_inputs).at(0);
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

double ConvShape::flops() const {
  return 2.0 * static_cast<double>(batch * out_channels * out_height() * out_width()) *
         static_cast<double>(channels / group * kernel * kernel);
}

OpTiming bench_matmul(Backend& backend, const DeviceInfo& device, const GemmShape& shape,
                      const MeasureOptions& options) {
  std::mt19937 rng(11);
  const Tensor a = random_f32(rng, {shape.m, shape.k});
  const Tensor b = random_f32(rng, {shape.k, shape.n});
  const op_test::SingleNodeGraph single = op_test::make_single_node_graph(
      "MatMul", {}, {op_test::runtime(a), op_test::constant(b)});
  Tensor output;
  const OpTiming timing = compile_and_time(backend, device, single, options, output);
  const auto av = a.data<float>();
  const auto bv = b.data<float>();
  check_samples(output, shape.m * shape.n, [&](std::int64_t index) {
    const std::int64_t i = index / shape.n, j = index % shape.n;
    TermSum sum;
    for (std::int64_t p = 0; p < shape.k; ++p) {
      sum.add(av[static_cast<std::size_t>(i * shape.k + p)],
              bv[static_cast<std::size_t>(p * shape.n + j)]);
    }
    return sum;
  });
  return timing;
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
  const std::int64_t per_group = shape.channels / shape.group;
  const Tensor x = random_f32(rng, {shape.batch, shape.channels, shape.height, shape.width});
  const Tensor w = random_f32(rng, {shape.out_channels, per_group, k, k});
  const Tensor bias = random_f32(rng, {shape.out_channels});
  const op_test::SingleNodeGraph single = op_test::make_single_node_graph(
      "Conv", attributes, {op_test::runtime(x), op_test::constant(w), op_test::constant(bias)});
  Tensor output;
  const OpTiming timing = compile_and_time(backend, device, single, options, output);
  const auto xv = x.data<float>();
  const auto wv = w.data<float>();
  const std::int64_t oh_count = shape.out_height(), ow_count = shape.out_width();
  const std::int64_t outputs_per_group = shape.out_channels / shape.group;
  check_samples(output, shape.batch * shape.out_channels * oh_count * ow_count,
                [&](std::int64_t index) {
    const std::int64_t ow = index % ow_count, oh = index / ow_count % oh_count;
    const std::int64_t oc = index / (ow_count * oh_count) % shape.out_channels;
    const std::int64_t n = index / (ow_count * oh_count * shape.out_channels);
    TermSum sum;
    sum.add(bias.data<float>()[static_cast<std::size_t>(oc)], 1.0);
    for (std::int64_t c = 0; c < per_group; ++c) {
      const std::int64_t channel = oc / outputs_per_group * per_group + c;
      for (std::int64_t kh = 0; kh < k; ++kh) {
        for (std::int64_t kw = 0; kw < k; ++kw) {
          const std::int64_t ih = oh * s - p + kh, iw = ow * s - p + kw;
          if (ih < 0 || ih >= shape.height || iw < 0 || iw >= shape.width) continue;
          sum.add(xv[static_cast<std::size_t>(((n * shape.channels + channel) * shape.height + ih) *
                                                   shape.width + iw)],
                  wv[static_cast<std::size_t>(((oc * per_group + c) * k + kh) * k + kw)]);
        }
      }
    }
    return sum;
  });
  return timing;
}

}  // namespace tandem::bench
