#pragma once
// What an op's host code sees while it turns one node into dispatches: the node, its types and
// constants, where its tensors live on the device, and where its dispatches go.
#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/plan.h"
#include "vulkan/device.h"

namespace tandem::vulkan {

// Where a tensor lives on the device: a byte range of the arena (activations) or of the
// constants buffer (weights and tables made at compile time). Its descriptor binds exactly
// that range, from bind_offset (byte_offset rounded down to minStorageBufferOffsetAlignment),
// so barriers and synchronization validation both see what each dispatch touches. Shaders
// index 32-bit words from the descriptor's start: they receive element_offset().
struct Slot {
  bool in_arena = true;
  std::int64_t byte_offset = 0;
  std::int64_t bytes = 0;
  std::int64_t bind_offset = 0;

  std::uint32_t element_offset() const {
    return static_cast<std::uint32_t>((byte_offset - bind_offset) / 4);
  }
  std::int64_t end() const { return byte_offset + bytes; }
};

// One compute dispatch. Bindings 0 .. written-1 are the arena slots the dispatch writes (all of
// one, or a part made with NodeContext::part); the other bindings are read, but for counters
// (NodeContext::zeroed_counters), which no other dispatch touches. Barriers are derived from
// the bound ranges, so a dispatch must bind everything it touches.
struct Dispatch {
  std::string shader;                 // family: "eltwise" -> shaders/eltwise.comp;
                                      // empty = the op's own (OpImplementation::shader)
  std::vector<std::int32_t> variant;  // specialization constants 1.. (0 = workgroup size)
  std::vector<Slot> bindings;
  std::vector<std::uint32_t> push;    // at most kPushConstantBytes / 4 words
  std::uint64_t invocations = 0;      // 1-D grid, rounded up to whole workgroups
  std::uint32_t workgroup_size = 64;  // specialization constant 0
  std::size_t written = 1;
};

// Float bits as a push-constant word.
std::uint32_t float_word(float value);

// Words laid out by the compile step into the constants buffer.
struct ConstantPool {
  std::vector<std::uint32_t> words;
  std::map<ValueId, Slot> uploaded;  // graph constants already placed, by value
};

// Handed to OpImplementation::compile for one node.
class NodeContext {
 public:
  // arena_bytes: the arena's size so far, the memory plan's plus any scratch (scratch_slot).
  NodeContext(const Plan& plan, const Node& node, const std::string& shader,
              ConstantPool& constants, std::vector<Dispatch>& dispatches,
              const PhysicalDevice& physical, std::int64_t& arena_bytes);

  const Node& node() const { return node_; }
  const Attributes& attributes() const { return node_.attributes; }
  bool has_input(std::size_t i) const;
  const TensorInfo& input(std::size_t i) const;
  const TensorInfo& output(std::size_t i = 0) const;
  // The host value of input i when it is a graph constant, else nullptr.
  const Tensor* constant(std::size_t i) const;
  const VkPhysicalDeviceLimits& limits() const { return limits_; }
  // The device's multiprocessors where a vendor extension counts them, else 0
  // (PhysicalDevice::compute_units).
  std::uint32_t compute_units() const { return compute_units_; }
  // lavapipe and other CPU devices, where some GPU-minded shaders run slower than plain ones.
  bool cpu_device() const { return cpu_device_; }

  // Device location of input i; a constant input is uploaded as float32 on first use.
  Slot input_slot(std::size_t i);
  Slot output_slot(std::size_t i = 0) const;
  // Elements [first, end) of `slot`, bound on their own (e.g. one input's part of a Concat).
  Slot part(const Slot& slot, std::int64_t first, std::int64_t end) const;
  // Places compile-time words (index tables, int32 indices) in the constants buffer.
  Slot add_constant(std::span<const std::uint32_t> words);
  // Arena space past the memory plan's for the node's own use between its dispatches
  // (split-K's partial sums); every node's scratch starts at the same place.
  Slot scratch_slot(std::int64_t floats);
  // `count` words that start at zero, in the constants buffer, for one dispatch of the node
  // that counts in them and leaves them zero again for the next run (split-K's tickets).
  Slot zeroed_counters(std::int64_t count);
  void dispatch(Dispatch dispatch);

  // Throws Unsupported("node 'x' (Op): <what>") / Error with the same prefix.
  [[noreturn]] void unsupported(const std::string& what) const;
  [[noreturn]] void error(const std::string& what) const;

 private:
  Slot make_slot(bool in_arena, std::int64_t byte_offset, std::int64_t bytes) const;
  Slot add_constant_bytes(std::span<const std::byte> bytes);

  const Plan& plan_;
  const Node& node_;
  const std::string& shader_;
  ConstantPool& constants_;
  std::vector<Dispatch>& dispatches_;
  const VkPhysicalDeviceLimits& limits_;
  std::uint32_t compute_units_;
  bool cpu_device_;
  std::int64_t& arena_bytes_;
};

// Shape helpers shared by the families.
inline constexpr std::size_t kMaxRank = 6;  // the shaders' dims/strides arrays hold this many
std::uint32_t checked_u32(const NodeContext& context, std::int64_t value, const char* what);

// Whether the node's input 0 and output 0 start on a multiple of `floats` elements: the
// shaders that view x and y as vec2s or vec4s need it.
bool io_starts_on(NodeContext& context, std::uint32_t floats);

}  // namespace tandem::vulkan
