#include "core/tensor.h"

#include <cstring>

#include "core/half.h"

namespace tandem {

std::int64_t shape_numel(const Shape& shape) {
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    check(dim >= 0, "negative dimension in shape " + shape_to_string(shape));
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

std::int64_t Tensor::value_i64(std::int64_t i) const {
  const std::uint8_t* p = data_.data() + static_cast<std::size_t>(i) * dtype_size(dtype());
  switch (dtype()) {
    case DType::I64: { std::int64_t v; std::memcpy(&v, p, 8); return v; }
    case DType::I32: { std::int32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::Bool: return *p ? 1 : 0;
    default: return static_cast<std::int64_t>(value_f64(i));
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

Tensor Tensor::cast(DType target) const {
  Tensor result(target, shape());
  const std::size_t size = dtype_size(target);
  const bool from_float = is_float(dtype());
  for (std::int64_t i = 0; i < numel(); ++i) {
    const double value = value_f64(i);
    // Float to integer truncates toward zero, as ONNX Cast does.
    const std::int64_t integer = from_float ? static_cast<std::int64_t>(value) : value_i64(i);
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
