// BatchNormalization after a Conv is an affine map per output channel, so at inference it
// folds into the Conv's weights and bias: one op fewer, and one activation buffer fewer.
#include <algorithm>
#include <cmath>

#include "core/op_registry.h"
#include "core/passes/node_removal.h"
#include "core/passes/passes.h"

namespace tandem {
namespace {

const Tensor* constant_input(const Graph& graph, const Node& node, std::size_t index) {
  if (index >= node.inputs.size() || node.inputs[index] == kNoValue) return nullptr;
  const Value& value = graph.value(node.inputs[index]);
  return value.constant ? &*value.constant : nullptr;
}

// The Conv feeding `bn`, when the pair can be folded; nullptr otherwise.
Node* foldable_conv(Graph& graph, const Node& bn) {
  if (bn.outputs.size() != 1 || bn.inputs.size() != 5) return nullptr;
  if (bn.attributes.get_int("training_mode", 0) != 0) return nullptr;
  const ValueId x = bn.inputs[0];
  const auto producer = graph.producer(x);
  if (!producer || graph.is_graph_output(x) || graph.consumers(x).size() != 1) return nullptr;
  Node& conv = graph.nodes()[*producer];
  if (conv.op_type != "Conv" || conv.outputs.size() != 1 || conv.attributes.has(kFusedActivation)) {
    return nullptr;
  }
  const Tensor* weight = constant_input(graph, conv, 1);
  const bool bias_ok = conv.inputs.size() < 3 || conv.inputs[2] == kNoValue || constant_input(graph, conv, 2);
  if (!weight || weight->shape().empty() || !bias_ok) return nullptr;
  const std::int64_t channels = weight->shape()[0];
  for (std::size_t i = 1; i < 5; ++i) {
    const Tensor* parameter = constant_input(graph, bn, i);
    if (!parameter || parameter->numel() != channels) return nullptr;
  }
  return &conv;
}

// y = scale * (W x + B - mean) / sqrt(var + eps) + bias, per output channel m, computed in
// double and stored in the weight's dtype.
void fold_pair(Graph& graph, Node& conv, const Node& bn) {
  const Tensor& weight = *constant_input(graph, conv, 1);
  const Tensor* conv_bias = constant_input(graph, conv, 2);
  const Tensor& scale = *constant_input(graph, bn, 1);
  const Tensor& shift = *constant_input(graph, bn, 2);
  const Tensor& mean = *constant_input(graph, bn, 3);
  const Tensor& variance = *constant_input(graph, bn, 4);
  const double epsilon = bn.attributes.get_float("epsilon", 1e-5);
  const std::int64_t channels = weight.shape()[0];
  const std::int64_t per_channel = weight.numel() / std::max<std::int64_t>(channels, 1);
  std::vector<double> new_weight(static_cast<std::size_t>(weight.numel()));
  std::vector<double> new_bias(static_cast<std::size_t>(channels));
  for (std::int64_t m = 0; m < channels; ++m) {
    const double factor = scale.value_f64(m) / std::sqrt(variance.value_f64(m) + epsilon);
    for (std::int64_t k = 0; k < per_channel; ++k) {
      const std::int64_t i = m * per_channel + k;
      new_weight[static_cast<std::size_t>(i)] = weight.value_f64(i) * factor;
    }
    const double bias = conv_bias ? conv_bias->value_f64(m) : 0.0;
    new_bias[static_cast<std::size_t>(m)] = (bias - mean.value_f64(m)) * factor + shift.value_f64(m);
  }
  // Built before add_constant, which may move the tensors referenced above.
  Tensor folded_weight = Tensor::from(weight.dtype(), weight.shape(), new_weight);
  Tensor folded_bias = Tensor::from(weight.dtype(), {channels}, new_bias);
  const ValueId weight_id = graph.add_constant(conv.name + ":bn_folded_W", std::move(folded_weight));
  const ValueId bias_id = graph.add_constant(conv.name + ":bn_folded_B", std::move(folded_bias));
  conv.inputs.resize(3, kNoValue);
  conv.inputs[1] = weight_id;
  conv.inputs[2] = bias_id;
  conv.outputs[0] = bn.outputs[0];
}

}  // namespace

void fold_batchnorm_into_conv(Graph& graph) {
  std::vector<bool> removed(graph.nodes().size(), false);
  for (std::size_t i = 0; i < graph.nodes().size(); ++i) {
    const Node& bn = graph.nodes()[i];
    if (bn.op_type != "BatchNormalization") continue;
    Node* conv = foldable_conv(graph, bn);
    if (!conv) continue;
    fold_pair(graph, *conv, bn);
    removed[i] = true;
  }
  remove_marked_nodes(graph, removed);
}

}  // namespace tandem
