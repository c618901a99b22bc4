// Conv and ConvTranspose (kernels/conv.cl), 1 to 3 spatial dims, any group count, with the
// activations the fusion pass may fold into a Conv. The window geometry (auto_pad, pads,
// dilations) comes resolved from core/ops/conv_geometry.h, as the reference uses it.
// On GPUs, layers with few inputs per output (C x taps at most 32: 1x1 32->64, a 3x3 layer on
// RGB) stream through kernels/conv_shallow.cl (opencl/conv_shallow.h). Other layers with
// enough output channels per group and positions for the device's GEMM tiling run as an
// implicit GEMM (GPUs: kernels/conv_tiled.cl through opencl/conv_tiled.h; CPUs: conv_blocked
// in kernels/gemm_tiled.cl); depthwise layers run kernels/conv_depthwise.cl
// (opencl/conv_depthwise.h); 3-D and small layers and ConvTranspose keep the direct kernels.
#include <limits>
#include <optional>

#include "core/op_registry.h"
#include "core/ops/conv_geometry.h"
#include "opencl/conv_depthwise.h"
#include "opencl/conv_shallow.h"
#include "opencl/conv_tiled.h"
#include "opencl/gemm.h"
#include "opencl/gemm_tiling.h"
#include "opencl/op_codes.h"
#include "opencl/op_table.h"

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

// The activation the fusion pass marked on the node, with ONNX's defaults where the pass
// left alpha/beta unset (as the reference reads them, core/ops/conv.cpp).
ConvActivation fused_activation(NodeContext& context) {
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
  return geometry.group == 1 && geometry.window.is_unpadded_1x1();
}

void compile_pointwise_conv(NodeContext& context, const ConvGeometry& geometry,
                            const ConvActivation& activation) {
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
  problem.allow_blocked = false;  // conv_programs requested conv_blocked's tiling, if any
  launch_matmul(context, problem);
}

// On CPUs, Conv as the implicit GEMM of gemm_tiled.cl's conv_blocked, per image and group:
// y[n, g] (M/g x P) = W[g] (M/g x K) x im2col(x[n, g]) (K x P), K = C/g x taps, P = output
// positions. An unpadded 1x1 stride-1 layer reads x[n, g] as a plain [C/g, P] matrix; other
// layers gather im2col's elements as they load (1-D and 2-D only). GPUs run conv_tiled.h's.
struct ConvProduct {
  std::int64_t rows = 0, columns = 0, depth = 0, batches = 0;  // M/g, P, K, N x g
  bool gather = true;
};

std::optional<ConvProduct> conv_product(const ConvGeometry& geometry) {
  ConvProduct product;
  product.gather = !geometry.window.is_unpadded_1x1();
  if (product.gather && geometry.window.dims.size() > 2) return std::nullopt;
  product.rows = geometry.out_channels_per_group();
  product.columns = shape_numel(geometry.window.output_spatial());
  product.depth = geometry.inputs_per_output();
  product.batches = geometry.batch * geometry.group;
  return product;
}

std::optional<GemmTiling> conv_tiling(const ClDevice& device, const ConvGeometry& geometry) {
  const std::optional<ConvProduct> product = conv_product(geometry);
  if (!product) return std::nullopt;
  const std::optional<GemmTiling> tiling = choose_gemm_tiling(
      device, product->rows, product->columns, product->depth, product->batches);
  if (!tiling || tiling->local_tiles) return std::nullopt;
  return tiling;
}

ConvGeometry node_geometry(const Plan& plan, const Node& node) {
  return resolve_conv(node, plan.info_of(node.inputs.at(0)).shape,
                      plan.info_of(node.inputs.at(1)).shape);
}

// The layout conv_blocked reads: the product's [M, N, K, strides of A, B and the bias
// column], the batch as [images, groups] with each operand's strides, then the geometry.
std::vector<std::int64_t> blocked_conv_params(const ConvGeometry& geometry,
                                              const ConvProduct& product) {
  const std::int64_t pixels = shape_numel(geometry.window.input_spatial());
  const std::int64_t group_channels = geometry.in_channels_per_group();
  std::vector<std::int64_t> params{product.rows, product.columns, product.depth, product.depth,
                                   1, product.columns, 1, 1, 0,
                                   2, geometry.batch, geometry.group,
                                   0, product.rows * product.depth,
                                   geometry.in_channels * pixels, group_channels * pixels,
                                   geometry.group, product.gather ? 1 : 0};
  // [in_h, in_w, out_w, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h,
  // dilation_w]; a 1-D layer is a 2-D one of height 1. An unpadded 1x1 ignores them.
  const std::vector<WindowDim> dims = window_2d(geometry);
  const WindowDim& h = dims[0];
  const WindowDim& w = dims[1];
  params.insert(params.end(), {h.input, w.input, w.output, h.kernel, w.kernel, h.stride, w.stride,
                               h.pad_begin, w.pad_begin, h.dilation, w.dilation});
  return params;
}

