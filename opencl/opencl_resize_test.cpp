// Resize on pocl against the float64 reference. Nearest copies input values (exact:
// tolerance 0); linear mixes at most 2^rank values with weights in [0, 1] (a few float32
// roundings, relative error < 1e-6), so 1e-5 * (1 + max|ref|).
#include <gtest/gtest.h>

#include "opencl/op_test_support.h"

namespace tandem::opencl {
namespace {

using namespace testing;

Tensor floats(const std::vector<float>& values) {
  return Tensor::from<float>(DType::F32, {static_cast<std::int64_t>(values.size())}, values);
}

TEST(ResizeOpenCl, NearestAndLinearWithScalesAndSizes) {
  ReferenceBatch batch;
  std::mt19937 rng(91);
  const Tensor x = random_tensor(rng, {1, 3, 5, 7});
  const TestInput scales = weight(floats({1.0f, 1.0f, 2.0f, 1.5f}));
  const TestInput sizes = weight(int_tensor({4}, {1, 3, 13, 4}));
  for (const char* coordinates :
       {"half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners"}) {
    for (const TestInput* target : {&scales, &sizes}) {
      const bool by_scales = target == &scales;
      std::vector<TestInput> inputs = {runtime(x), omitted(), by_scales ? *target : omitted()};
      if (!by_scales) inputs.push_back(*target);
      batch.add("Resize", inputs,
                attrs({{"mode", std::string("linear")},
                       {"coordinate_transformation_mode", std::string(coordinates)}}),
                1e-5);
      for (const char* nearest : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
        batch.add("Resize", inputs,
                  attrs({{"mode", std::string("nearest")},
                         {"coordinate_transformation_mode", std::string(coordinates)},
                         {"nearest_mode", std::string(nearest)}}),
                  0.0);
      }
    }
  }
  batch.expect_all_match();
}

TEST(ResizeOpenCl, DownscaleAndOtherAxes) {
  ReferenceBatch batch;
  std::mt19937 rng(92);
  batch.add("Resize",
            {runtime(random_tensor(rng, {2, 4, 13, 31})), omitted(),
             weight(floats({1.0f, 0.5f, 0.6f, 0.3f}))},
            attrs({{"mode", std::string("linear")}}), 1e-5);
  batch.add(
      "Resize",
      {runtime(random_tensor(rng, {3, 9})), omitted(), omitted(), weight(int_tensor({2}, {6, 4}))},
      attrs({{"mode", std::string("linear")},
             {"coordinate_transformation_mode", std::string("align_corners")}}),
      1e-5);
  batch.add("Resize",
            {runtime(random_tensor(rng, {1, 2, 3, 4, 5})), omitted(),
             weight(floats({1.0f, 1.0f, 2.0f, 1.0f, 0.8f}))},
            attrs({{"mode", std::string("linear")}}), 1e-5);
  batch.expect_all_match();
}

}  // namespace
}  // namespace tandem::opencl
