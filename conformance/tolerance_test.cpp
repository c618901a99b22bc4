#include "conformance/tolerance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace tandem::conformance {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Tensor f64(const std::vector<double>& values) {
  return Tensor::from(DType::F64, {static_cast<std::int64_t>(values.size())}, values);
}
Tensor f32(const std::vector<float>& values) {
  return Tensor::from(DType::F32, {static_cast<std::int64_t>(values.size())}, values);
}

Tolerance exact() {
  Tolerance tolerance;
  tolerance.reason = "test";
  return tolerance;
}

TEST(UlpDistance, CountsRepresentableFloatsAcrossZero) {
  const float tiny = std::numeric_limits<float>::denorm_min();
  EXPECT_EQ(ulp_distance(0.0f, -0.0f), 0);
  EXPECT_EQ(ulp_distance(tiny, -tiny), 2);  // -tiny, 0, +tiny
  EXPECT_EQ(ulp_distance(-tiny, 0.0f), 1);
  EXPECT_EQ(ulp_distance(1.0f, -1.0f), 2 * 0x3f800000ll);
  EXPECT_EQ(ulp_distance(std::numeric_limits<float>::max(), kInf), 1);
  EXPECT_EQ(ulp_distance(kNaN, 1.0f), std::numeric_limits<std::int64_t>::max());
}

TEST(UlpDistance, AgreesWithStepsOfNextafter) {
  std::mt19937 engine(1234);
  std::uniform_real_distribution<float> value(-1e3f, 1e3f);
  std::uniform_int_distribution<int> steps(0, 40);
  for (int trial = 0; trial < 500; ++trial) {
    float start = value(engine);
    // Walks from zero and across it too: nextafter never stops at -0, and neither does
    // the distance, so each step is one.
    if (trial % 50 == 0) start = 0.0f;
    if (trial % 50 == 1) start = 3 * std::numeric_limits<float>::denorm_min();
    const int n = steps(engine);
    float walked = start;
    for (int i = 0; i < n; ++i) walked = std::nextafter(walked, -kInf);
    EXPECT_EQ(ulp_distance(start, walked), n) << start << " " << n;
  }
}

TEST(Compare, AbsoluteAndRelativeTolerance) {
  Tolerance tolerance = exact();
  tolerance.rel = 1e-4;  // allows 0.01 at 100
  const Comparison inside = compare_tensors(f64({100.0}), f32({100.0078125f}), tolerance);
  EXPECT_TRUE(inside.passed);
  EXPECT_NEAR(inside.tolerance_ratio, 0.78125, 1e-12);
  const Comparison outside = compare_tensors(f64({100.0}), f32({100.015625f}), tolerance);
  EXPECT_FALSE(outside.passed);
  EXPECT_DOUBLE_EQ(outside.max_abs_err, 0.015625);
  EXPECT_DOUBLE_EQ(outside.max_rel_err, 0.015625 / 100.0);
  EXPECT_EQ(outside.max_ulp, 2048);  // float32 steps are 2^-17 in [64, 128)
  EXPECT_NE(outside.message.find("expected 100"), std::string::npos) << outside.message;
}

TEST(Compare, UlpCriterionAgainstTheRoundedReference) {
  Tolerance tolerance = exact();
  tolerance.ulp = 2;
  const float two_up = std::nextafter(std::nextafter(1.0f, 2.0f), 2.0f);
  const float three_up = std::nextafter(two_up, 2.0f);
  EXPECT_TRUE(compare_tensors(f64({1.0}), f32({two_up}), tolerance).passed);
  EXPECT_FALSE(compare_tensors(f64({1.0}), f32({three_up}), tolerance).passed);
  // ulp 0: only the correctly rounded float32 of the reference passes.
  tolerance.ulp = 0;
  EXPECT_TRUE(compare_tensors(f64({0.1}), f32({0.1f}), tolerance).passed);
  EXPECT_FALSE(compare_tensors(f64({0.1}), f32({std::nextafter(0.1f, 1.0f)}), tolerance).passed);
}

TEST(Compare, NegativeZeroEqualsPositiveZero) {
  const Comparison c = compare_tensors(f64({0.0, -0.0}), f32({-0.0f, 0.0f}), exact());
  EXPECT_TRUE(c.passed);
  EXPECT_EQ(c.max_abs_err, 0.0);
  EXPECT_EQ(c.max_ulp, 0);
}

TEST(Compare, NanMustMatchBothWays) {
  const double nan = std::nan("");
  EXPECT_TRUE(compare_tensors(f64({nan, 1.0}), f32({kNaN, 1.0f}), exact()).passed);
  const Comparison missing = compare_tensors(f64({1.0, nan}), f32({1.0f, 0.0f}), exact());
  EXPECT_FALSE(missing.passed);
  EXPECT_EQ(missing.worst_index, 1);
  EXPECT_TRUE(std::isinf(missing.tolerance_ratio));
  const Comparison extra = compare_tensors(f64({1.0, 2.0, 3.0}), f32({1.0f, 2.0f, kNaN}), exact());
  EXPECT_FALSE(extra.passed);
  EXPECT_EQ(extra.worst_index, 2);
  EXPECT_EQ(extra.mismatches, 1);
}

TEST(Compare, NanIgnoredWhenTheCaseSaysSo) {
  Tolerance tolerance = exact();
  tolerance.nan = NanPolicy::Ignore;
  const Comparison c = compare_tensors(f64({std::nan(""), 2.0}), f32({5.0f, 2.0f}), tolerance);
  EXPECT_TRUE(c.passed);
  EXPECT_EQ(c.max_abs_err, 0.0);
}

