#include <gtest/gtest.h>

#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;

Tensor axes_tensor(const Ints& axes) {
  return Tensor::from<std::int64_t>(DType::I64, {static_cast<std::int64_t>(axes.size())}, axes);
}

Tensor reduce_sum(const Tensor& x, const Ints* axes, Attributes attributes = {}) {
  std::vector<NodeInput> inputs = {runtime(x)};
  if (axes) inputs.push_back(constant(axes_tensor(*axes)));
  return run_single_node("ReduceSum", attributes, inputs)[0];
}

Tensor reduce_mean(const Tensor& x, const Ints* axes, Attributes attributes = {}) {
  if (axes) attributes.set("axes", *axes);
  return run_single_node("ReduceMean", attributes, {runtime(x)})[0];
}

TEST(Reduce, HandComputed) {
  const Tensor x = f64({2, 2}, {1, 2, 3, 4});
  const Ints last = {1}, first = {0}, both = {0, -1};
  expect_near_all(reduce_sum(x, &last), f64({2, 1}, {3, 7}));
  expect_near_all(reduce_sum(x, &last, make_attributes({{"keepdims", std::int64_t{0}}})), f64({2}, {3, 7}));
  expect_near_all(reduce_sum(x, nullptr), f64({1, 1}, {10}));
  expect_near_all(reduce_sum(x, &both, make_attributes({{"keepdims", std::int64_t{0}}})), f64({}, {10}));
  expect_near_all(reduce_mean(x, &first), f64({1, 2}, {2, 3}));
  expect_near_all(reduce_mean(x, nullptr, make_attributes({{"keepdims", std::int64_t{0}}})), f64({}, {2.5}));
}

TEST(Reduce, EmptyAxesWithNoopIsTheIdentity) {
  const Tensor x = f64({2, 3}, {1, -2, 3, 4, 5, -6});
  const Attributes noop = make_attributes({{"noop_with_empty_axes", std::int64_t{1}}});
  const Ints none = {};
  expect_near_all(reduce_sum(x, &none, noop), x);
  expect_near_all(reduce_sum(x, nullptr, noop), x);
  expect_near_all(reduce_mean(x, nullptr, noop), x);
  expect_near_all(reduce_sum(x, &none), f64({1, 1}, {5}));   // without noop: everything
}

// The test's own reduction: for every output element, loop over the reduced positions.
Tensor loop_reduce(const Tensor& x, const Ints& axes, bool mean, bool keepdims) {
  const Shape& s = x.shape();   // rank 4
  std::vector<bool> reduced(4, false);
  for (std::int64_t a : axes) reduced[static_cast<std::size_t>(a < 0 ? a + 4 : a)] = true;
  Shape kept, out;
  for (std::size_t d = 0; d < 4; ++d) {
    kept.push_back(reduced[d] ? 1 : s[d]);
    if (!reduced[d] || keepdims) out.push_back(reduced[d] ? 1 : s[d]);
  }
  Tensor y(DType::F64, kept);
  std::int64_t count = 1;
  for (std::size_t d = 0; d < 4; ++d) count *= reduced[d] ? s[d] : 1;
  for (std::int64_t i0 = 0; i0 < kept[0]; ++i0)
    for (std::int64_t i1 = 0; i1 < kept[1]; ++i1)
      for (std::int64_t i2 = 0; i2 < kept[2]; ++i2)
        for (std::int64_t i3 = 0; i3 < kept[3]; ++i3) {
          double sum = 0;
          for (std::int64_t j0 = 0; j0 < (reduced[0] ? s[0] : 1); ++j0)
            for (std::int64_t j1 = 0; j1 < (reduced[1] ? s[1] : 1); ++j1)
              for (std::int64_t j2 = 0; j2 < (reduced[2] ? s[2] : 1); ++j2)
                for (std::int64_t j3 = 0; j3 < (reduced[3] ? s[3] : 1); ++j3) {
                  sum += x.value_f64((((i0 + j0) * s[1] + i1 + j1) * s[2] + i2 + j2) * s[3] + i3 + j3);
                }
          y.data<double>()[static_cast<std::size_t>(((i0 * kept[1] + i1) * kept[2] + i2) * kept[3] + i3)] =
              mean ? sum / static_cast<double>(count) : sum;
        }
  return y.reshaped(out);
}

TEST(Reduce, MatchesExplicitLoopsOnRandomInputs) {
  std::mt19937 rng(60);
  const Tensor x = random_tensor(rng, {2, 3, 4, 5});
  const std::vector<Ints> axis_sets = {{0}, {1, 3}, {-1}, {2, 0}, {0, 1, 2, 3}, {-3, -2}};
  for (const Ints& axes : axis_sets) {
    for (const bool keepdims : {false, true}) {
      const Attributes attributes = make_attributes({{"keepdims", std::int64_t{keepdims ? 1 : 0}}});
      expect_near_all(reduce_sum(x, &axes, attributes), loop_reduce(x, axes, false, keepdims));
      expect_near_all(reduce_mean(x, &axes, attributes), loop_reduce(x, axes, true, keepdims));
    }
  }
}

TEST(Reduce, IntegerSumsAreExact) {
  const std::int64_t big = (std::int64_t{1} << 53) + 1;   // not representable as a double
  const Tensor x = Tensor::from<std::int64_t>(DType::I64, {2, 2}, {big, 1, 3, -4});
  const Ints first = {0};
  const Tensor y = reduce_sum(x, &first);
  ASSERT_EQ(y.dtype(), DType::I64);
  EXPECT_EQ(y.to_i64_vector(), (Ints{big + 3, -3}));
}

TEST(Reduce, RejectsBadAxesAndAttributes) {
  std::mt19937 rng(61);
  const NodeInput x = runtime(random_tensor(rng, {2, 3}));
  expect_plan_error("ReduceSum", {}, {x, constant(axes_tensor({1, -1}))}, "repeated");
  expect_plan_error("ReduceSum", {}, {x, constant(axes_tensor({2}))}, "axis 2");
  expect_plan_error("ReduceSum", {}, {x, runtime(axes_tensor({0}))}, "must be a constant");
  expect_plan_error("ReduceSum", make_attributes({{"axes", Ints{0}}}), {x}, "axes",
                    /*unsupported=*/true);
  expect_plan_error("ReduceMean", make_attributes({{"axes", Ints{-3}}}), {x}, "axis -3");
  expect_plan_error("ReduceMean", make_attributes({{"keepdims", std::int64_t{2}}}), {x}, "keepdims");
  expect_plan_error("ReduceMean", make_attributes({{"axes", Ints{0}}}), {x, constant(axes_tensor({0}))},
               "both");
}

}  // namespace
}  // namespace tandem
