#include "core/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace tandem {
namespace {

// Dims come from model and .npy files: a product that overflowed would be a small count.
TEST(ShapeNumel, CountsAndRefusesOverflow) {
  EXPECT_EQ(shape_numel({}), 1);
  EXPECT_EQ(shape_numel({2, 3, 7}), 42);
  EXPECT_EQ(shape_numel({std::int64_t{1} << 62, 0}), 0);   // empty, however large the rest
  EXPECT_EQ(shape_numel({std::int64_t{1} << 24, std::int64_t{1} << 24}), std::int64_t{1} << 48);
  EXPECT_THROW(shape_numel({std::int64_t{1} << 40, std::int64_t{1} << 40}), Error);
  EXPECT_THROW(shape_numel({std::int64_t{1} << 62, std::int64_t{1} << 62}), Error);
  EXPECT_THROW(shape_numel({(std::int64_t{1} << 48) + 1}), Error);
  EXPECT_THROW(shape_numel({3, -1}), Error);
}

// What C++ leaves undefined is defined as OpenCL's convert_<int>_sat: NaN to 0, saturation.
TEST(TensorCast, FloatToIntegerSaturatesAndMapsNanToZero) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor source = Tensor::from(DType::F64, {8}, std::vector<double>{
      nan, inf, -inf, 1e30, -1e30, 3e9, -2.7, 2.7});
  EXPECT_EQ(source.cast(DType::I64).to_i64_vector(),
            (std::vector<std::int64_t>{0, INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN, 3000000000, -2, 2}));
  EXPECT_EQ(source.cast(DType::I32).to_i64_vector(),
            (std::vector<std::int64_t>{0, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, INT32_MAX, -2, 2}));
  // To bool anything but zero is true, NaN included (numpy's rule).
  EXPECT_EQ(source.cast(DType::Bool).to_i64_vector(), (std::vector<std::int64_t>(8, 1)));
  EXPECT_EQ(Tensor::from(DType::F32, {2}, std::vector<float>{0.0f, -0.0f}).cast(DType::Bool).to_i64_vector(),
            (std::vector<std::int64_t>{0, 0}));
}

// A cast to the tensor's own type is a copy: a signalling NaN's payload and -0 survive.
TEST(TensorCast, ToItsOwnTypeKeepsEveryBit) {
  const std::vector<std::uint32_t> bits{0x7f800123u, 0x80000000u, 0x3fc00000u, 0xff7fffffu};
  std::vector<float> values(bits.size());
  std::memcpy(values.data(), bits.data(), bits.size() * 4);
  const Tensor copy = Tensor::from(DType::F32, {2, 2}, values).cast(DType::F32);
  EXPECT_EQ(copy.shape(), (Shape{2, 2}));
  std::vector<std::uint32_t> copied(bits.size());
  std::memcpy(copied.data(), copy.data<float>().data(), bits.size() * 4);
  EXPECT_EQ(copied, bits);
}

// as_float32: a float32 tensor is itself (no copy); another float type is cast into the
// storage, each value rounded to the nearest float, checked on seeded random values.
TEST(TensorCast, AsFloat32CopiesOnlyOtherTypes) {
  std::mt19937 random(23);
  std::uniform_real_distribution<double> value(-1e3, 1e3);
  std::vector<double> wide(37);
  for (double& v : wide) v = value(random);
  const Tensor f64 = Tensor::from(DType::F64, {37}, wide);
  Tensor storage;
  const Tensor& narrowed = f64.as_float32(storage);
  EXPECT_EQ(&narrowed, &storage);
  ASSERT_EQ(narrowed.dtype(), DType::F32);
  for (std::size_t i = 0; i < wide.size(); ++i) {
    EXPECT_EQ(narrowed.data<float>()[i], static_cast<float>(wide[i])) << i;
  }
  Tensor untouched;
  EXPECT_EQ(&narrowed.as_float32(untouched), &narrowed);
  EXPECT_EQ(untouched.bytes(), 0u);
}

// In range, the cast truncates toward zero like std::trunc, checked on seeded random values.
TEST(TensorCast, InRangeValuesTruncateTowardZero) {
  std::mt19937 random(17);
  std::uniform_real_distribution<double> value(-1e6, 1e6);
  std::vector<double> values(1000);
  for (double& v : values) v = value(random);
  const std::vector<std::int64_t> cast =
      Tensor::from(DType::F64, {1000}, values).cast(DType::I32).to_i64_vector();
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(cast[i], static_cast<std::int64_t>(std::trunc(values[i]))) << values[i];
  }
}

// value_i64 reads floats through the same defined conversion.
TEST(TensorCast, ValueI64OfNonFiniteFloats) {
  const Tensor source = Tensor::from(DType::F32, {3}, std::vector<float>{
      std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), 1e20f});
  EXPECT_EQ(source.value_i64(0), 0);
  EXPECT_EQ(source.value_i64(1), INT64_MAX);
  EXPECT_EQ(source.value_i64(2), INT64_MAX);
}

}  // namespace
}  // namespace tandem
