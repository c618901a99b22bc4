// BatchNormalization (inference) and LayerNormalization (kernels/normalization.cl).
#include "core/ops/op_util.h"
#include "opencl/broadcast_layout.h"
#include "opencl/group_reduce.h"
#include "opencl/op_table.h"

namespace tandem::opencl {
namespace {

void reject_extra_outputs(NodeContext& context) {
  const std::vector<ValueId>& outputs = context.node().outputs;
  for (std::size_t o = 1; o < outputs.size(); ++o) {
    if (outputs[o] != kNoValue) context.unsupported("only the first output is supported");
  }
}

void compile_batch_norm(NodeContext& context) {
  reject_extra_outputs(context);
  if (context.attributes().get_int("training_mode", 0) != 0) context.unsupported("training_mode=1");
  const Shape& x = context.input_info(0).shape;
  const std::int64_t channels = x.size() > 1 ? x[1] : 1;
  const std::int64_t plane = shape_numel(Shape(
      x.begin() + std::min<std::ptrdiff_t>(2, static_cast<std::ptrdiff_t>(x.size())), x.end()));
  const std::int64_t count = shape_numel(x);
  const auto epsilon = static_cast<float>(context.attributes().get_float("epsilon", 1e-5));
  context.launch_1d("batch_norm", count, context.input(0), context.input(1), context.input(2),
                    context.input(3), context.input(4), context.output(),
                    context.to_int(count, "element count"), context.to_int(channels, "channels"),
                    context.to_int(plane, "plane size"), epsilon);
}

void compile_layer_norm(NodeContext& context) {
  reject_extra_outputs(context);
  const Shape& x = context.input_info(0).shape;
  const std::int64_t axis = normalize_axis(context.node(), context.attributes().get_int("axis", -1),
                                           static_cast<std::int64_t>(x.size()));
  const std::int64_t inner = shape_numel(Shape(x.begin() + axis, x.end()));
  const std::int64_t rows = inner == 0 ? 0 : shape_numel(x) / inner;
  if (rows == 0) return;
  const bool has_bias = context.has_input(2);
  const Shape bias_shape = has_bias ? context.input_info(2).shape : Shape{};
  const BroadcastLayout layout = broadcast_layout(x, {context.input_info(1).shape, bias_shape});
  const BufferArg scale = context.input(1);
  const auto epsilon = static_cast<float>(context.attributes().get_float("epsilon", 1e-5));
  const LaunchRange range = group_per_row(context.device(), rows, inner);
  context.launch(row_kernel("layer_norm", range).c_str(), range, context.input(0), scale,
                 has_bias ? context.input(2) : scale, cl_int{has_bias}, context.output(),
                 context.upload_ints(layout_params(layout)), context.to_int(rows, "row count"),
                 context.to_int(inner, "row length"), epsilon);
}

const OpTableRegistration batch_norm_op({"BatchNormalization"},
                                        {{"normalization.cl"}, compile_batch_norm, {}});
const OpTableRegistration layer_norm_op({"LayerNormalization"},
                                        {{"normalization.cl"}, compile_layer_norm, {}});

}  // namespace
}  // namespace tandem::opencl
