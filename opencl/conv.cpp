// Conv and ConvTranspose (kernels/conv.cl), 1 to 3 spatial dims, any group count, with the
// activations the fusion pass may fold into a Conv. The window geometry (auto_pad, pads,
// dilations) comes resolved from core/ops/conv_geometry.h, as the reference uses it.
#include <limits>

#include "core/op_registry.h"
#include "core/ops/conv_geometry.h"
#include "opencl/gemm.h"
#include "opencl/op_table.h"
#include "opencl/unary_op.h"

namespace tandem::opencl {
namespace {

constexpr std::size_t kMaxSpatialDims = 3;

// [N, C, M, group, then input, output, kernel, stride, dilation, pad_begin per spatial
// dim], missing leading dims as size 1 (the layout kernels/conv.cl reads).
std::vector<std::int64_t> conv_params(NodeContext& context, const ConvGeometry& geometry) {
  const std::vector<WindowDim>& dims = geometry.window.dims;
  if (dims.size() > kMaxSpatialDims) {
    context.unsupported(std::to_string(dims.size()) + " spatial dims (at most 3)");
  }
  std::vector<std::int64_t> params{geometry.batch, geometry.in_channels, geometry.out_channels,
                                   geometry.group};
  for (std::size_t d = dims.size(); d < kMaxSpatialDims; ++d) {
    params.insert(params.end(), {1, 1, 1, 1, 1, 0});
  }
  for (const WindowDim& dim : dims) {
    params.insert(params.end(),
                  {dim.input, dim.output, dim.kernel, dim.stride, dim.dilation, dim.pad_begin});
  }
  return params;
}

struct Activation {
  UnaryOp op = UnaryOp::Identity;
  float alpha = 0.0f;
  float beta = 0.0f;
};

// The activation the fusion pass marked on the node, with ONNX's defaults where the pass
// left alpha/beta unset (as the reference reads them, core/ops/conv.cpp).
Activation fused_activation(NodeContext& context) {
  const Attributes& attributes = context.attributes();
  if (!attributes.has(kFusedActivation)) return {};
  const std::string name = attributes.get_string(kFusedActivation);
  const std::optional<UnaryOp> op = unary_op_for(name);
  if (!op) context.unsupported("fused activation '" + name + "'");
  double alpha = 0.0;
  double beta = 0.0;
  if (name == "LeakyRelu") alpha = 0.01;
  if (name == "HardSigmoid") alpha = 0.2, beta = 0.5;
  if (name == "Clip") {
    alpha = -std::numeric_limits<double>::infinity();
    beta = std::numeric_limits<double>::infinity();
  }
  return {*op, static_cast<float>(attributes.get_float(kFusedAlpha, alpha)),
          static_cast<float>(attributes.get_float(kFusedBeta, beta))};
}

// A 1x1 Conv without stride, padding or groups is a product per image:
// y[n] (M x P) = W (M x C) x[n] (C x P), with the bias as a column broadcast along P.
bool is_pointwise(const ConvGeometry& geometry) {
  if (geometry.group != 1) return false;
  for (const WindowDim& dim : geometry.window.dims) {
    if (dim.kernel != 1 || dim.stride != 1 || dim.pad_begin != 0 || dim.output != dim.input)
      return false;
  }
  return true;
}

void compile_pointwise_conv(NodeContext& context, const ConvGeometry& geometry,
                            const Activation& activation) {
  const std::int64_t pixels = shape_numel(geometry.window.input_spatial());
  MatmulProblem problem;
  problem.rows = geometry.out_channels;
  problem.depth = geometry.in_channels;
  problem.columns = pixels;
  problem.a = context.input(1);
  problem.a_row = geometry.in_channels;
  problem.a_column = 1;
  problem.b = context.input(0);
  problem.b_row = pixels;
  problem.b_column = 1;
  problem.batch = {geometry.batch};
  problem.a_batch_strides = {0};
  problem.b_batch_strides = {geometry.in_channels * pixels};
  if (context.has_input(2)) {
    problem.has_c = true;
    problem.c = context.input(2);
    problem.c_row = 1;
    problem.c_column = 0;
  }
  problem.y = context.output();
  problem.activation = activation.op;
  problem.activation_alpha = activation.alpha;
  problem.activation_beta = activation.beta;
  launch_matmul(context, problem);
}

void compile_conv(NodeContext& context) {
  const ConvGeometry geometry =
      resolve_conv(context.node(), context.input_info(0).shape, context.input_info(1).shape);
  const Activation activation = fused_activation(context);
  if (is_pointwise(geometry)) {
    compile_pointwise_conv(context, geometry, activation);
    return;
  }
  const bool has_bias = context.has_input(2);
  const BufferArg weights = context.input(1);
  const std::int64_t count = context.output_info().numel();
  context.launch_1d("conv", count, context.input(0), weights, has_bias ? context.input(2) : weights,
                    cl_int{has_bias}, context.output(),
                    context.upload_ints(conv_params(context, geometry)),
                    context.to_int(count, "element count"), static_cast<cl_int>(activation.op),
                    activation.alpha, activation.beta);
}

void compile_conv_transpose(NodeContext& context) {
  if (context.attributes().has(kFusedActivation))
    context.unsupported("fused activation on ConvTranspose");
  const ConvGeometry geometry = resolve_conv_transpose(context.node(), context.input_info(0).shape,
                                                       context.input_info(1).shape);
  const bool has_bias = context.has_input(2);
  const BufferArg weights = context.input(1);
  const std::int64_t count = context.output_info().numel();
  context.launch_1d("conv_transpose", count, context.input(0), weights,
                    has_bias ? context.input(2) : weights, cl_int{has_bias}, context.output(),
                    context.upload_ints(conv_params(context, geometry)),
                    context.to_int(count, "element count"));
}

const OpTableRegistration conv_op({"Conv"}, {{"conv.cl", "gemm.cl"},
                                             compile_conv,
                                             {"Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid",
                                              "HardSwish", "Tanh"}});
const OpTableRegistration conv_transpose_op({"ConvTranspose"},
                                            {{"conv.cl"}, compile_conv_transpose, {}});

}  // namespace
}  // namespace tandem::opencl
