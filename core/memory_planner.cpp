// Arena planning: every activation gets an offset in one buffer; values whose lifetimes do
// not overlap may share bytes. Greedy by size with best fit (as TensorFlow Lite's arena
// planner does): the largest values are placed first, each into the smallest gap left
// between the values it overlaps in time, or past the end when no gap fits.
#include "core/memory_planner.h"

#include <algorithm>
#include <limits>

namespace tandem {
namespace {

struct Lifetime {
  ValueId id = kNoValue;
  std::int64_t first = -1;   // step that writes it (0 for graph inputs)
  std::int64_t last = -1;    // last step that reads it (the end for graph outputs)
  std::int64_t bytes = 0;    // aligned size
  std::int64_t offset = -1;

  bool overlaps(const Lifetime& other) const { return first <= other.last && other.first <= last; }
};

std::int64_t aligned_size(std::size_t bytes, std::int64_t alignment) {
  // A zero-byte value still gets one slot, so every buffer a backend binds is non-empty.
  const auto size = std::max<std::int64_t>(static_cast<std::int64_t>(bytes), 1);
  return (size + alignment - 1) / alignment * alignment;
}

// Node i runs at step i; graph inputs exist from step 0, outputs until after the last node.
std::vector<Lifetime> lifetimes(const Graph& graph, const std::vector<TensorInfo>& info,
                                std::int64_t alignment) {
  std::vector<Lifetime> all(graph.value_count());
  auto touch = [&](ValueId id, std::int64_t step, bool writes) {
    if (id == kNoValue || graph.value(id).constant) return;
    Lifetime& life = all[static_cast<std::size_t>(id)];
    if (writes && life.first < 0) life.first = step;
    life.last = std::max(life.last, step);
  };
  for (ValueId id : graph.inputs()) touch(id, 0, true);
  const auto steps = static_cast<std::int64_t>(graph.nodes().size());
  for (std::int64_t step = 0; step < steps; ++step) {
    const Node& node = graph.nodes()[static_cast<std::size_t>(step)];
    for (ValueId id : node.inputs) touch(id, step, false);
    for (ValueId id : node.outputs) touch(id, step, true);
  }
  for (ValueId id : graph.outputs()) touch(id, steps, false);
  std::vector<Lifetime> planned;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].first < 0) continue;   // constants, and values nothing writes
    all[i].id = static_cast<ValueId>(i);
    all[i].bytes = aligned_size(info.at(i).bytes(), alignment);
    planned.push_back(all[i]);
  }
  return planned;
}

// The smallest gap between already placed, time-overlapping values that fits `value`.
std::int64_t best_fit_offset(const Lifetime& value, const std::vector<const Lifetime*>& placed) {
  std::vector<const Lifetime*> overlapping;
  for (const Lifetime* other : placed) {
    if (other->overlaps(value)) overlapping.push_back(other);
  }
  std::sort(overlapping.begin(), overlapping.end(),
            [](const Lifetime* a, const Lifetime* b) { return a->offset < b->offset; });
  std::int64_t best = -1;
  std::int64_t best_gap = std::numeric_limits<std::int64_t>::max();
  std::int64_t cursor = 0;
  for (const Lifetime* other : overlapping) {
    const std::int64_t gap = other->offset - cursor;
    if (gap >= value.bytes && gap < best_gap) {
      best = cursor;
      best_gap = gap;
    }
    cursor = std::max(cursor, other->offset + other->bytes);
  }
  return best >= 0 ? best : cursor;
}

std::int64_t live_lower_bound(const std::vector<Lifetime>& values, std::int64_t steps) {
  std::vector<std::int64_t> live(static_cast<std::size_t>(steps + 1), 0);
  for (const Lifetime& value : values) {
    for (std::int64_t step = value.first; step <= value.last; ++step) {
      live[static_cast<std::size_t>(step)] += value.bytes;
    }
  }
  return live.empty() ? 0 : *std::max_element(live.begin(), live.end());
}

}  // namespace

MemoryPlan plan_memory(const Graph& graph, const std::vector<TensorInfo>& info,
                       std::int64_t alignment) {
  check(alignment > 0, "memory plan: alignment must be positive, got " + std::to_string(alignment));
  check(info.size() == graph.value_count(), "memory plan: types of " + std::to_string(info.size()) +
                                                " values given for " + std::to_string(graph.value_count()));
  std::vector<Lifetime> values = lifetimes(graph, info, alignment);
  std::vector<Lifetime*> order;
  for (Lifetime& value : values) order.push_back(&value);
  std::stable_sort(order.begin(), order.end(), [](const Lifetime* a, const Lifetime* b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->first < b->first;
  });
  MemoryPlan plan;
  plan.alignment = alignment;
  plan.offset.assign(graph.value_count(), -1);
  std::vector<const Lifetime*> placed;
  for (Lifetime* value : order) {
    value->offset = best_fit_offset(*value, placed);
    placed.push_back(value);
    plan.offset[static_cast<std::size_t>(value->id)] = value->offset;
    plan.arena_bytes = std::max(plan.arena_bytes, value->offset + value->bytes);
  }
  plan.lower_bound_bytes = live_lower_bound(values, static_cast<std::int64_t>(graph.nodes().size()));
  return plan;
}

}  // namespace tandem
