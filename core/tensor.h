#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"

namespace tandem {

using Shape = std::vector<std::int64_t>;

std::int64_t shape_numel(const Shape& shape);
std::string shape_to_string(const Shape& shape);   // "[1, 3, 224, 224]"

// The element type and shape of a value, known before any data exists.
struct TensorInfo {
  DType dtype = DType::F32;
  Shape shape;

  std::int64_t numel() const { return shape_numel(shape); }
  std::size_t bytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype); }
  bool operator==(const TensorInfo&) const = default;
};

// A dense, C-order, host-side tensor that owns its bytes.
class Tensor {
 public:
  Tensor() = default;
  Tensor(DType dtype, Shape shape);                  // zero-filled
  explicit Tensor(const TensorInfo& info) : Tensor(info.dtype, info.shape) {}

  template <typename T>
  static Tensor from(DType dtype, Shape shape, const std::vector<T>& values);

  DType dtype() const { return info_.dtype; }
  const Shape& shape() const { return info_.shape; }
  const TensorInfo& info() const { return info_; }
  std::int64_t numel() const { return info_.numel(); }
  std::size_t bytes() const { return data_.size(); }
  std::uint8_t* raw() { return data_.data(); }
  const std::uint8_t* raw() const { return data_.data(); }

  // Typed views; throw Error if T does not match dtype().
  template <typename T> std::span<T> data();
  template <typename T> std::span<const T> data() const;

  // Element i converted to double / int64, whatever the dtype (F16 included).
  double value_f64(std::int64_t i) const;
  std::int64_t value_i64(std::int64_t i) const;

  // A copy converted to another dtype (round-to-nearest for float narrowing).
  Tensor cast(DType dtype) const;
  // This tensor as float32 without copying it when it is one already; else its cast, kept in
  // `storage` (which must outlive the returned reference).
  const Tensor& as_float32(Tensor& storage) const;
  // Same bytes, new shape with the same element count.
  Tensor reshaped(Shape shape) const;
  std::vector<std::int64_t> to_i64_vector() const;

 private:
  // Throws unless T is dtype(). Hot (the reference backend's loops take a view per element),
  // so the message is built only on failure.
  template <typename T>
  void expect_dtype() const;

  TensorInfo info_;
  std::vector<std::uint8_t> data_;
};

template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::F32; }
template <> constexpr DType dtype_of<double>() { return DType::F64; }
template <> constexpr DType dtype_of<std::int64_t>() { return DType::I64; }
template <> constexpr DType dtype_of<std::int32_t>() { return DType::I32; }
template <> constexpr DType dtype_of<std::uint8_t>() { return DType::Bool; }

template <typename T>
void Tensor::expect_dtype() const {
  if (dtype_of<T>() != info_.dtype) {
    fail(std::string("tensor holds ") + dtype_name(info_.dtype) + ", not " +
         dtype_name(dtype_of<T>()));
  }
}

template <typename T>
std::span<T> Tensor::data() {
  expect_dtype<T>();
  return {reinterpret_cast<T*>(data_.data()), static_cast<std::size_t>(numel())};
}

template <typename T>
std::span<const T> Tensor::data() const {
  expect_dtype<T>();
  return {reinterpret_cast<const T*>(data_.data()), static_cast<std::size_t>(numel())};
}

template <typename T>
Tensor Tensor::from(DType dtype, Shape shape, const std::vector<T>& values) {
  Tensor source(dtype_of<T>(), shape);
  check(static_cast<std::int64_t>(values.size()) == source.numel(),
        "Tensor::from: " + std::to_string(values.size()) + " values for shape " +
            shape_to_string(shape));
  std::copy(values.begin(), values.end(), source.data<T>().begin());
  return dtype == dtype_of<T>() ? source : source.cast(dtype);
}

}  // namespace tandem
