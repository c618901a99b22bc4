// Data movement on the device against the float64 reference: every result must be exact.
#include <random>

#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class ShapeOpsTest : public VulkanTest {};

using Ints = std::vector<std::int64_t>;

Tensor ints(const Ints& values) {
  return Tensor::from<std::int64_t>(DType::I64, {static_cast<std::int64_t>(values.size())}, values);
}

TEST_F(ShapeOpsTest, Copies) {
  std::mt19937 rng(71);
  const Tensor x = random_tensor(rng, {2, 3, 1, 13});
  expect_matches_reference("Reshape", {}, {runtime(x), constant(ints({6, -1}))}, 0.0);
  expect_matches_reference("Flatten", attrs({{"axis", std::int64_t{2}}}), {runtime(x)}, 0.0);
  expect_matches_reference("Squeeze", {}, {runtime(x), constant(ints({2}))}, 0.0);
  expect_matches_reference("Unsqueeze", {}, {runtime(x), constant(ints({0, 5}))}, 0.0);
  expect_matches_reference("Identity", {}, {runtime(x)}, 0.0);
}

TEST_F(ShapeOpsTest, Transpose) {
  std::mt19937 rng(72);
  expect_matches_reference("Transpose", {}, {runtime(random_tensor(rng, {13, 7}))}, 0.0);
  expect_matches_reference("Transpose", attrs({{"perm", Ints{0, 2, 1, 3}}}),
                           {runtime(random_tensor(rng, {1, 16, 4, 16}))}, 0.0);
  expect_matches_reference("Transpose", attrs({{"perm", Ints{2, 0, 3, 1}}}),
                           {runtime(random_tensor(rng, {2, 3, 5, 7}))}, 0.0);
  expect_matches_reference("Transpose", attrs({{"perm", Ints{4, 2, 0, 1, 3, 5}}}),
                           {runtime(random_tensor(rng, {2, 3, 2, 3, 2, 3}))}, 0.0);
}

TEST_F(ShapeOpsTest, Slice) {
  std::mt19937 rng(73);
  const Tensor x = random_tensor(rng, {5, 13, 7});
  expect_matches_reference("Slice", {},
                           {runtime(x), constant(ints({1, 2})), constant(ints({4, 11}))}, 0.0);
  expect_matches_reference("Slice", {},
                           {runtime(x), constant(ints({-1, 12})), constant(ints({-100, 0})),
                            constant(ints({0, 1})), constant(ints({-2, -3}))},
                           0.0);
  expect_matches_reference("Slice", {},
                           {runtime(x), constant(ints({2})), constant(ints({INT64_MAX})),
                            constant(ints({-1})), constant(ints({3}))},
                           0.0);
}

TEST_F(ShapeOpsTest, Concat) {
  std::mt19937 rng(74);
  for (std::int64_t axis : {0, 1, -1}) {
    Shape a{2, 3, 5};
    Shape b{2, 3, 5};
    Shape c{2, 3, 5};
    const auto d = static_cast<std::size_t>(axis < 0 ? axis + 3 : axis);
    b[d] = 1;
    c[d] = 4;
    expect_matches_reference("Concat", attrs({{"axis", axis}}),
                             {runtime(random_tensor(rng, a)), constant(random_tensor(rng, b)),
                              runtime(random_tensor(rng, c))},
                             0.0);
  }
}

TEST_F(ShapeOpsTest, Gather) {
  std::mt19937 rng(75);
  const Tensor data = random_tensor(rng, {5, 13, 3});
  expect_matches_reference("Gather", {}, {runtime(data), constant(ints({4, 0, -1, 2}))}, 0.0);
  expect_matches_reference(
      "Gather", attrs({{"axis", std::int64_t{1}}}),
      {runtime(data), constant(Tensor::from<std::int64_t>(DType::I64, {2, 2}, {12, -13, 0, 7}))},
      0.0);
  expect_matches_reference(
      "Gather", attrs({{"axis", std::int64_t{-1}}}),
      {runtime(data), constant(Tensor::from<std::int64_t>(DType::I64, {}, {1}))}, 0.0);
  expect_matches_reference("Gather", {}, {constant(data), constant(ints({3, 3}))}, 0.0);
}

// Indices computed at run time would be int64 tensors in the arena: refused at compile time,
// naming the node.
TEST_F(ShapeOpsTest, RuntimeIndicesAreUnsupported) {
  std::mt19937 rng(77);
  const op_test::SingleNodeGraph single = op_test::make_single_node_graph(
      "Gather", {}, {runtime(random_tensor(rng, {5, 3})), runtime(ints({1, 2}))});
  const Plan plan = make_plan(single.graph, single.runtime_infos(), {});
  CompileOptions compile;
  compile.cache.mode = CacheMode::Off;
  try {
    test_backend().compile(plan, test_device(), compile);
    FAIL() << "compiled a Gather with int64 indices at run time";
  } catch (const Unsupported& e) {
    EXPECT_NE(std::string(e.what()).find("int64"), std::string::npos) << e.what();
  }
}

TEST_F(ShapeOpsTest, Pad) {
  std::mt19937 rng(76);
  const Tensor x = random_tensor(rng, {2, 3, 5, 4});
  const Tensor value = Tensor::from<float>(DType::F32, {}, {0.75f});
  expect_matches_reference(
      "Pad", {}, {runtime(x), constant(ints({0, 1, 2, 0, 1, 0, 1, 3})), constant(value)}, 0.0);
  for (const char* mode : {"reflect", "edge"}) {
    expect_matches_reference("Pad", attrs({{"mode", std::string(mode)}}),
                             {runtime(x), constant(ints({0, 0, 3, 1, 0, 0, 2, 5}))}, 0.0);
  }
  expect_matches_reference("Pad", {}, {runtime(x), constant(ints({0, 0, -1, 1, 0, 0, -2, 2}))},
                           0.0);
}

}  // namespace
}  // namespace tandem::vulkan::testing
