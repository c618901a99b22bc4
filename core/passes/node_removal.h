#pragma once
#include <vector>

#include "core/graph.h"

namespace tandem {

// Drops the nodes marked in `removed` (by index), keeping the others in order. Returns how
// many were dropped.
inline std::size_t remove_marked_nodes(Graph& graph, const std::vector<bool>& removed) {
  std::vector<Node> kept;
  kept.reserve(graph.nodes().size());
  for (std::size_t i = 0; i < graph.nodes().size(); ++i) {
    if (!removed[i]) kept.push_back(std::move(graph.nodes()[i]));
  }
  const std::size_t dropped = graph.nodes().size() - kept.size();
  graph.nodes() = std::move(kept);
  return dropped;
}

}  // namespace tandem
