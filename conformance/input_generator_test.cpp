#include "conformance/input_generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

namespace tandem::conformance {
namespace {

InputSpec spec_of(Shape shape, Distribution distribution, double a, double b) {
  InputSpec spec;
  spec.shape = std::move(shape);
  spec.generator.distribution = distribution;
  spec.generator.a = a;
  spec.generator.b = b;
  return spec;
}

bool same_bytes(const Tensor& x, const Tensor& y) {
  return x.bytes() == y.bytes() && std::memcmp(x.raw(), y.raw(), x.bytes()) == 0;
}

TEST(InputGenerator, SameSeedSameBitsOtherSeedOtherBits) {
  const InputSpec spec = spec_of({3, 257}, Distribution::Normal, 0.0, 1.0);
  const Tensor first = generate_input(spec, 99);
  EXPECT_TRUE(same_bytes(first, generate_input(spec, 99)));
  EXPECT_FALSE(same_bytes(first, generate_input(spec, 100)));
}

TEST(InputGenerator, UniformFollowsTheDocumentedFormula) {
  const InputSpec spec = spec_of({64}, Distribution::Uniform, -2.0, 6.0);
  const Tensor tensor = generate_input(spec, 7);
  std::mt19937_64 engine(7);
  for (std::int64_t i = 0; i < 64; ++i) {
    const double unit = static_cast<double>(engine() >> 11) / 9007199254740992.0;  // 2^53
    EXPECT_EQ(tensor.data<float>()[static_cast<std::size_t>(i)],
              static_cast<float>(-2.0 + 8.0 * unit));
  }
}

TEST(InputGenerator, UniformAndNormalHaveTheirMoments) {
  const Tensor uniform = generate_input(spec_of({20000}, Distribution::Uniform, 1.0, 3.0), 11);
  const Tensor normal = generate_input(spec_of({20000}, Distribution::Normal, 5.0, 2.0), 12);
  double sum_u = 0, sum_n = 0, sum_n2 = 0;
  for (float v : uniform.data<float>()) {
    ASSERT_GE(v, 1.0f);
    ASSERT_LE(v, 3.0f);
    sum_u += v;
  }
  for (float v : normal.data<float>()) {
    sum_n += v;
    sum_n2 += static_cast<double>(v) * v;
  }
  // Means within 5 standard errors: uniform sd 0.577 / sqrt(20000), normal 2 / sqrt(20000).
  EXPECT_NEAR(sum_u / 20000, 2.0, 5 * 0.577 / std::sqrt(20000.0));
  const double mean = sum_n / 20000;
  EXPECT_NEAR(mean, 5.0, 5 * 2.0 / std::sqrt(20000.0));
  EXPECT_NEAR(std::sqrt(sum_n2 / 20000 - mean * mean), 2.0, 0.05);
}

TEST(InputGenerator, IntegersCoverTheInclusiveRange) {
  InputSpec spec = spec_of({2000}, Distribution::Integers, -3, 4);
  spec.dtype = DType::I64;
  const Tensor tensor = generate_input(spec, 5);
  std::vector<int> seen(8, 0);
  for (std::int64_t v : tensor.data<std::int64_t>()) {
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 4);
    ++seen[static_cast<std::size_t>(v + 3)];
  }
  for (int count : seen) EXPECT_GT(count, 150);  // 250 expected each
}

TEST(InputGenerator, FillArangeAndExplicitValues) {
  const Tensor fill = generate_input(spec_of({5}, Distribution::Fill, 2.5, 0), 1);
  for (float v : fill.data<float>()) EXPECT_EQ(v, 2.5f);
  const Tensor arange = generate_input(spec_of({4}, Distribution::Arange, -1.0, 0.5), 1);
  EXPECT_EQ(std::vector<float>(arange.data<float>().begin(), arange.data<float>().end()),
            (std::vector<float>{-1.0f, -0.5f, 0.0f, 0.5f}));
  InputSpec explicit_values;
  explicit_values.shape = {3};
  explicit_values.dtype = DType::I64;
  explicit_values.values = std::vector<double>{4, -1, 7};
  EXPECT_EQ(generate_input(explicit_values, 1).to_i64_vector(),
            (std::vector<std::int64_t>{4, -1, 7}));
}

TEST(InputGenerator, SpecialValuesAllAppearWithTheirExactBits) {
  InputSpec spec = spec_of({1000}, Distribution::Uniform, 1.0, 2.0);
  spec.generator.specials = {std::nan(""), INFINITY, -INFINITY, -0.0, std::ldexp(1.0, -127), 1e30};
  spec.generator.special_fraction = 0.05;
  const Tensor tensor = generate_input(spec, 3);
  int nan = 0, pos_inf = 0, neg_inf = 0, neg_zero = 0, denormal = 0, large = 0, ordinary = 0;
  for (float v : tensor.data<float>()) {
    if (std::isnan(v))
      ++nan;
    else if (v == INFINITY)
      ++pos_inf;
    else if (v == -INFINITY)
      ++neg_inf;
    else if (v == 0.0f && std::signbit(v))
      ++neg_zero;
    else if (std::fpclassify(v) == FP_SUBNORMAL)
      ++denormal;
    else if (v == 1e30f)
      ++large;
    else if (v >= 1.0f && v <= 2.0f)
      ++ordinary;
  }
  // 5% of 1000 = 50 positions, the six values in turn.
  EXPECT_EQ(nan, 9);
  EXPECT_EQ(pos_inf, 9);
  EXPECT_EQ(neg_inf, 8);
  EXPECT_EQ(neg_zero, 8);
  EXPECT_EQ(denormal, 8);
  EXPECT_EQ(large, 8);
  EXPECT_EQ(ordinary, 950);
}

TEST(InputGenerator, EverySpecialValueAppearsEvenInTinyTensors) {
  InputSpec spec = spec_of({3}, Distribution::Uniform, 1.0, 2.0);
  spec.generator.specials = {std::nan(""), -0.0, 1e30};
  const Tensor tensor = generate_input(spec, 8);
  const auto v = tensor.data<float>();
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_TRUE(v[1] == 0.0f && std::signbit(v[1]));
  EXPECT_EQ(v[2], 1e30f);
}

TEST(SpecialPositions, DistinctSortedAndInRange) {
  for (std::int64_t numel : {1, 7, 64, 1000}) {
    for (std::int64_t count : {1, 3, 7, 64}) {
      const std::vector<std::int64_t> positions = special_positions(numel, count, 17);
      ASSERT_EQ(static_cast<std::int64_t>(positions.size()), std::min(numel, count));
      for (std::size_t k = 0; k < positions.size(); ++k) {
        EXPECT_GE(positions[k], 0);
        EXPECT_LT(positions[k], numel);
        if (k > 0) {
          EXPECT_GT(positions[k], positions[k - 1]);
        }
      }
    }
  }
  EXPECT_TRUE(special_positions(0, 5, 1).empty());
}

}  // namespace
}  // namespace tandem::conformance
