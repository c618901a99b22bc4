// MaxPool and AveragePool through shaders/pool.comp, with the window resolved once by
// core/ops/window_geometry.h, one invocation per output. GlobalAveragePool is a ReduceMean
// over the spatial dims (vulkan/reduce.h), whose long planes get a workgroup each.
#include "core/ops/window_geometry.h"
#include "vulkan/loop_limit.h"
#include "vulkan/op_table.h"
#include "vulkan/reduce.h"

namespace tandem::vulkan {
namespace {

constexpr int kMax = 0;
constexpr int kAverage = 1;

struct Pool2d {
  WindowDim h;
  WindowDim w;
};

// 1-D windows run as 2-D with a unit leading dimension.
Pool2d as_2d(NodeContext& context, const WindowGeometry& window) {
  if (window.dims.empty() || window.dims.size() > 2) {
    context.unsupported(std::to_string(window.dims.size()) + "-D pooling (1-D and 2-D only)");
  }
  WindowDim unit;
  unit.input = 1;
  unit.output = 1;
  return {window.dims.size() == 2 ? window.dims[0] : unit, window.dims.back()};
}

void record_pool(NodeContext& context, int kind, bool count_include_pad, const Pool2d& pool) {
  // One invocation walks the whole window: the kh loop and, per row, the kw loop.
  const std::int64_t steps = pool.h.kernel * (1 + pool.w.kernel);
  if (steps > kMaxStepsPerInvocation) {
    context.unsupported("a " + std::to_string(pool.h.kernel) + "x" + std::to_string(pool.w.kernel) +
                        " window needs " + std::to_string(steps) +
                        " loop steps in one invocation (at most " +
                        std::to_string(kMaxStepsPerInvocation) + ": vulkan/loop_limit.h)");
  }
  const Slot out = context.output_slot();
  const Slot in = context.input_slot(0);
  const std::int64_t count = shape_numel(context.output().shape);
  auto u32 = [&](std::int64_t value) { return checked_u32(context, value, "size"); };
  auto i32 = [](std::int64_t value) {
    return static_cast<std::uint32_t>(static_cast<std::int32_t>(value));
  };
  Dispatch dispatch;
  dispatch.variant = {kind, count_include_pad ? 1 : 0};
  dispatch.bindings = {out, in};
  dispatch.invocations = static_cast<std::uint64_t>(count);
  dispatch.push = {u32(count),
                   out.element_offset(),
                   in.element_offset(),
                   u32(pool.h.input),
                   u32(pool.w.input),
                   u32(pool.h.output),
                   u32(pool.w.output),
                   u32(pool.h.kernel),
                   u32(pool.w.kernel),
                   i32(pool.h.stride),
                   i32(pool.w.stride),
                   i32(pool.h.pad_begin),
                   i32(pool.w.pad_begin),
                   i32(pool.h.pad_end),
                   i32(pool.w.pad_end),
                   i32(pool.h.dilation),
                   i32(pool.w.dilation)};
  context.dispatch(std::move(dispatch));
}

void compile_window_pool(NodeContext& context, int kind) {
  const WindowGeometry window = resolve_pool_window(context.node(), context.input(0).shape);
  const bool count_include_pad = context.attributes().get_int("count_include_pad", 0) == 1;
  record_pool(context, kind, count_include_pad, as_2d(context, window));
}

// The mean over every dim after N and C.
void compile_global_average(NodeContext& context) {
  std::vector<bool> reduced(context.input(0).shape.size(), true);
  reduced[0] = false;
  reduced[1] = false;
  record_reduction(context, reduced, true);
}

const OpTableRegistration max_registration(
    {"MaxPool"}, {"pool", [](NodeContext& c) { compile_window_pool(c, kMax); }, {}});
const OpTableRegistration average_registration(
    {"AveragePool"}, {"pool", [](NodeContext& c) { compile_window_pool(c, kAverage); }, {}});
const OpTableRegistration global_registration({"GlobalAveragePool"},
                                              {"pool", compile_global_average, {}});

}  // namespace
}  // namespace tandem::vulkan
