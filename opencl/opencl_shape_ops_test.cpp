// Data movement on pocl against the reference. These ops copy float32 values, so the
// results must be exact: tolerance 0.
#include <gtest/gtest.h>

#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;
using Ints = std::vector<std::int64_t>;

TEST(ShapeOpsOpenCl, CopiesKeepEveryElement) {
  ReferenceBatch batch;
  std::mt19937 rng(21);
  const Tensor x = random_tensor(rng, {2, 3, 1, 13});
  batch.add("Reshape", {runtime(x), weight(int_tensor({2}, {6, 13}))}, {}, 0.0);
  batch.add("Flatten", {runtime(x)}, attrs({{"axis", std::int64_t{2}}}), 0.0);
  batch.add("Squeeze", {runtime(x), weight(int_tensor({1}, {2}))}, {}, 0.0);
  batch.add("Unsqueeze", {runtime(x), weight(int_tensor({2}, {0, 5}))}, {}, 0.0);
  batch.add("Identity", {runtime(x)}, {}, 0.0);
  batch.add("Constant", {}, attrs({{"value", random_tensor(rng, {3, 5})}}), 0.0);
  batch.add("Constant", {}, attrs({{"value_floats", std::vector<double>{0.5, -1.25, 3.0}}}), 0.0);
  batch.expect_all_match();
}

TEST(ShapeOpsOpenCl, TransposeAllPermutationsOfRank3AndRank4) {
  ReferenceBatch batch;
  std::mt19937 rng(22);
  const Tensor x3 = random_tensor(rng, {3, 13, 5});
  for (const Ints& perm :
       {Ints{0, 1, 2}, Ints{0, 2, 1}, Ints{1, 0, 2}, Ints{1, 2, 0}, Ints{2, 0, 1}, Ints{2, 1, 0}}) {
    batch.add("Transpose", {runtime(x3)}, attrs({{"perm", perm}}), 0.0);
  }
  const Tensor x4 = random_tensor(rng, {2, 1, 7, 31});
  batch.add("Transpose", {runtime(x4)}, attrs({{"perm", Ints{0, 3, 1, 2}}}), 0.0);
  batch.add("Transpose", {runtime(x4)}, {}, 0.0);  // default: reversed
  batch.expect_all_match();
}

TEST(ShapeOpsOpenCl, SliceWithStepsNegativeAndClampedBounds) {
  ReferenceBatch batch;
  std::mt19937 rng(23);
  const Tensor x = random_tensor(rng, {5, 13, 7});
  batch.add("Slice",
            {runtime(x), weight(int_tensor({2}, {1, 2})), weight(int_tensor({2}, {4, 11})),
             weight(int_tensor({2}, {0, 1})), weight(int_tensor({2}, {2, 3}))},
            {}, 0.0);
  batch.add("Slice",
            {runtime(x), weight(int_tensor({1}, {-1})), weight(int_tensor({1}, {-100})),
             weight(int_tensor({1}, {2})), weight(int_tensor({1}, {-2}))},
            {}, 0.0);
  batch.add("Slice",
            {runtime(x), weight(int_tensor({1}, {2})), weight(int_tensor({1}, {INT64_MAX})),
             weight(int_tensor({1}, {-2}))},
            {}, 0.0);
  batch.expect_all_match();
}

TEST(ShapeOpsOpenCl, ConcatOnEveryAxis) {
  ReferenceBatch batch;
  std::mt19937 rng(24);
  for (std::int64_t axis : {0, 1, 2, -1}) {
    Shape a{2, 3, 5};
    Shape b = a;
    const auto d = static_cast<std::size_t>(axis < 0 ? axis + 3 : axis);
    b[d] = 1;
    Shape c = a;
    c[d] = 4;
    batch.add("Concat",
              {runtime(random_tensor(rng, a)), runtime(random_tensor(rng, b)),
               weight(random_tensor(rng, c))},
              attrs({{"axis", axis}}), 0.0);
  }
  batch.expect_all_match();
}

TEST(ShapeOpsOpenCl, GatherWithNegativeAndRepeatedIndices) {
  ReferenceBatch batch;
  std::mt19937 rng(25);
  const Tensor x = random_tensor(rng, {4, 13, 3});
  batch.add("Gather", {runtime(x), weight(int_tensor({5}, {0, -1, 3, 3, 2}))},
            attrs({{"axis", std::int64_t{1}}}), 0.0);
  batch.add("Gather", {runtime(x), weight(int_tensor({2, 2}, {3, 0, -2, 1}))}, {}, 0.0);
  batch.add("Gather", {runtime(x), weight(int_tensor({}, {2}))},
            attrs({{"axis", std::int64_t{-1}}}), 0.0);
  batch.expect_all_match();
}

TEST(ShapeOpsOpenCl, PadModes) {
  ReferenceBatch batch;
  std::mt19937 rng(26);
  const Tensor x = random_tensor(rng, {1, 3, 5, 7});
  const Tensor pads = int_tensor({8}, {0, 1, 2, 3, 0, 0, 4, 1});
  batch.add("Pad", {runtime(x), weight(pads), weight(Tensor::from<float>(DType::F32, {}, {0.5f}))},
            {}, 0.0);
  batch.add("Pad", {runtime(x), weight(pads)}, attrs({{"mode", std::string("reflect")}}), 0.0);
  batch.add("Pad", {runtime(x), weight(pads)}, attrs({{"mode", std::string("edge")}}), 0.0);
  // Negative pads crop.
  batch.add("Pad", {runtime(x), weight(int_tensor({8}, {0, 0, -1, 2, 0, -1, 0, -3}))}, {}, 0.0);
  batch.expect_all_match();
}

}  // namespace
}  // namespace tandem::opencl
