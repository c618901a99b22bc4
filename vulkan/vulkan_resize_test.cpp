// Resize on the device against the float64 reference: nearest with every nearest_mode,
// linear with every coordinate transformation, up and down, from scales and from sizes.
#include <random>

#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class ResizeTest : public VulkanTest {};

// Nearest copies (exact); linear mixes two pairs in float32: 1e-6 relative.
constexpr double kTolerance = 1e-6;

Tensor floats(const std::vector<float>& values) {
  return Tensor::from<float>(DType::F32, {static_cast<std::int64_t>(values.size())}, values);
}

Tensor sizes(const std::vector<std::int64_t>& values) {
  return Tensor::from<std::int64_t>(DType::I64, {static_cast<std::int64_t>(values.size())}, values);
}

TEST_F(ResizeTest, NearestModes) {
  std::mt19937 rng(81);
  const Tensor x = random_tensor(rng, {1, 3, 5, 7});
  for (const char* coordinates :
       {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"}) {
    for (const char* nearest : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
      SCOPED_TRACE(std::string(coordinates) + " " + nearest);
      const Attributes attributes =
          attrs({{"mode", std::string("nearest")},
                 {"coordinate_transformation_mode", std::string(coordinates)},
                 {"nearest_mode", std::string(nearest)}});
      expect_matches_reference("Resize", attributes,
                               {runtime(x), omitted(), constant(floats({1.0f, 1.0f, 2.0f, 1.5f}))},
                               0.0);
      expect_matches_reference("Resize", attributes,
                               {runtime(x), omitted(), omitted(), constant(sizes({1, 3, 3, 4}))},
                               0.0);
    }
  }
}

TEST_F(ResizeTest, LinearModes) {
  std::mt19937 rng(82);
  const Tensor x = random_tensor(rng, {2, 2, 7, 6});
  for (const char* coordinates :
       {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"}) {
    SCOPED_TRACE(coordinates);
    const Attributes attributes =
        attrs({{"mode", std::string("linear")},
               {"coordinate_transformation_mode", std::string(coordinates)}});
    expect_matches_reference("Resize", attributes,
                             {runtime(x), omitted(), constant(floats({1.0f, 1.0f, 2.0f, 3.0f}))},
                             kTolerance);
    expect_matches_reference("Resize", attributes,
                             {runtime(x), omitted(), omitted(), constant(sizes({2, 2, 4, 13}))},
                             kTolerance);
  }
}

TEST_F(ResizeTest, OnlyTheLastTwoAxes) {
  std::mt19937 rng(83);
  const op_test::SingleNodeGraph single =
      op_test::make_single_node_graph("Resize", {},
                                      {runtime(random_tensor(rng, {1, 2, 3, 3})), omitted(),
                                       constant(floats({1.0f, 2.0f, 1.0f, 1.0f}))});
  PlanOptions options;
  const Plan plan = make_plan(single.graph, single.runtime_infos(), options);
  CompileOptions compile;
  compile.cache.mode = CacheMode::Off;
  EXPECT_THROW(test_backend().compile(plan, test_device(), compile), Unsupported);
}

}  // namespace
}  // namespace tandem::vulkan::testing
