// A Conv followed by an elementwise activation becomes one Conv that applies it on the
// way out (kFusedActivation), saving a pass over memory, where the backend says it can.
#include <limits>
#include <optional>

#include "core/op_registry.h"
#include "core/passes/node_removal.h"
#include "core/passes/passes.h"

namespace tandem {
namespace {

struct Activation {
  std::string name;
  double alpha = 0.0;   // LeakyRelu slope, HardSigmoid alpha, Clip min
  double beta = 0.0;    // HardSigmoid beta, Clip max
};

// Clip's bound at `index`: absent means unbounded; computed bounds cannot be fused.
std::optional<double> clip_bound(const Graph& graph, const Node& clip, std::size_t index,
                                 double unbounded) {
  if (index >= clip.inputs.size() || clip.inputs[index] == kNoValue) return unbounded;
  const Value& value = graph.value(clip.inputs[index]);
  if (!value.constant || value.constant->numel() != 1) return std::nullopt;
  return value.constant->value_f64(0);
}

std::optional<Activation> activation_of(const Graph& graph, const Node& node) {
  const std::string& op = node.op_type;
  const Attributes& a = node.attributes;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") return Activation{op};
  if (op == "LeakyRelu") return Activation{op, a.get_float("alpha", 0.01)};
  if (op == "HardSigmoid") return Activation{op, a.get_float("alpha", 0.2), a.get_float("beta", 0.5)};
  if (op != "Clip") return std::nullopt;
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  const auto low = clip_bound(graph, node, 1, -kInfinity);
  const auto high = clip_bound(graph, node, 2, kInfinity);
  if (!low || !high) return std::nullopt;
  return Activation{op, *low, *high};
}

// The index of the activation node reading `conv`'s output, when the pair can be fused.
std::optional<std::size_t> fusable_activation(const Graph& graph, const Node& conv,
                                              const FusionQuery& fuses) {
  if (conv.op_type != "Conv" || conv.outputs.size() != 1 || conv.attributes.has(kFusedActivation)) {
    return std::nullopt;
  }
  const ValueId output = conv.outputs[0];
  const std::vector<std::size_t> readers = graph.consumers(output);
  if (readers.size() != 1 || graph.is_graph_output(output)) return std::nullopt;
  const Node& reader = graph.nodes()[readers[0]];
  if (reader.inputs.empty() || reader.inputs[0] != output || reader.outputs.size() != 1) return std::nullopt;
  const auto activation = activation_of(graph, reader);
  if (!activation || !fuses("Conv", activation->name)) return std::nullopt;
  return readers[0];
}

}  // namespace

void fuse_conv_activation(Graph& graph, const FusionQuery& fuses) {
  if (!fuses) return;
  auto& nodes = graph.nodes();
  std::vector<bool> removed(nodes.size(), false);
  for (Node& conv : nodes) {
    const auto reader = fusable_activation(graph, conv, fuses);
    if (!reader) continue;
    const Node& node = nodes[*reader];
    const Activation activation = *activation_of(graph, node);
    conv.attributes.set(kFusedActivation, activation.name);
    conv.attributes.set(kFusedAlpha, activation.alpha);
    conv.attributes.set(kFusedBeta, activation.beta);
    conv.outputs[0] = node.outputs[0];
    removed[*reader] = true;
  }
  remove_marked_nodes(graph, removed);
}

}  // namespace tandem
