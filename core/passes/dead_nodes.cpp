// Dead-node elimination: keeps what the graph outputs depend on, and rebuilds the graph
// without the rest, so folded-away weights and orphaned values cost nothing downstream.
#include "core/passes/passes.h"

namespace tandem {
namespace {

// Walks back from the outputs; a node is live when any of its outputs is needed.
std::vector<bool> live_nodes(const Graph& graph, std::vector<bool>& needed) {
  std::vector<bool> live(graph.nodes().size(), false);
  for (ValueId id : graph.outputs()) needed[static_cast<std::size_t>(id)] = true;
  for (std::size_t i = graph.nodes().size(); i-- > 0;) {
    const Node& node = graph.nodes()[i];
    for (ValueId id : node.outputs) live[i] = live[i] || needed[static_cast<std::size_t>(id)];
    if (!live[i]) continue;
    for (ValueId id : node.inputs) {
      if (id != kNoValue) needed[static_cast<std::size_t>(id)] = true;
    }
  }
  return live;
}

}  // namespace

void eliminate_dead_nodes(Graph& graph) {
  std::vector<bool> needed(graph.value_count(), false);
  const std::vector<bool> live = live_nodes(graph, needed);
  // Graph inputs stay even when unused: callers bind inputs by position.
  for (ValueId id : graph.inputs()) needed[static_cast<std::size_t>(id)] = true;
  for (std::size_t i = 0; i < live.size(); ++i) {
    if (!live[i]) continue;
    for (ValueId id : graph.nodes()[i].outputs) needed[static_cast<std::size_t>(id)] = true;
  }
  Graph compact;
  compact.opset = graph.opset;
  std::vector<ValueId> remap(graph.value_count(), kNoValue);
  for (std::size_t i = 0; i < graph.value_count(); ++i) {
    if (needed[i]) remap[i] = compact.add_value(std::move(graph.value(static_cast<ValueId>(i))));
  }
  auto mapped = [&remap](ValueId id) { return id == kNoValue ? kNoValue : remap[static_cast<std::size_t>(id)]; };
  for (std::size_t i = 0; i < live.size(); ++i) {
    if (!live[i]) continue;
    Node node = std::move(graph.nodes()[i]);
    for (ValueId& id : node.inputs) id = mapped(id);
    for (ValueId& id : node.outputs) id = mapped(id);
    compact.add_node(std::move(node));
  }
  for (ValueId id : graph.inputs()) compact.inputs().push_back(mapped(id));
  for (ValueId id : graph.outputs()) compact.outputs().push_back(mapped(id));
  graph = std::move(compact);
}

}  // namespace tandem
