#include "conformance/input_generator.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace tandem::conformance {
namespace {

// A double in [0, 1) from the top 53 bits of one draw.
double unit(std::mt19937_64& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

// Box-Muller, one value per pair of draws (simpler to reproduce than caching the second).
double normal(std::mt19937_64& engine, double mean, double deviation) {
  const double u1 = 1.0 - unit(engine);  // (0, 1]: log(0) never happens
  const double u2 = unit(engine);
  return mean + deviation * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double draw(const GeneratorSpec& spec, std::mt19937_64& engine, std::int64_t index) {
  switch (spec.distribution) {
    case Distribution::Uniform:
      return spec.a + (spec.b - spec.a) * unit(engine);
    case Distribution::Normal:
      return normal(engine, spec.a, spec.b);
    case Distribution::Integers: {
      const auto low = static_cast<std::int64_t>(std::ceil(spec.a));
      const auto span =
          static_cast<std::uint64_t>(static_cast<std::int64_t>(std::floor(spec.b)) - low + 1);
      return static_cast<double>(
          low + static_cast<std::int64_t>(engine() % std::max<std::uint64_t>(span, 1)));
    }
    case Distribution::Fill:
      return spec.a;
    case Distribution::Arange:
      return spec.a + spec.b * static_cast<double>(index);
  }
  return 0.0;
}

// Stores a value with the rounding the device input will have.
void store(Tensor& tensor, std::int64_t i, double value) {
  const auto index = static_cast<std::size_t>(i);
  switch (tensor.dtype()) {
    case DType::F32:
      tensor.data<float>()[index] = static_cast<float>(value);
      break;
    case DType::F64:
      tensor.data<double>()[index] = value;
      break;
    case DType::I64:
      tensor.data<std::int64_t>()[index] = static_cast<std::int64_t>(value);
      break;
    case DType::I32:
      tensor.data<std::int32_t>()[index] = static_cast<std::int32_t>(value);
      break;
    case DType::Bool:
      tensor.data<std::uint8_t>()[index] = value != 0.0 ? 1 : 0;
      break;
    case DType::F16:
      fail("float16 inputs are generated as float32 and cast");
  }
}

}  // namespace

std::vector<std::int64_t> special_positions(std::int64_t numel, std::int64_t count,
                                            std::uint64_t seed) {
  std::vector<std::int64_t> positions;
  count = std::min(count, numel);
  if (count <= 0) return positions;
  std::mt19937_64 engine(seed ^ 0x5bd1e995u);
  for (std::int64_t k = 0; k < count; ++k) {
    const std::int64_t begin = k * numel / count;
    const std::int64_t end = (k + 1) * numel / count;  // > begin since count <= numel
    positions.push_back(
        begin + static_cast<std::int64_t>(engine() % static_cast<std::uint64_t>(end - begin)));
  }
  return positions;
}

Tensor generate_input(const InputSpec& spec, std::uint64_t seed) {
  const DType storage = spec.dtype == DType::F16 ? DType::F32 : spec.dtype;
  Tensor tensor(storage, spec.shape);
  const std::int64_t numel = tensor.numel();
  if (spec.values) {
    for (std::int64_t i = 0; i < numel; ++i)
      store(tensor, i, (*spec.values)[static_cast<std::size_t>(i)]);
  } else {
    std::mt19937_64 engine(seed);
    for (std::int64_t i = 0; i < numel; ++i) store(tensor, i, draw(spec.generator, engine, i));
    const auto& specials = spec.generator.specials;
    if (!specials.empty()) {
      const auto wanted = static_cast<std::int64_t>(
          std::llround(spec.generator.special_fraction * static_cast<double>(numel)));
      const std::int64_t count =
          std::max<std::int64_t>(wanted, static_cast<std::int64_t>(specials.size()));
      const std::vector<std::int64_t> positions = special_positions(numel, count, seed);
      for (std::size_t k = 0; k < positions.size(); ++k)
        store(tensor, positions[k], specials[k % specials.size()]);
    }
  }
  return spec.dtype == DType::F16 ? tensor.cast(DType::F16) : tensor;
}

}  // namespace tandem::conformance
