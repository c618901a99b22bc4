// Gemm and MatMul with long K (70000 and 200000) on the device against the float64 reference.
// Apart from vulkan_gemm_test: the 16 x 70000 x 16 product runs in one workgroup that passes
// 8750 barriers, which lavapipe executes serially (about 6 s here).
#include <random>

#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class GemmLongKTest : public VulkanTest {};

// 1e-4 of (1 + max |ref|), as in vulkan_gemm_test; why it holds for long K is below.
constexpr double kTolerance = 1e-4;

// Long K: a lone invocation once stopped after 65535 loop steps on lavapipe
// (vulkan/loop_limit.h); the shader now steps through K 16 at a time. Each output sums K
// products sequentially in float32: rounding grows like sqrt(K) * eps * |sum|, about 1e-3 at
// K = 200000, under 1e-4 * (1 + max |ref|) (max |ref| is ~250 here); the truncation lavapipe
// made (the last 4465 products of 70000, ~20) is far beyond it. M, N < 16 take the simple
// variant, 16 the shared-memory tiled one.
TEST_F(GemmLongKTest, SimpleAndTiledVariants) {
  std::mt19937 rng(35);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 70000}, {70000, 5}},
      {{2, 200000}, {200000, 2}},
      {{16, 70000}, {70000, 16}},
  };
  for (const auto& [a, b] : cases) {
    SCOPED_TRACE("A " + shape_to_string(a) + " B " + shape_to_string(b));
    expect_matches_reference("MatMul", {},
                             {runtime(random_tensor(rng, a)), constant(random_tensor(rng, b))},
                             kTolerance);
  }
  // Gemm with B transposed: K strides through B's rows.
  expect_matches_reference(
      "Gemm", attrs({{"transB", std::int64_t{1}}}),
      {runtime(random_tensor(rng, {4, 70000})), constant(random_tensor(rng, {3, 70000}))},
      kTolerance);
}

}  // namespace
}  // namespace tandem::vulkan::testing
