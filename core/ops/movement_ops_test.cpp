#include <gtest/gtest.h>

#include <limits>

#include "core/ops/direct_schema_call.h"
#include "core/ops/op_test_checks.h"
#include "core/ops/single_node_graph.h"

namespace tandem {
namespace {

using namespace op_test;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

Tensor iota(const Shape& shape) {
  std::vector<double> values(static_cast<std::size_t>(shape_numel(shape)));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
  return f64(shape, values);
}
std::vector<double> values_of(const Tensor& tensor) {
  std::vector<double> values;
  for (std::int64_t i = 0; i < tensor.numel(); ++i) values.push_back(tensor.value_f64(i));
  return values;
}
Ints unravel(std::int64_t index, const Shape& shape) {
  Ints position(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    position[d] = index % shape[d];
    index /= shape[d];
  }
  return position;
}
std::int64_t ravel(const Ints& position, const Shape& shape) {
  std::int64_t index = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) index = index * shape[d] + position[d];
  return index;
}

// ---------------------------------------------------------------- Transpose

TEST(MovementOps, TransposeByHand) {
  const Tensor y = run1("Transpose", {runtime(f64({2, 3}, {1, 2, 3, 4, 5, 6}))});
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(values_of(y), (std::vector<double>{1, 4, 2, 5, 3, 6}));
  const Tensor ints = run1("Transpose", {runtime(i64s({1, 2, 2}, {1, 2, 3, 4}))},
                           make_attributes({{"perm", Ints{2, 0, 1}}}));
  EXPECT_EQ(ints.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(ints.to_i64_vector(), (Ints{1, 3, 2, 4}));
}

// Output position p reads input position q with q[perm[k]] = p[k].
TEST(MovementOps, RandomTransposeMatchesIndexPermutation) {
  std::mt19937 rng(21);
  const Tensor x = random_tensor(rng, {2, 3, 4, 5});
  const Ints perm = {2, 0, 3, 1};
  const Tensor y = run1("Transpose", {runtime(x)}, make_attributes({{"perm", perm}}));
  ASSERT_EQ(y.shape(), (Shape{4, 2, 5, 3}));
  for (std::int64_t i = 0; i < y.numel(); ++i) {
    const Ints p = unravel(i, y.shape());
    Ints q(4);
    for (std::size_t k = 0; k < 4; ++k) q[static_cast<std::size_t>(perm[k])] = p[k];
    ASSERT_EQ(y.value_f64(i), x.value_f64(ravel(q, x.shape()))) << "element " << i;
  }
}

TEST(MovementOps, BadPermIsAnError) {
  const NodeInput x = runtime(Tensor(DType::F64, {2, 3}));
  expect_error([&] { run1("Transpose", {x}, make_attributes({{"perm", Ints{0, 0}}})); }, "not a permutation");
  expect_error([&] { run1("Transpose", {x}, make_attributes({{"perm", Ints{1, 0, 2}}})); }, "3 entries for rank 2");
}

// ---------------------------------------------------------------- Concat

TEST(MovementOps, ConcatByHand) {
  const NodeInput a = runtime(f64({2, 1}, {1, 2}));
  const NodeInput b = runtime(f64({2, 2}, {10, 11, 20, 21}));
  const NodeInput empty = runtime(Tensor(DType::F64, {2, 0}));
  const Tensor y = run1("Concat", {a, empty, b}, make_attributes({{"axis", std::int64_t{-1}}}));
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of(y), (std::vector<double>{1, 10, 11, 2, 20, 21}));
  const Tensor ints = run1("Concat", {runtime(i64s({2}, {4, 5})), constant(i64s({1}, {-1}))},
                           make_attributes({{"axis", std::int64_t{0}}}));
  EXPECT_EQ(ints.to_i64_vector(), (Ints{4, 5, -1}));
}

TEST(MovementOps, RandomConcatMatchesIndexOffsets) {
  std::mt19937 rng(8);
  const Tensor a = random_tensor(rng, {2, 3, 4});
  const Tensor b = random_tensor(rng, {2, 5, 4});
  const Tensor y = run1("Concat", {runtime(a), runtime(b)}, make_attributes({{"axis", std::int64_t{1}}}));
  ASSERT_EQ(y.shape(), (Shape{2, 8, 4}));
  for (std::int64_t i = 0; i < y.numel(); ++i) {
    Ints p = unravel(i, y.shape());
    const bool from_a = p[1] < 3;
    if (!from_a) p[1] -= 3;
    const double expected = from_a ? a.value_f64(ravel(p, a.shape())) : b.value_f64(ravel(p, b.shape()));
    ASSERT_EQ(y.value_f64(i), expected) << "element " << i;
  }
}

TEST(MovementOps, ConcatMismatchesAreErrors) {
  const NodeInput a = runtime(Tensor(DType::F64, {2, 3}));
  auto concat = [](std::vector<NodeInput> inputs, std::int64_t axis) {
    return run1("Concat", inputs, make_attributes({{"axis", axis}}));
  };
  expect_error([&] { concat({a, runtime(Tensor(DType::F64, {3, 3}))}, 1); }, "has shape [3, 3], input 0 has [2, 3]");
  expect_error([&] { concat({a, runtime(Tensor(DType::F64, {2, 3, 1}))}, 0); }, "has shape [2, 3, 1]");
  expect_error([&] { concat({a, runtime(i64s({2, 3}, {1, 2, 3, 4, 5, 6}))}, 0); }, "is int64, input 0 is float64");
  expect_error([&] { concat({a, a}, 2); }, "axis 2 is out of range");
  expect_error([&] { run1("Concat", {a, a}); }, "required attribute 'axis'");
}

// ---------------------------------------------------------------- Slice

Tensor slice(const Tensor& x, const Ints& starts, const Ints& ends, const Ints& axes, const Ints& steps) {
  const auto n = static_cast<std::int64_t>(starts.size());
  return run1("Slice", {runtime(x), constant(i64s({n}, starts)), constant(i64s({n}, ends)),
                        constant(i64s({n}, axes)), constant(i64s({n}, steps))});
}

TEST(MovementOps, SliceOneDimensionByHand) {
  const Tensor x = iota({10});
  auto take = [&](std::int64_t start, std::int64_t end, std::int64_t step) {
    return values_of(slice(x, {start}, {end}, {0}, {step}));
  };
  using V = std::vector<double>;
  EXPECT_EQ(take(2, 8, 2), (V{2, 4, 6}));
  EXPECT_EQ(take(2, 9, 3), (V{2, 5, 8}));
  EXPECT_EQ(take(-3, kInt64Max, 1), (V{7, 8, 9}));
  EXPECT_EQ(take(-100, 100, 4), (V{0, 4, 8}));            // clamped to the dimension
  EXPECT_EQ(take(5, 3, 1), (V{}));
  EXPECT_EQ(take(-1, kInt64Min, -1), (V{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));   // full reversal
  EXPECT_EQ(take(8, 1, -3), (V{8, 5, 2}));
  EXPECT_EQ(take(100, -100, -4), (V{9, 5, 1}));            // start clamps to 9, end to -1
  EXPECT_EQ(take(3, -1, -1), (V{}));                       // end -1 means index 9 here
  EXPECT_EQ(take(0, 10, kInt64Min), (V{}));
  EXPECT_EQ(take(9, 0, kInt64Min), (V{9}));
  // numpy's x[-20:-30:-1] is empty; the ONNX spec clamps the start to 0 and takes x[0].
  EXPECT_EQ(take(-20, -30, -1), (V{0}));
}

TEST(MovementOps, SliceSeveralAxesAndDefaults) {
  const Tensor x = iota({3, 4});
  // Axes given out of order and negative; rows 2 and 0 (step -2), columns 1..2.
  EXPECT_EQ(values_of(slice(x, {1, 2}, {3, -4}, {-1, 0}, {1, -2})), (std::vector<double>{9, 10, 1, 2}));
  // Without axes and steps: the first len(starts) axes, step 1.
  const Tensor y = run1("Slice", {runtime(x), constant(i64s({1}, {1})), constant(i64s({1}, {3}))});
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  EXPECT_EQ(values_of(y), (std::vector<double>{4, 5, 6, 7, 8, 9, 10, 11}));
  // Steps without axes (the axes input omitted).
  const Tensor z = direct_schema::call("Slice", {}, {runtime(x), constant(i64s({2}, {0, 3})),
                                                     constant(i64s({2}, {3, 0})), omitted(),
                                                     constant(i64s({2}, {2, -2}))}).at(0);
  EXPECT_EQ(z.shape(), (Shape{2, 2}));
  EXPECT_EQ(values_of(z), (std::vector<double>{3, 1, 11, 9}));
  const Tensor planned = run1("Slice", {runtime(x), constant(i64s({2}, {0, 3})), constant(i64s({2}, {3, 0})),
                                        omitted(), constant(i64s({2}, {2, -2}))});
  EXPECT_EQ(values_of(planned), (std::vector<double>{3, 1, 11, 9}));
  // Integer data, as in shape arithmetic: the last two dimensions of a shape.
  EXPECT_EQ(slice(i64s({4}, {1, 3, 224, 224}), {-2}, {kInt64Max}, {0}, {1}).to_i64_vector(), (Ints{224, 224}));
}

// Python's slice.indices() (CPython's PySlice_AdjustIndices), which ONNX Slice follows but
// for one case: going backward from a start before the front, Python takes nothing while
// the ONNX spec (and onnxruntime) clamp the start to 0 and take element 0.
Ints onnx_slice(std::int64_t start, std::int64_t stop, std::int64_t step, std::int64_t length) {
  auto adjust = [&](std::int64_t v, bool is_start) {
    if (v < 0) {
      v += length;
      if (v < 0) v = step < 0 && !is_start ? -1 : 0;
    } else if (v >= length) {
      v = step < 0 ? length - 1 : length;
    }
    return v;
  };
  Ints taken;
  const std::int64_t end = adjust(stop, false);
  for (std::int64_t i = adjust(start, true); step > 0 ? i < end : i > end; i += step) taken.push_back(i);
  return taken;
}

TEST(MovementOps, RandomSlicesMatchTheSpec) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<std::int64_t> bound(-7, 7), step_size(1, 3);
  const Tensor x = iota({4, 5, 6});
  for (int trial = 0; trial < 300; ++trial) {
    Ints starts, ends, steps, axes = {0, 1, 2};
    std::shuffle(axes.begin(), axes.end(), rng);
    for (int i = 0; i < 3; ++i) {
      starts.push_back(bound(rng));
      ends.push_back(bound(rng));
      steps.push_back(rng() % 2 ? step_size(rng) : -step_size(rng));
    }
    const Tensor y = slice(x, starts, ends, axes, steps);
    std::vector<Ints> kept(3);
    for (std::size_t i = 0; i < 3; ++i) {
      const auto axis = static_cast<std::size_t>(axes[i]);
      kept[axis] = onnx_slice(starts[i], ends[i], steps[i], x.shape()[axis]);
    }
    ASSERT_EQ(y.shape(), (Shape{static_cast<std::int64_t>(kept[0].size()), static_cast<std::int64_t>(kept[1].size()),
                                static_cast<std::int64_t>(kept[2].size())}))
        << "starts " << shape_to_string(starts) << " ends " << shape_to_string(ends) << " axes "
        << shape_to_string(axes) << " steps " << shape_to_string(steps);
    for (std::int64_t i = 0; i < y.numel(); ++i) {
      const Ints p = unravel(i, y.shape());
      const Ints q = {kept[0][static_cast<std::size_t>(p[0])], kept[1][static_cast<std::size_t>(p[1])],
                      kept[2][static_cast<std::size_t>(p[2])]};
      ASSERT_EQ(y.value_f64(i), x.value_f64(ravel(q, x.shape()))) << "trial " << trial;
    }
  }
}

TEST(MovementOps, BadSlicesAreErrors) {
  const Tensor x = iota({3, 4});
  expect_error([&] { slice(x, {0}, {2}, {0}, {0}); }, "step 0 on axis 0");
  expect_error([&] { slice(x, {0, 0}, {2, 2}, {1, -1}, {1, 1}); }, "axis -1 is repeated");
  expect_error([&] { slice(x, {0}, {2}, {2}, {1}); }, "axis 2 is out of range");
  expect_error([&] { run1("Slice", {runtime(x), constant(i64s({2}, {0, 0})), constant(i64s({1}, {1}))}); },
               "same length");
  expect_error([&] { run1("Slice", {runtime(x), runtime(i64s({1}, {0})), constant(i64s({1}, {1}))}); },
               "must be a constant");
}

// ---------------------------------------------------------------- Gather

TEST(MovementOps, GatherByHand) {
  const NodeInput data = runtime(f64({3, 2}, {1, 2, 3, 4, 5, 6}));
  const Tensor rows = run1("Gather", {data, constant(i64s({2, 2}, {0, 1, 1, 2}))});
  EXPECT_EQ(rows.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(values_of(rows), (std::vector<double>{1, 2, 3, 4, 3, 4, 5, 6}));
  const Tensor columns = run1("Gather", {data, constant(i64s({2}, {-1, 0}))}, make_attributes({{"axis", std::int64_t{1}}}));
  EXPECT_EQ(columns.shape(), (Shape{3, 2}));
  EXPECT_EQ(values_of(columns), (std::vector<double>{2, 1, 4, 3, 6, 5}));
  const Tensor one = run1("Gather", {data, constant(i64s({}, {-2}))});   // a scalar index drops the axis
  EXPECT_EQ(one.shape(), (Shape{2}));
  EXPECT_EQ(values_of(one), (std::vector<double>{3, 4}));
  // A shape's entries picked with int32 indices.
  const Tensor dims = run1("Gather", {runtime(i64s({4}, {1, 3, 224, 225})),
                                      constant(Tensor::from(DType::I32, {2}, std::vector<std::int32_t>{3, -4}))});
  EXPECT_EQ(dims.to_i64_vector(), (Ints{225, 1}));
}

TEST(MovementOps, RandomGatherMatchesIndexing) {
  std::mt19937 rng(17);
  const Tensor data = random_tensor(rng, {3, 4, 5});
  std::uniform_int_distribution<std::int64_t> index(-4, 3);
  Ints indices(6);
  for (auto& i : indices) i = index(rng);
  const Tensor y = run1("Gather", {runtime(data), runtime(i64s({2, 3}, indices))},
                        make_attributes({{"axis", std::int64_t{-2}}}));
  ASSERT_EQ(y.shape(), (Shape{3, 2, 3, 5}));
  for (std::int64_t i = 0; i < y.numel(); ++i) {
    const Ints p = unravel(i, y.shape());
    std::int64_t k = indices[static_cast<std::size_t>(p[1] * 3 + p[2])];
    if (k < 0) k += 4;
    ASSERT_EQ(y.value_f64(i), data.value_f64(ravel({p[0], k, p[3]}, data.shape()))) << "element " << i;
  }
}

TEST(MovementOps, GatherOutOfRangeIsAnError) {
  const NodeInput data = runtime(Tensor(DType::F64, {3, 2}));
  expect_error([&] { run1("Gather", {data, constant(i64s({1}, {3}))}); }, "index 3 is out of range");
  expect_error([&] { run1("Gather", {data, constant(i64s({1}, {-4}))}); }, "index -4 is out of range");
  expect_error([&] { run1("Gather", {data, runtime(i64s({2}, {0, 2}))}, make_attributes({{"axis", std::int64_t{1}}})); },
               "index 2 is out of range");   // only known when it runs
  expect_error([&] { run1("Gather", {data, runtime(f64({1}, {0}))}); }, "indices must be int64 or int32");
  expect_error([&] { run1("Gather", {data, constant(i64s({1}, {0}))}, make_attributes({{"axis", std::int64_t{2}}})); },
               "axis 2 is out of range");
}

// ---------------------------------------------------------------- Pad

Tensor pad(const Tensor& x, const Ints& pads, const std::string& mode, const Tensor* value = nullptr) {
  std::vector<NodeInput> inputs = {runtime(x), constant(i64s({static_cast<std::int64_t>(pads.size())}, pads))};
  if (value) inputs.push_back(constant(*value));
  return run1("Pad", inputs, make_attributes({{"mode", mode}}));
}

TEST(MovementOps, PadConstantByHand) {
  const Tensor nine = f64({}, {9});
  const Tensor y = pad(f64({2, 2}, {1, 2, 3, 4}), {1, 0, 0, 1}, "constant", &nine);
  EXPECT_EQ(y.shape(), (Shape{3, 3}));
  EXPECT_EQ(values_of(y), (std::vector<double>{9, 9, 9, 1, 2, 9, 3, 4, 9}));
  // Default value 0; negative pads crop.
  EXPECT_EQ(values_of(pad(f64({4}, {1, 2, 3, 4}), {-1, 1}, "constant")), (std::vector<double>{2, 3, 4, 0}));
  const Tensor minus_one = i64s({1}, {-1});
  EXPECT_EQ(pad(i64s({2}, {5, 6}), {1, 2}, "constant", &minus_one).to_i64_vector(), (Ints{-1, 5, 6, -1, -1}));
}

// Expected values from numpy.pad with the same mode (checked by hand: reflect mirrors about
// the edge element without repeating it, edge repeats it).
TEST(MovementOps, PadReflectAndEdgeMatchNumpy) {
  using V = std::vector<double>;
  EXPECT_EQ(values_of(pad(f64({4}, {1, 2, 3, 4}), {2, 3}, "reflect")), (V{3, 2, 1, 2, 3, 4, 3, 2, 1}));
  // Pads longer than the dimension keep mirroring: np.pad([1,2,3], (5,4), 'reflect').
  EXPECT_EQ(values_of(pad(f64({3}, {1, 2, 3}), {5, 4}, "reflect")), (V{2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3}));
  EXPECT_EQ(values_of(pad(f64({1}, {7}), {2, 1}, "reflect")), (V{7, 7, 7, 7}));
  const Tensor m = f64({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor reflected = pad(m, {1, 2, 1, 0}, "reflect");
  EXPECT_EQ(reflected.shape(), (Shape{4, 5}));
  EXPECT_EQ(values_of(reflected), (V{6, 5, 4, 5, 6, 3, 2, 1, 2, 3, 6, 5, 4, 5, 6, 3, 2, 1, 2, 3}));
  const Tensor edged = pad(m, {1, 1, 0, 2}, "edge");
  EXPECT_EQ(edged.shape(), (Shape{3, 6}));
  EXPECT_EQ(values_of(edged), (V{1, 1, 2, 3, 3, 3, 1, 1, 2, 3, 3, 3, 4, 4, 5, 6, 6, 6}));
}

// Constant padding as a block copy into a filled tensor.
TEST(MovementOps, RandomConstantPadMatchesBlockCopy) {
  std::mt19937 rng(4);
  const Tensor x = random_tensor(rng, {2, 3, 4});
  const Ints pads = {0, 2, 1, 1, 0, 3};
  const Tensor value = f64({}, {-7.5});
  const Tensor y = pad(x, pads, "constant", &value);
  ASSERT_EQ(y.shape(), (Shape{3, 5, 8}));
  for (std::int64_t i = 0; i < y.numel(); ++i) {
    const Ints p = unravel(i, y.shape());
    const Ints q = {p[0] - pads[0], p[1] - pads[1], p[2] - pads[2]};
    const bool inside = q[0] >= 0 && q[0] < 2 && q[1] >= 0 && q[1] < 3 && q[2] >= 0 && q[2] < 4;
    ASSERT_EQ(y.value_f64(i), inside ? x.value_f64(ravel(q, x.shape())) : -7.5) << "element " << i;
  }
}

TEST(MovementOps, BadPadsAreErrorsOrUnsupported) {
  const Tensor x = f64({2, 2}, {1, 2, 3, 4});
  expect_error([&] { pad(x, {1, 1}, "constant"); }, "pads has 2 values, rank 2 needs 4");
  expect_error([&] { pad(x, {-3, 0, 0, 0}, "constant"); }, "crop more than");
  expect_error([&] { pad(x, {1, 1, 1, 1}, "wrap"); }, "mode 'wrap' is not supported", true);
  expect_error([&] { pad(x, {1, 1, 1, 1}, "mirror"); }, "unknown mode 'mirror'");
  expect_error([&] { pad(Tensor(DType::F64, {0, 2}), {1, 0, 0, 0}, "edge"); }, "empty dimension");
  expect_error([&] {
    run1("Pad", {runtime(x), constant(i64s({2}, {1, 1})), constant(f64({}, {0})), constant(i64s({1}, {0}))});
  }, "axes input is not supported", true);
}

}  // namespace
}  // namespace tandem
