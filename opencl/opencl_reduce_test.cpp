// Reductions on pocl against the float64 reference. A sum of n <= 2000 values in [-1, 1]
// is tree-reduced in float32 (error ~ log2(n) * 6e-8 * sum|x| <= 1e-3 worst case, ~1e-5
// typical); the stated bound 1e-4 * (1 + max|ref|) + tight enough to catch a dropped term.
#include <gtest/gtest.h>

#include "core/op_registry.h"
#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;
using Ints = std::vector<std::int64_t>;
constexpr double kTolerance = 1e-4;

TEST(ReduceOpenCl, AxesKeepdimsAndNoop) {
  ReferenceBatch batch;
  std::mt19937 rng(81);
  const Tensor x = random_tensor(rng, {3, 13, 5, 7});
  for (const Ints& axes :
       {Ints{1}, Ints{0, 2}, Ints{-1}, Ints{1, 2, 3}, Ints{0, 1, 2, 3}, Ints{0, 3}}) {
    for (std::int64_t keepdims : {0, 1}) {
      batch.add("ReduceSum",
                {runtime(x), weight(int_tensor({static_cast<std::int64_t>(axes.size())}, axes))},
                attrs({{"keepdims", keepdims}}), kTolerance);
      batch.add("ReduceMean", {runtime(x)}, attrs({{"axes", axes}, {"keepdims", keepdims}}),
                kTolerance);
    }
  }
  batch.add("ReduceSum", {runtime(x)}, {}, kTolerance);  // no axes: everything
  batch.add("ReduceSum", {runtime(x)}, attrs({{"noop_with_empty_axes", std::int64_t{1}}}),
            kTolerance);
  // Groups of 128 and 256 (opencl/group_reduce.h).
  batch.add("ReduceMean", {runtime(random_tensor(rng, {2, 2000}))}, attrs({{"axes", Ints{1}}}),
            kTolerance);
  batch.add("ReduceMean", {runtime(random_tensor(rng, {3, 100000}, 0.0f, 1.0f))},
            attrs({{"axes", Ints{1}}}), kTolerance);
  for (const char* op : {"ReduceMax", "ReduceMin"}) {
    if (OpRegistry::instance().find(op))
      batch.add(op, {runtime(x)}, attrs({{"axes", Ints{1, 3}}}), 0.0);
  }
  batch.expect_all_match();
}

}  // namespace
}  // namespace tandem::opencl
