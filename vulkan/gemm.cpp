// Gemm and MatMul: operands addressed through strides (transposes cost nothing), MatMul's
// batch dims broadcast numpy-style, Gemm's C broadcast to [M, N]. Products that fill whole
// blocks run the register-blocked shaders/gemm_tiled.comp; the rest run shaders/gemm.comp,
// which also remains the simple reference the fast kernel is tested against.
#include <initializer_list>
#include <optional>

#include "core/ops/broadcast.h"
#include "vulkan/broadcast_layout.h"
#include "vulkan/gemm_tiling.h"
#include "vulkan/loop_limit.h"
#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

constexpr std::size_t kMaxBatchRank = 4;  // batch_dims[] in shaders/gemm.comp
constexpr std::int64_t kTile = 16;        // the tiled variant's output tile edge
constexpr std::uint32_t kTileInvocations = kTile * kTile;

// Shared-memory tiles pay off once every tile is mostly full and K spans a tile.
bool use_tiles(const NodeContext& context, std::int64_t m, std::int64_t n, std::int64_t k) {
  const VkPhysicalDeviceLimits& limits = context.limits();
  return m >= kTile && n >= kTile && k >= kTile &&
         limits.maxComputeWorkGroupInvocations >= kTileInvocations &&
         limits.maxComputeWorkGroupSize[0] >= kTileInvocations;
}

// One multiplication as the shader sees it (element strides of each operand).
struct GemmLayout {
  std::int64_t m = 1, n = 1, k = 1;
  std::int64_t a_row = 0, a_k = 0, b_k = 0, b_column = 0, c_row = 0, c_column = 0;
  float alpha = 1.0f;
  float beta = 0.0f;
  BroadcastLayout batch;  // strides[0] for A, strides[1] for B
};

bool all_multiples_of_4(std::initializer_list<std::int64_t> values) {
  for (std::int64_t value : values) {
    if (value % 4 != 0) return false;
  }
  return true;
}

bool batch_strides_multiple_of_4(const GemmLayout& layout, std::size_t operand) {
  for (std::int64_t stride : layout.batch.strides[operand]) {
    if (stride % 4 != 0) return false;
  }
  return true;
}

// How gemm_tile.glsl spreads A's and B's loads: vec4 where rows are contiguous and every
// address stays 16-byte aligned, else along whichever index is contiguous.
std::vector<std::int32_t> load_modes(const GemmLayout& layout, const Slot& a, const Slot& b,
                                     const Slot& out) {
  LoadMode a_mode = layout.a_k == 1 ? LoadMode::ContiguousFastest : LoadMode::OtherFastest;
  if (layout.a_k == 1 && all_multiples_of_4({layout.k, layout.a_row, a.element_offset()}) &&
      batch_strides_multiple_of_4(layout, 0)) {
    a_mode = LoadMode::Vec4;
  }
  LoadMode b_mode = layout.b_column == 1 ? LoadMode::ContiguousFastest : LoadMode::OtherFastest;
  if (layout.b_column == 1 && all_multiples_of_4({layout.n, layout.b_k, b.element_offset()}) &&
      batch_strides_multiple_of_4(layout, 1)) {
    b_mode = LoadMode::Vec4;
  }
  const bool vec_out = all_multiples_of_4({layout.n, out.element_offset()});
  return {static_cast<std::int32_t>(a_mode), static_cast<std::int32_t>(b_mode), vec_out ? 1 : 0};
}

