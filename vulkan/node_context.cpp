#include "vulkan/node_context.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "vulkan/pipelines.h"

namespace tandem::vulkan {

std::uint32_t float_word(float value) { return std::bit_cast<std::uint32_t>(value); }

NodeContext::NodeContext(const Plan& plan, const Node& node, const std::string& shader,
                         ConstantPool& constants, std::vector<Dispatch>& dispatches,
                         const PhysicalDevice& physical, std::int64_t& arena_bytes)
    : plan_(plan),
      node_(node),
      shader_(shader),
      constants_(constants),
      dispatches_(dispatches),
      limits_(physical.properties.limits),
      compute_units_(physical.compute_units),
      cpu_device_(physical.properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU),
      arena_bytes_(arena_bytes) {}

bool NodeContext::has_input(std::size_t i) const {
  return i < node_.inputs.size() && node_.inputs[i] != kNoValue;
}

const TensorInfo& NodeContext::input(std::size_t i) const {
  if (!has_input(i)) error("input " + std::to_string(i) + " is missing");
  return plan_.info_of(node_.inputs[i]);
}

const TensorInfo& NodeContext::output(std::size_t i) const {
  if (i >= node_.outputs.size()) error("output " + std::to_string(i) + " is missing");
  return plan_.info_of(node_.outputs[i]);
}

const Tensor* NodeContext::constant(std::size_t i) const {
  if (!has_input(i)) return nullptr;
  const Value& value = plan_.graph.value(node_.inputs[i]);
  return value.constant ? &*value.constant : nullptr;
}

Slot NodeContext::input_slot(std::size_t i) {
  const TensorInfo& info = input(i);
  const ValueId id = node_.inputs[i];
  if (const Tensor* host = constant(i)) {
    auto placed = constants_.uploaded.find(id);
    if (placed != constants_.uploaded.end()) return placed->second;
    if (!is_float(host->dtype())) {
      unsupported("input " + std::to_string(i) + " is a " + dtype_name(host->dtype()) +
                  " constant; the shader reads float32");
    }
    Tensor cast;
    const Tensor& source = host->as_float32(cast);
    const Slot slot = add_constant_bytes(std::as_bytes(std::span(source.raw(), source.bytes())));
    constants_.uploaded.emplace(id, slot);
    return slot;
  }
  const std::int64_t offset = plan_.memory.offset.at(static_cast<std::size_t>(id));
  if (offset < 0) error("input " + std::to_string(i) + " has no place in the memory plan");
  return make_slot(true, offset, static_cast<std::int64_t>(info.bytes()));
}

Slot NodeContext::output_slot(std::size_t i) const {
  const TensorInfo& info = output(i);
  const std::int64_t offset = plan_.memory.offset.at(static_cast<std::size_t>(node_.outputs[i]));
  if (offset < 0) error("output " + std::to_string(i) + " has no place in the memory plan");
  return make_slot(true, offset, static_cast<std::int64_t>(info.bytes()));
}

Slot NodeContext::part(const Slot& slot, std::int64_t first, std::int64_t end) const {
  return make_slot(slot.in_arena, slot.byte_offset + 4 * first, 4 * (end - first));
}

Slot NodeContext::scratch_slot(std::int64_t floats) {
  const auto alignment = static_cast<std::int64_t>(limits_.minStorageBufferOffsetAlignment);
  const std::int64_t start = (plan_.memory.arena_bytes + alignment - 1) / alignment * alignment;
  const Slot slot = make_slot(true, start, 4 * floats);
  arena_bytes_ = std::max(arena_bytes_, slot.end());
  return slot;
}

Slot NodeContext::zeroed_counters(std::int64_t count) {
  return add_constant(std::vector<std::uint32_t>(static_cast<std::size_t>(count), 0));
}

Slot NodeContext::make_slot(bool in_arena, std::int64_t byte_offset, std::int64_t bytes) const {
  const auto alignment = static_cast<std::int64_t>(limits_.minStorageBufferOffsetAlignment);
  const Slot slot{in_arena, byte_offset, bytes, byte_offset / alignment * alignment};
  if (slot.end() - slot.bind_offset > static_cast<std::int64_t>(limits_.maxStorageBufferRange)) {
    unsupported("a tensor of " + std::to_string(bytes) + " bytes exceeds maxStorageBufferRange " +
                std::to_string(limits_.maxStorageBufferRange));
  }
  return slot;
}

Slot NodeContext::add_constant(std::span<const std::uint32_t> words) {
  return add_constant_bytes(std::as_bytes(words));
}

Slot NodeContext::add_constant_bytes(std::span<const std::byte> bytes) {
  // Each constant starts on a 16-byte boundary so vector loads stay possible in shaders.
  while (constants_.words.size() % 4 != 0) constants_.words.push_back(0);
  const std::size_t first = constants_.words.size();
  constants_.words.resize(first + (bytes.size() + 3) / 4);
  if (!bytes.empty()) std::memcpy(constants_.words.data() + first, bytes.data(), bytes.size());
  return make_slot(false, static_cast<std::int64_t>(first * 4),
                   static_cast<std::int64_t>(bytes.size()));
}

void NodeContext::dispatch(Dispatch dispatch) {
  if (dispatch.push.size() * 4 > kPushConstantBytes) error("push constants exceed 128 bytes");
  if (dispatch.invocations == 0) return;  // an empty tensor: nothing to compute
  if (dispatch.shader.empty()) dispatch.shader = shader_;
  dispatches_.push_back(std::move(dispatch));
}

void NodeContext::unsupported(const std::string& what) const {
  throw Unsupported(node_.label() + ": " + what + " (vulkan backend)");
}

void NodeContext::error(const std::string& what) const { fail(node_.label() + ": " + what); }

std::uint32_t checked_u32(const NodeContext& context, std::int64_t value, const char* what) {
  if (value < 0 || value > 0x7fffffff) {
    context.unsupported(std::string(what) + " " + std::to_string(value) +
                        " does not fit the shader's 31-bit indices");
  }
  return static_cast<std::uint32_t>(value);
}

bool io_starts_on(NodeContext& context, std::uint32_t floats) {
  return context.input_slot(0).element_offset() % floats == 0 &&
         context.output_slot().element_offset() % floats == 0;
}

}  // namespace tandem::vulkan