void compile_blocked_conv(NodeContext& context, const ConvGeometry& geometry,
                          const GemmTiling& tiling, const ConvActivation& activation) {
  const ConvProduct product = *conv_product(geometry);
  const bool has_bias = context.has_input(2);
  const BufferArg x = context.input(0);
  const BufferArg weights = context.input(1);
  const BufferArg y = context.output();
  cl_int flags = 0;
  if (product.depth % 4 == 0 && weights.offset % 4 == 0) flags |= kVecA;
  if (!product.gather && product.columns % 4 == 0 && x.offset % 4 == 0) flags |= kVecB;
  if (product.columns % 4 == 0 && y.offset % 4 == 0) flags |= kVecOut;
  context.launch_in(blocked_program_name(tiling), "conv_blocked",
                    blocked_range(context, tiling, product.rows, product.columns, product.batches),
                    x, weights, has_bias ? context.input(2) : weights, cl_int{has_bias}, y,
                    context.upload_ints(blocked_conv_params(geometry, product)), flags,
                    activation.op, activation.alpha, activation.beta);
}

bool has_constant_weights(const Plan& plan, const Node& node) {
  return plan.graph.value(node.inputs.at(1)).constant.has_value();
}

// Whether x and y start on 16 bytes: a constant has a buffer of its own; the rest, the arena
// slot.
bool has_aligned_io(const Plan& plan, const Node& node) {
  const auto aligned = [&](ValueId value) {
    return plan.graph.value(value).constant.has_value() ||
           plan.memory.offset.at(static_cast<std::size_t>(value)) % 16 == 0;
  };
  return aligned(node.inputs.at(0)) && aligned(node.outputs.at(0));
}

std::vector<ProgramRequest> conv_programs(const Plan& plan, const Node& node,
                                          const ClDevice& device) {
  const ConvGeometry geometry = node_geometry(plan, node);
  if (is_depthwise(geometry)) {
    return {depthwise_program(device, geometry, has_aligned_io(plan, node))};
  }
  if (const ShallowConv shallow = choose_shallow_conv(device, geometry, has_aligned_io(plan, node));
      shallow != ShallowConv::None) {
    return {shallow_conv_program(geometry, shallow)};
  }
  if (const auto conv = tiled_conv(device, geometry, has_constant_weights(plan, node))) {
    return {conv->program()};
  }
  const std::optional<GemmTiling> tiling = conv_tiling(device, geometry);
  if (!tiling) return {};
  return {blocked_program(*tiling)};
}

void compile_conv(NodeContext& context) {
  const ConvGeometry geometry = node_geometry(context.plan(), context.node());
  const ConvActivation activation = fused_activation(context);
  if (is_depthwise(geometry)) {
    compile_depthwise_conv(context, geometry, has_aligned_io(context.plan(), context.node()),
                           activation);
    return;
  }
  if (const ShallowConv shallow = choose_shallow_conv(
          context.device(), geometry, has_aligned_io(context.plan(), context.node()));
      shallow != ShallowConv::None) {
    compile_shallow_conv(context, geometry, shallow, activation);
    return;
  }
  if (const auto conv = tiled_conv(context.device(), geometry,
                                   has_constant_weights(context.plan(), context.node()))) {
    compile_tiled_conv(context, geometry, *conv, activation);
    return;
  }
  if (const std::optional<GemmTiling> tiling = conv_tiling(context.device(), geometry)) {
    compile_blocked_conv(context, geometry, *tiling, activation);
    return;
  }
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
                    context.to_int(count, "element count"), activation.op,
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
                                              "HardSwish", "Tanh"},
                                             conv_programs});
const OpTableRegistration conv_transpose_op({"ConvTranspose"},
                                            {{"conv.cl"}, compile_conv_transpose, {}});

}  // namespace
}  // namespace tandem::opencl
