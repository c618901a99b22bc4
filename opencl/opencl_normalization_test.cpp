// BatchNormalization and LayerNormalization on pocl against the float64 reference.
// BatchNormalization is a handful of float32 operations per element: 1e-5 * (1 + max|ref|).
// LayerNormalization sums rows of up to 512 values (tree-reduced, error ~ log2(n) * 6e-8
// relative) before normalizing, so 1e-4 * (1 + max|ref|) covers it with a wide margin.
#include <gtest/gtest.h>

#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;

TEST(NormalizationOpenCl, BatchNormalization) {
  ReferenceBatch batch;
  std::mt19937 rng(61);
  for (const Shape& shape : {Shape{2, 13, 5, 7}, Shape{3, 4}, Shape{1, 3, 31}}) {
    const Shape channels{shape[1]};
    batch.add("BatchNormalization",
              {runtime(random_tensor(rng, shape)), weight(random_tensor(rng, channels, 0.5f, 2.0f)),
               weight(random_tensor(rng, channels)), weight(random_tensor(rng, channels)),
               weight(random_tensor(rng, channels, 0.1f, 3.0f))},
              attrs({{"epsilon", 1e-3}}), 1e-5);
  }
  batch.expect_all_match();
}

// ONNX lets BatchNormalization's parameters be of another float type than X: float64 ones
// reach the device rounded to float32.
TEST(NormalizationOpenCl, BatchNormalizationWithFloat64Parameters) {
  std::mt19937 rng(62);
  const Shape channels{13};
  auto parameter = [&](float low, float high) {
    return weight(random_tensor(rng, channels, low, high).cast(DType::F64));
  };
  expect_matches_reference("BatchNormalization",
                           {runtime(random_tensor(rng, {2, 13, 5, 7})), parameter(0.5f, 2.0f),
                            parameter(-1.0f, 1.0f), parameter(-1.0f, 1.0f), parameter(0.1f, 3.0f)},
                           attrs({{"epsilon", 1e-3}}), 1e-5);
}

TEST(NormalizationOpenCl, LayerNormalizationAxesAndBroadcasts) {
  ReferenceBatch batch;
  std::mt19937 rng(62);
  const Tensor x = random_tensor(rng, {2, 7, 13}, -3.0f, 5.0f);
  batch.add("LayerNormalization",
            {runtime(x), weight(random_tensor(rng, {13})), weight(random_tensor(rng, {13}))}, {},
            1e-4);
  batch.add("LayerNormalization", {runtime(x), weight(random_tensor(rng, {7, 13}))},
            attrs({{"axis", std::int64_t{1}}, {"epsilon", 1e-2}}), 1e-4);
  batch.add("LayerNormalization",
            {runtime(x), weight(random_tensor(rng, {7, 1})), weight(random_tensor(rng, {1}))},
            attrs({{"axis", std::int64_t{-2}}}), 1e-4);
  batch.add("LayerNormalization",
            {runtime(random_tensor(rng, {3, 512})), weight(random_tensor(rng, {512})),
             weight(random_tensor(rng, {512}))},
            {}, 1e-4);
  // Groups of 128 and 256 (opencl/group_reduce.h).
  for (std::int64_t length : {2000, 40000}) {
    batch.add("LayerNormalization",
              {runtime(random_tensor(rng, {2, length}, -3.0f, 5.0f)),
               weight(random_tensor(rng, {length})), weight(random_tensor(rng, {length}))},
              {}, 1e-4);
  }
  batch.add("LayerNormalization",
            {runtime(random_tensor(rng, {4, 1})), weight(random_tensor(rng, {1})),
             weight(random_tensor(rng, {1}))},
            {}, 1e-4);
  batch.expect_all_match();
}

}  // namespace
}  // namespace tandem::opencl
