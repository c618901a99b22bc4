// The workgroup reductions of shaders/group_reduce.glsl in both of their builds: subgroup
// arithmetic (the default where the device has it, lavapipe with 8-lane subgroups among them)
// and the shared-memory tree (TANDEM_VULKAN_SUBGROUPS=off), through each op that uses them,
// against the float64 reference. Workgroups of 32 to 1024 lanes: one to three levels of
// subgroup combining on lavapipe.
#include <random>

#include "core/scoped_environment_test_support.h"
#include "vulkan/device.h"
#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class GroupReduceTest : public VulkanTest, public ::testing::WithParamInterface<const char*> {
 protected:
  // Compiles and runs every case of the test with this build of the reductions.
  tandem::testing::ScopedEnvironment subgroups_{"TANDEM_VULKAN_SUBGROUPS", GetParam()};
};

using Ints = std::vector<std::int64_t>;

// Tolerances as in vulkan_normalization_test.cpp and vulkan_reduce_test.cpp, which explain
// them: the rounding of a lane's walk plus at most log2(1024) levels of combining.
constexpr double kLongSoftmaxRelative = 1e-4;
constexpr double kNormalizedTolerance = 2e-5;
constexpr double kSumTolerance = 2e-5;
constexpr double kConvTolerance = 1e-4;

TEST_P(GroupReduceTest, SoftmaxMaxAndSum) {
  std::mt19937 rng(91);
  // 33 and 1000: the smallest shared lines (32 lanes) and a 64-lane one; 70000: 256 lanes.
  for (std::int64_t length : {33, 1000}) {
    SCOPED_TRACE(length);
    expect_matches_reference("Softmax", attrs({{"axis", std::int64_t{1}}}),
                             {runtime(random_tensor(rng, {5, length, 2}, -8.0f, 8.0f))}, 1e-5);
  }
  expect_matches_reference_elementwise("Softmax", attrs({{"axis", std::int64_t{-1}}}),
                                       {runtime(random_tensor(rng, {3, 70000}, -4.0f, 4.0f))},
                                       kLongSoftmaxRelative);
}

TEST_P(GroupReduceTest, LayerNormalizationMeanAndVariance) {
  std::mt19937 rng(92);
  expect_matches_reference(
      "LayerNormalization", attrs({{"axis", std::int64_t{-1}}}),
      {runtime(random_tensor(rng, {2, 70000}, -3.0f, 5.0f)), constant(random_tensor(rng, {70000})),
       constant(random_tensor(rng, {70000}))},
      kNormalizedTolerance);
}

TEST_P(GroupReduceTest, ReduceSumAndMean) {
  std::mt19937 rng(93);
  const Tensor all_axes = Tensor::from<std::int64_t>(DType::I64, {1}, Ints{0});
  expect_matches_reference("ReduceSum", attrs({{"keepdims", std::int64_t{0}}}),
                           {runtime(random_tensor(rng, {1000003}, 0.0f, 1.0f)), constant(all_axes)},
                           kSumTolerance);
  // 2^23 + 5 elements into one output: a 1024-lane workgroup.
  expect_matches_reference(
      "ReduceMean", {}, {runtime(random_tensor(rng, {(std::int64_t{1} << 23) + 5}, -1.0f, 3.0f))},
      kSumTolerance);
}

TEST_P(GroupReduceTest, ConvWithAWorkgroupPerOutput) {
  std::mt19937 rng(94);
  expect_matches_reference(
      "Conv", attrs({{"pads", Ints{1, 1, 1, 1}}}),
      {runtime(random_tensor(rng, {1, 4096, 3, 3})), constant(random_tensor(rng, {2, 4096, 3, 3}))},
      kConvTolerance);
}

INSTANTIATE_TEST_SUITE_P(Builds, GroupReduceTest, ::testing::Values("on", "off"));

// Lavapipe has subgroup arithmetic, so CI runs the subgroup build; were it not found, the
// "on" cases above would quietly test the shared-memory build twice.
TEST(SubgroupPropertiesTest, LavapipeHasSubgroupArithmetic) {
  const std::shared_ptr<VulkanInstance> instance = VulkanInstance::create();
  bool found = false;
  for (const PhysicalDevice& device : instance->devices()) {
    if (device.driver_name != "llvmpipe") continue;
    found = true;
    EXPECT_TRUE(device.subgroup_arithmetic);
  }
  if (!found) GTEST_SKIP() << "no lavapipe device";
}

}  // namespace
}  // namespace tandem::vulkan::testing
