// Softmax on pocl against the float64 reference. Outputs lie in [0, 1]; each is
// exp(x - max) / sum with the sum tree-reduced over at most 1000 terms (relative error
// ~ (log2(n) + 3) * 6e-8), so 1e-5 * (1 + max|ref|) is safe and catches any wrong line.
#include <gtest/gtest.h>

#include "core/op_registry.h"
#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;

TEST(SoftmaxOpenCl, EveryAxisAndLongLines) {
  ReferenceBatch batch;
  std::mt19937 rng(71);
  const Tensor x = random_tensor(rng, {3, 13, 7}, -5.0f, 5.0f);
  for (std::int64_t axis : {0, 1, 2, -1})
    batch.add("Softmax", {runtime(x)}, attrs({{"axis", axis}}), 1e-5);
  batch.add("Softmax", {runtime(random_tensor(rng, {2, 1000}, -20.0f, 20.0f))}, {}, 1e-5);
  // Groups of 256 (opencl/group_reduce.h). Inputs up to 20 leave a few outputs near 0.1,
  // so a wrong max or sum moves those by far more than the tolerance.
  batch.add("Softmax", {runtime(random_tensor(rng, {3, 40000}, -20.0f, 20.0f))}, {}, 1e-5);
  batch.add("Softmax", {runtime(random_tensor(rng, {5, 1}))}, {}, 1e-5);
  batch.add("Softmax", {runtime(random_tensor(rng, {31}))}, {}, 1e-5);
  if (OpRegistry::instance().find("LogSoftmax")) {
    batch.add("LogSoftmax", {runtime(x)}, attrs({{"axis", std::int64_t{1}}}), 1e-5);
  }
  batch.expect_all_match();
}

}  // namespace
}  // namespace tandem::opencl
