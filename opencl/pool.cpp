// MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool (kernels/pool.cl). The window
// geometry (auto_pad, ceil_mode, dilations) comes resolved from core/ops/window_geometry.h.
#include "core/ops/window_geometry.h"
#include "opencl/op_table.h"

namespace tandem::opencl {
namespace {

constexpr std::size_t kMaxSpatialDims = 3;
enum class PoolMode : cl_int { Max = 0, Average = 1, AverageWithPads = 2 };

void launch_pool(NodeContext& context, const WindowGeometry& window, PoolMode mode) {
  if (window.dims.size() > kMaxSpatialDims) {
    context.unsupported(std::to_string(window.dims.size()) + " spatial dims (at most 3)");
  }
  const Shape& x = context.input_info(0).shape;
  std::vector<std::int64_t> params{x[0] * x[1]};
  for (std::size_t d = window.dims.size(); d < kMaxSpatialDims; ++d) {
    params.insert(params.end(), {1, 1, 1, 1, 1, 0, 0});
  }
  for (const WindowDim& dim : window.dims) {
    params.insert(params.end(), {dim.input, dim.output, dim.kernel, dim.stride, dim.dilation,
                                 dim.pad_begin, dim.pad_end});
  }
  const std::int64_t count = context.output_info().numel();
  context.launch_1d("pool", count, context.input(0), context.output(), context.upload_ints(params),
                    context.to_int(count, "element count"), static_cast<cl_int>(mode));
}

void compile_max_pool(NodeContext& context) {
  if (context.node().outputs.size() > 1 && context.node().outputs[1] != kNoValue) {
    context.unsupported("the Indices output");
  }
  launch_pool(context, resolve_pool_window(context.node(), context.input_info(0).shape),
              PoolMode::Max);
}

void compile_average_pool(NodeContext& context) {
  const bool with_pads = context.attributes().get_int("count_include_pad", 0) == 1;
  launch_pool(context, resolve_pool_window(context.node(), context.input_info(0).shape),
              with_pads ? PoolMode::AverageWithPads : PoolMode::Average);
}

// A global pool is one window covering every spatial position.
WindowGeometry global_window(const Shape& x) {
  WindowGeometry window;
  for (std::size_t d = 2; d < x.size(); ++d) {
    WindowDim dim;
    dim.input = x[d];
    dim.output = 1;
    dim.kernel = x[d];
    window.dims.push_back(dim);
  }
  return window;
}

void compile_global_average_pool(NodeContext& context) {
  launch_pool(context, global_window(context.input_info(0).shape), PoolMode::Average);
}

void compile_global_max_pool(NodeContext& context) {
  launch_pool(context, global_window(context.input_info(0).shape), PoolMode::Max);
}

const OpTableRegistration max_pool_op({"MaxPool"}, {{"pool.cl"}, compile_max_pool, {}});
const OpTableRegistration average_pool_op({"AveragePool"}, {{"pool.cl"}, compile_average_pool, {}});
const OpTableRegistration global_average_pool_op({"GlobalAveragePool"},
                                                 {{"pool.cl"}, compile_global_average_pool, {}});
const OpTableRegistration global_max_pool_op({"GlobalMaxPool"},
                                             {{"pool.cl"}, compile_global_max_pool, {}});

}  // namespace
}  // namespace tandem::opencl
