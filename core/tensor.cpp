#include "core/tensor.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/half.h"

namespace tandem {

namespace {

// 2^48 elements (a petabyte of float32) is more than any device holds; below it a tensor's
// bytes, and the sums of bytes the memory planner makes, stay far from int64 overflow.
constexpr std::int64_t kMaxElements = std::int64_t{1} << 48;

}  // namespace

// Hot: tensors' loops ask for numel() at each step, so the messages are built only on failure.
std::int64_t shape_numel(const Shape& shape) {
  for (std::int64_t dim : shape) {
    if (dim < 0) fail("negative dimension in shape " + shape_to_string(shape));
    if (dim == 0) return 0;
  }
  // Dims come from model files: a product that wrapped would be a small, wrong count.
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim > kMaxElements / count) {
      fail("shape " + shape_to_string(shape) + " has more than 2^48 elements");
    }
    count *= dim;
  }
  return count;
}

std::string shape_to_string(const Shape& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return text + "]";
}

Tensor::Tensor(DType dtype, Shape shape) : info_{dtype, std::move(shape)} {
  data_.assign(info_.bytes(), 0);
}

double Tensor::value_f64(std::int64_t i) const {
  const std::uint8_t* p = data_.data() + static_cast<std::size_t>(i) * dtype_size(dtype());
  switch (dtype()) {
    case DType::F32: { float v; std::memcpy(&v, p, 4); return v; }
    case DType::F16: { std::uint16_t v; std::memcpy(&v, p, 2); return half_to_float(v); }
    case DType::F64: { double v; std::memcpy(&v, p, 8); return v; }
    case DType::I64: { std::int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
    case DType::I32: { std::int32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::Bool: return *p ? 1.0 : 0.0;
  }
  return 0.0;
}

// Float to integer truncates toward zero, as ONNX Cast does. What C++ leaves undefined (and
// ONNX leaves open) is defined as OpenCL C's convert_<int>_sat does it: NaN becomes 0 and a
// value beyond the target's range its lowest or highest value. To bool, anything but 0 is
// true, NaN included, as in numpy. docs/reliability.md repeats this.
static std::int64_t float_to_integer(double value, DType target) {
  if (target == DType::Bool) return value != 0.0 ? 1 : 0;
  if (std::isnan(value)) return 0;
  const bool narrow = target == DType::I32;
  const std::int64_t lowest = narrow ? std::numeric_limits<std::int32_t>::lowest()
                                     : std::numeric_limits<std::int64_t>::lowest();
  const std::int64_t highest = narrow ? std::numeric_limits<std::int32_t>::max()
                                      : std::numeric_limits<std::int64_t>::max();
  // Both limits are exact as doubles or round up to 2^63, so the comparisons are exact.
  if (value <= static_cast<double>(lowest)) return lowest;
  if (value >= static_cast<double>(highest)) return highest;
  return static_cast<std::int64_t>(value);
}

std::int64_t Tensor::value_i64(std::int64_t i) const {
  const std::uint8_t* p = data_.data() + static_cast<std::size_t>(i) * dtype_size(dtype());
  switch (dtype()) {
    case DType::I64: { std::int64_t v; std::memcpy(&v, p, 8); return v; }
    case DType::I32: { std::int32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::Bool: return *p ? 1 : 0;
    default: return float_to_integer(value_f64(i), DType::I64);
  }
}

static void store(std::uint8_t* p, DType dtype, double value, std::int64_t integer) {
  switch (dtype) {
    case DType::F32: { float v = static_cast<float>(value); std::memcpy(p, &v, 4); break; }
    case DType::F16: { std::uint16_t v = float_to_half(static_cast<float>(value)); std::memcpy(p, &v, 2); break; }
    case DType::F64: std::memcpy(p, &value, 8); break;
    case DType::I64: std::memcpy(p, &integer, 8); break;
    case DType::I32: { std::int32_t v = static_cast<std::int32_t>(integer); std::memcpy(p, &v, 4); break; }
    case DType::Bool: *p = integer != 0 ? 1 : 0; break;
  }
}

const Tensor& Tensor::as_float32(Tensor& storage) const {
  if (dtype() == DType::F32) return *this;
  storage = cast(DType::F32);
  return storage;
}

Tensor Tensor::cast(DType target) const {
  if (target == dtype()) return *this;
  Tensor result(target, shape());
  const std::size_t size = dtype_size(target);
  const bool from_float = is_float(dtype());
  const std::int64_t count = numel();
  for (std::int64_t i = 0; i < count; ++i) {
    const double value = value_f64(i);
    const std::int64_t integer = from_float ? float_to_integer(value, target) : value_i64(i);
    store(result.data_.data() + static_cast<std::size_t>(i) * size, target,
          from_float ? value : static_cast<double>(integer), integer);
  }
  return result;
}

Tensor Tensor::reshaped(Shape shape) const {
  check(shape_numel(shape) == numel(), "cannot reshape " + shape_to_string(info_.shape) + " to " +
                                           shape_to_string(shape));
  Tensor result = *this;
  result.info_.shape = std::move(shape);
  return result;
}

std::vector<std::int64_t> Tensor::to_i64_vector() const {
  std::vector<std::int64_t> values(static_cast<std::size_t>(numel()));
  for (std::int64_t i = 0; i < numel(); ++i) values[static_cast<std::size_t>(i)] = value_i64(i);
  return values;
}

}  // namespace tandem
