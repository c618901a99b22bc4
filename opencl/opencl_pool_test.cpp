// Pools on pocl against the float64 reference. MaxPool selects an input value: exact
// (tolerance 0). Averages sum at most 64 values in [-1, 1] and divide once: rounding stays
// below 64 * 6e-8, so 1e-5 * (1 + max|ref|) is a safe bound that still catches a wrong
// divisor (off by at least 1/64 relative).
#include <gtest/gtest.h>

#include "core/op_registry.h"
#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;
using Ints = std::vector<std::int64_t>;
constexpr double kAverageTolerance = 1e-5;

TEST(PoolOpenCl, MaxPoolWindows) {
  ReferenceBatch batch;
  std::mt19937 rng(51);
  const Tensor x = random_tensor(rng, {2, 3, 13, 11});
  batch.add("MaxPool", {runtime(x)}, attrs({{"kernel_shape", Ints{3, 3}}}), 0.0);
  batch.add(
      "MaxPool", {runtime(x)},
      attrs({{"kernel_shape", Ints{3, 2}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 0, 1, 1}}}),
      0.0);
  batch.add(
      "MaxPool", {runtime(x)},
      attrs(
          {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}, {"ceil_mode", std::int64_t{1}}}),
      0.0);
  batch.add("MaxPool", {runtime(x)},
            attrs({{"kernel_shape", Ints{3, 3}},
                   {"dilations", Ints{2, 1}},
                   {"auto_pad", std::string("SAME_UPPER")}}),
            0.0);
  batch.add("MaxPool", {runtime(random_tensor(rng, {1, 2, 31}))},
            attrs({{"kernel_shape", Ints{4}}, {"strides", Ints{3}}}), 0.0);
  batch.add("MaxPool", {runtime(random_tensor(rng, {1, 2, 5, 6, 7}))},
            attrs({{"kernel_shape", Ints{2, 2, 3}}, {"pads", Ints{0, 1, 1, 1, 0, 1}}}), 0.0);
  batch.expect_all_match();
}

TEST(PoolOpenCl, AveragePoolDivisors) {
  ReferenceBatch batch;
  std::mt19937 rng(52);
  const Tensor x = random_tensor(rng, {1, 13, 9, 7});
  for (std::int64_t include_pad : {0, 1}) {
    batch.add("AveragePool", {runtime(x)},
              attrs({{"kernel_shape", Ints{3, 3}},
                     {"pads", Ints{1, 1, 1, 1}},
                     {"count_include_pad", include_pad}}),
              kAverageTolerance);
    batch.add("AveragePool", {runtime(x)},
              attrs({{"kernel_shape", Ints{2, 3}},
                     {"strides", Ints{2, 2}},
                     {"pads", Ints{0, 1, 1, 0}},
                     {"ceil_mode", std::int64_t{1}},
                     {"count_include_pad", include_pad}}),
              kAverageTolerance);
  }
  batch.add("AveragePool", {runtime(x)},
            attrs({{"kernel_shape", Ints{3, 2}}, {"auto_pad", std::string("SAME_LOWER")}}),
            kAverageTolerance);
  batch.expect_all_match();
}

TEST(PoolOpenCl, GlobalPools) {
  ReferenceBatch batch;
  std::mt19937 rng(53);
  batch.add("GlobalAveragePool", {runtime(random_tensor(rng, {2, 13, 7, 9}))}, {},
            kAverageTolerance);
  batch.add("GlobalAveragePool", {runtime(random_tensor(rng, {1, 3, 31}))}, {}, kAverageTolerance);
  batch.add("GlobalAveragePool", {runtime(random_tensor(rng, {1, 5, 1, 1}))}, {},
            kAverageTolerance);
  if (OpRegistry::instance().find("GlobalMaxPool")) {
    batch.add("GlobalMaxPool", {runtime(random_tensor(rng, {2, 3, 5, 4}))}, {}, 0.0);
  }
  batch.expect_all_match();
}

}  // namespace
}  // namespace tandem::opencl