TEST(Compare, InfinitiesMustMatchExactly) {
  Tolerance loose = exact();
  loose.rel = 1.0;
  loose.ulp = 1000;
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(compare_tensors(f64({inf, -inf}), f32({kInf, -kInf}), loose).passed);
  EXPECT_FALSE(compare_tensors(f64({inf}), f32({std::numeric_limits<float>::max()}), loose).passed);
  EXPECT_FALSE(compare_tensors(f64({inf}), f32({-kInf}), loose).passed);
  EXPECT_FALSE(compare_tensors(f64({1.0}), f32({kInf}), loose).passed);
  // A finite reference beyond float32's range rounds to inf: inf is the right answer.
  EXPECT_TRUE(compare_tensors(f64({1e39}), f32({kInf}), exact()).passed);
}

TEST(Compare, FlushToZeroPolicy) {
  const double denormal = std::ldexp(1.0, -130);
  Tolerance flushing = exact();
  EXPECT_TRUE(compare_tensors(f64({denormal}), f32({0.0f}), flushing).passed);
  EXPECT_TRUE(compare_tensors(f64({0.0}), f32({static_cast<float>(denormal)}), flushing).passed);
  Tolerance strict = exact();
  strict.flush_denormals = false;
  strict.ulp = 0;
  EXPECT_FALSE(compare_tensors(f64({denormal}), f32({0.0f}), strict).passed);
  // A normal value is never flushed.
  EXPECT_FALSE(compare_tensors(f64({1e-30}), f32({0.0f}), flushing).passed);
}

// sqrt(2^-140) = 2^-70 is normal; a device that flushes the denormal operand returns
// sqrt(0) = 0, which only the reference of the flushed inputs allows.
TEST(Compare, AlternativeReferenceOfFlushedInputs) {
  Tolerance tolerance = exact();
  tolerance.ulp = 4;
  const Tensor expected = f64({std::ldexp(1.0, -70), 2.0});
  const Tensor flushed = f64({0.0, 2.0});
  EXPECT_FALSE(compare_tensors(expected, f32({0.0f, 2.0f}), tolerance).passed);
  EXPECT_TRUE(compare_tensors(expected, f32({0.0f, 2.0f}), tolerance, 0, &flushed).passed);
  EXPECT_TRUE(compare_tensors(expected, f32({std::ldexp(1.0f, -70), 2.0f}), tolerance, 0, &flushed).passed);
  // Either reference, per element: a value matching neither still fails.
  EXPECT_FALSE(compare_tensors(expected, f32({1e-25f, 2.0f}), tolerance, 0, &flushed).passed);
  EXPECT_FALSE(compare_tensors(expected, f32({0.0f, 2.5f}), tolerance, 0, &flushed).passed);
  const std::vector<Tensor> alternatives{flushed};
  EXPECT_TRUE(compare_outputs({expected}, {f32({0.0f, 2.0f})}, tolerance, &alternatives).passed);
}

TEST(Compare, WorstElementIsTheOneFurthestOutsideItsTolerance) {
  Tolerance tolerance = exact();
  tolerance.abs = 0.1;
  tolerance.rel = 0.1;
  // Errors 0.05 (allowed 0.2), 0.5 (allowed 10.1), 0.3 (allowed 0.15): index 2 is worst.
  const Comparison c =
      compare_tensors(f64({1.0, 100.0, 0.5, 2.0}), f32({1.05f, 100.5f, 0.8f, 2.0f}), tolerance);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.worst_index, 2);
  EXPECT_NEAR(c.tolerance_ratio, 0.3 / 0.15, 1e-6);
  EXPECT_NEAR(c.max_abs_err, 0.5, 1e-9);
  EXPECT_NEAR(c.worst_expected, 0.5, 0.0);
  EXPECT_NEAR(c.worst_actual, 0.8, 1e-7);
}

TEST(Compare, OutputsMergeAndReportTheWorstOutput) {
  Tolerance tolerance = exact();
  tolerance.abs = 1e-3;
  const Comparison c =
      compare_outputs({f64({1.0, 2.0}), f64({3.0})}, {f32({1.0f, 2.0f}), f32({3.5f})}, tolerance);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.worst_output, 1);
  EXPECT_EQ(c.worst_index, 0);
  EXPECT_NE(c.message.find("output 1"), std::string::npos);
  EXPECT_FALSE(compare_outputs({f64({1.0})}, {}, tolerance).passed);
  const Comparison shape = compare_outputs({f64({1.0, 2.0})}, {f32({1.0f})}, tolerance);
  EXPECT_FALSE(shape.passed);
  EXPECT_NE(shape.message.find("shape [1]"), std::string::npos) << shape.message;
}

TEST(Compare, IntegerOutputsAreExact) {
  const Tensor expected = Tensor::from(DType::I64, {3}, std::vector<std::int64_t>{1, 2, 3});
  const Tensor same = Tensor::from(DType::I64, {3}, std::vector<std::int64_t>{1, 2, 3});
  const Tensor other = Tensor::from(DType::I64, {3}, std::vector<std::int64_t>{1, 2, 4});
  EXPECT_TRUE(compare_tensors(expected, same, exact()).passed);
  const Comparison c = compare_tensors(expected, other, exact());
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.worst_index, 2);
}

}  // namespace
}  // namespace tandem::conformance