void record_gemm(NodeContext& context, const GemmLayout& layout, bool has_c) {
  if (layout.batch.shape.size() > kMaxBatchRank) {
    context.unsupported("MatMul with " + std::to_string(layout.batch.shape.size()) +
                        " non-mergeable batch dims (the shader takes 4)");
  }
  // Both GEMM shaders walk K 16 at a time in one invocation (vulkan/loop_limit.h).
  if ((layout.k + 15) / 16 > kMaxStepsPerInvocation) {
    context.unsupported("K = " + std::to_string(layout.k) + " takes one invocation more than " +
                        std::to_string(kMaxStepsPerInvocation) + " loop steps (vulkan/loop_limit.h)");
  }
  const Slot out = context.output_slot();
  const Slot a = context.input_slot(0);
  const Slot b = context.input_slot(1);
  const Slot c = has_c ? context.input_slot(2) : a;
  const std::int64_t elements = shape_numel(context.output().shape);
  const std::int64_t batches = elements == 0 ? 0 : elements / (layout.m * layout.n);
  const std::optional<GemmTiling> blocked = choose_gemm_tiling(
      context.limits(), context.compute_units(), layout.m, layout.n, layout.k, batches);
  const bool tiled = !blocked && use_tiles(context, layout.m, layout.n, layout.k);
  // The tiled variant counts tiles: batches x row tiles x column tiles.
  const std::int64_t tiles = elements == 0 ? 0
                                           : elements / (layout.m * layout.n) *
                                                 ((layout.m + kTile - 1) / kTile) *
                                                 ((layout.n + kTile - 1) / kTile);
  std::int64_t count = tiled ? tiles : elements;
  auto u32 = [&](std::int64_t value) { return checked_u32(context, value, "size or stride"); };
  Dispatch dispatch;
  dispatch.variant = {tiled ? 1 : 0};
  dispatch.bindings = {out, a, b, c};
  dispatch.workgroup_size = tiled ? kTileInvocations : 64;
  dispatch.invocations = static_cast<std::uint64_t>(count) * (tiled ? kTileInvocations : 1);
  if (blocked) {
    count = static_cast<std::int64_t>(blocked->blocks(layout.m, layout.n)) * batches;
    dispatch.shader = "gemm_tiled";
    dispatch.variant = blocked->constants();
    const std::vector<std::int32_t> modes = load_modes(layout, a, b, out);
    dispatch.variant.insert(dispatch.variant.end(), modes.begin(), modes.end());
    dispatch.workgroup_size = blocked->invocations();
    dispatch.invocations = static_cast<std::uint64_t>(count) * blocked->invocations();
  }
  dispatch.push = {u32(count),
                   out.element_offset(),
                   a.element_offset(),
                   b.element_offset(),
                   c.element_offset(),
                   u32(layout.m),
                   u32(layout.n),
                   u32(layout.k),
                   u32(layout.a_row),
                   u32(layout.a_k),
                   u32(layout.b_k),
                   u32(layout.b_column),
                   u32(layout.c_row),
                   u32(layout.c_column),
                   float_word(layout.alpha),
                   float_word(has_c ? layout.beta : 0.0f),
                   static_cast<std::uint32_t>(layout.batch.shape.size())};
  const std::size_t dims_at = dispatch.push.size();
  dispatch.push.resize(dims_at + 3 * kMaxBatchRank, 0);
  for (std::size_t d = 0; d < layout.batch.shape.size(); ++d) {
    dispatch.push[dims_at + d] = u32(layout.batch.shape[d]);
    dispatch.push[dims_at + kMaxBatchRank + d] = u32(layout.batch.strides[0][d]);
    dispatch.push[dims_at + 2 * kMaxBatchRank + d] = u32(layout.batch.strides[1][d]);
  }
  context.dispatch(std::move(dispatch));
}

void compile_gemm(NodeContext& context) {
  const Attributes& attributes = context.attributes();
  const bool trans_a = attributes.get_int("transA", 0) == 1;
  const bool trans_b = attributes.get_int("transB", 0) == 1;
  const Shape& a = context.input(0).shape;
  const Shape& b = context.input(1).shape;
  GemmLayout layout;
  layout.m = trans_a ? a[1] : a[0];
  layout.k = trans_a ? a[0] : a[1];
  layout.n = trans_b ? b[0] : b[1];
  layout.a_row = trans_a ? 1 : layout.k;
  layout.a_k = trans_a ? layout.m : 1;
  layout.b_k = trans_b ? 1 : layout.n;
  layout.b_column = trans_b ? layout.k : 1;
  layout.alpha = static_cast<float>(attributes.get_float("alpha", 1.0));
  layout.beta = static_cast<float>(attributes.get_float("beta", 1.0));
  const bool has_c = context.has_input(2);
  if (has_c) {
    const std::vector<std::int64_t> c =
        broadcast_strides(context.input(2).shape, {layout.m, layout.n});
    layout.c_row = c[0];
    layout.c_column = c[1];
  }
  layout.batch = collapse_layout({}, {{}, {}});
  record_gemm(context, layout, has_c);
}

// numpy.matmul: a 1-D A is a row [1, K], a 1-D B a column [K, 1]; batch dims broadcast.
void compile_matmul(NodeContext& context) {
  const Shape& a = context.input(0).shape;
  const Shape& b = context.input(1).shape;
  const bool a_vector = a.size() == 1;
  const bool b_vector = b.size() == 1;
  GemmLayout layout;
  layout.m = a_vector ? 1 : a[a.size() - 2];
  layout.k = a.back();
  layout.n = b_vector ? 1 : b.back();
  layout.a_row = layout.k;
  layout.a_k = 1;
  layout.b_k = layout.n;
  layout.b_column = 1;
  const Shape a_batch = a_vector ? Shape{} : Shape(a.begin(), a.end() - 2);
  const Shape b_batch = b_vector ? Shape{} : Shape(b.begin(), b.end() - 2);
  const Shape batch = broadcast_shape(a_batch, b_batch, context.node().label());
  std::vector<std::int64_t> a_strides = broadcast_strides(a_batch, batch);
  std::vector<std::int64_t> b_strides = broadcast_strides(b_batch, batch);
  for (std::int64_t& stride : a_strides) stride *= layout.m * layout.k;
  for (std::int64_t& stride : b_strides) stride *= layout.k * layout.n;
  layout.batch = collapse_layout(batch, {a_strides, b_strides});
  record_gemm(context, layout, false);
}

const OpTableRegistration gemm_registration({"Gemm"}, {"gemm", compile_gemm, {}});
const OpTableRegistration matmul_registration({"MatMul"}, {"gemm", compile_matmul, {}});

}  // namespace
}  // namespace tandem::vulkan
