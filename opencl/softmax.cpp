// Softmax and LogSoftmax along one axis (opset 13 semantics), kernels/softmax.cl.
#include "core/ops/op_util.h"
#include "opencl/group_reduce.h"
#include "opencl/op_table.h"

namespace tandem::opencl {
namespace {

void compile_softmax(NodeContext& context) {
  const Shape& x = context.input_info(0).shape;
  const auto axis = static_cast<std::size_t>(
      normalize_axis(context.node(), context.attributes().get_int("axis", -1),
                     static_cast<std::int64_t>(x.size())));
  const std::int64_t length = x[axis];
  const std::int64_t inner =
      shape_numel(Shape(x.begin() + static_cast<std::ptrdiff_t>(axis) + 1, x.end()));
  const std::int64_t lines = length == 0 ? 0 : shape_numel(x) / length;
  if (lines == 0) return;
  const cl_int log_output = context.node().op_type == "LogSoftmax" ? 1 : 0;
  const LaunchRange range = group_per_row(context.device(), lines, length);
  context.launch(row_kernel("softmax_lines", range).c_str(), range, context.input(0),
                 context.output(), context.to_int(lines, "line count"),
                 context.to_int(length, "axis length"), context.to_int(inner, "inner size"),
                 log_output);
}

const OpTableRegistration softmax_ops({"Softmax", "LogSoftmax"},
                                      {{"softmax.cl"}, compile_softmax, {}});

}  // namespace
}  // namespace tandem::opencl
