#include "bench/line_bench.h"

#include <cmath>
#include <random>

#include "core/error.h"

namespace tandem::bench {
namespace {

op_test::SingleNodeGraph line_node(const LineShape& shape) {
  std::mt19937 rng(14);
  const Tensor x = random_f32(rng, {shape.lines, shape.length}, -4.0f, 4.0f);
  const Attributes last_axis = op_test::make_attributes({{"axis", std::int64_t{-1}}});
  if (shape.op == "Softmax")
    return op_test::make_single_node_graph("Softmax", last_axis, {op_test::runtime(x)});
  if (shape.op == "LayerNormalization") {
    const Tensor scale = random_f32(rng, {shape.length}, 0.5f, 2.0f);
    const Tensor bias = random_f32(rng, {shape.length}, -1.0f, 1.0f);
    return op_test::make_single_node_graph(
        "LayerNormalization", last_axis,
        {op_test::runtime(x), op_test::constant(scale), op_test::constant(bias)});
  }
  check(shape.op == "ReduceMean", "tandem-bench: no line op '" + shape.op + "'");
  return op_test::make_single_node_graph(
      "ReduceMean", op_test::make_attributes({{"axes", op_test::Ints{1}}}), {op_test::runtime(x)});
}

// Every element within 1e-4 of its own magnitude plus the outputs' mean magnitude: far above
// float32 rounding over these lines (a softmax's outputs are all small, a LayerNormalization's
// cross zero), far below a line combined wrongly or cut short.
void check_elements(const Tensor& output, const Tensor& reference) {
  const auto got = output.data<float>();
  const auto want = reference.data<double>();  // the reference's outputs are F64
  check(got.size() == want.size(), "tandem-bench: wrong output size");
  double mean = 0;
  for (double value : want) mean += std::fabs(value) / static_cast<double>(want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::fabs(got[i] - want[i]) > 1e-4 * (std::fabs(want[i]) + mean)) {
      fail("wrong result at flat index " + std::to_string(i) + ": " + std::to_string(got[i]) +
           ", expected " + std::to_string(want[i]));
    }
  }
}

}  // namespace

std::string LineShape::name() const {
  return op + " " + std::to_string(lines) + " x " + std::to_string(length);
}

double LineShape::bytes() const {
  const double elements = static_cast<double>(lines * length);
  return 4.0 * (op == "ReduceMean" ? elements + static_cast<double>(lines) : 2.0 * elements);
}

OpTiming bench_line_op(Backend& backend, const DeviceInfo& device, const LineShape& shape,
                       const MeasureOptions& options) {
  const op_test::SingleNodeGraph single = line_node(shape);
  Tensor output;
  const OpTiming timing = compile_and_time(backend, device, single, options, output);
  const Tensor reference =
      run_reference(op_test::plan_single_node(single), single.runtime_inputs).at(0);
  check_elements(output, reference);
  return timing;
}

}  // namespace tandem::bench
