#include "vulkan/command_recording.h"

#include <algorithm>
#include <array>

#include "core/error.h"

namespace tandem::vulkan {
namespace {

bool overlaps(const HazardTracker::Range& a, const HazardTracker::Range& b) {
  return a.begin < b.end && b.begin < a.end;
}

bool overlaps_any(const std::vector<HazardTracker::Range>& ranges, const HazardTracker::Range& r) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const HazardTracker::Range& other) { return overlaps(other, r); });
}

constexpr VkAccessFlags kAllAccess = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                                     VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
constexpr VkPipelineStageFlags kDeviceStages =
    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;

}  // namespace

bool HazardTracker::conflicts(const std::vector<Range>& reads,
                              const std::vector<Range>& writes) const {
  for (const Range& read : reads) {
    if (overlaps_any(written_, read)) return true;
  }
  for (const Range& write : writes) {
    if (overlaps_any(written_, write) || overlaps_any(read_, write)) return true;
  }
  return false;
}

void HazardTracker::add(const std::vector<Range>& reads, const std::vector<Range>& writes) {
  read_.insert(read_.end(), reads.begin(), reads.end());
  written_.insert(written_.end(), writes.begin(), writes.end());
}

void HazardTracker::clear() {
  read_.clear();
  written_.clear();
}

CommandRecorder::CommandRecorder(const VulkanDevice& device, VkCommandPool pool,
                                 const DeviceBuffer& arena, const DeviceBuffer& constants,
                                 const std::vector<Dispatch>& dispatches)
    : device_(device), arena_(arena), constants_(constants) {
  std::uint32_t descriptors = 0;
  for (const Dispatch& dispatch : dispatches)
    descriptors += static_cast<std::uint32_t>(dispatch.bindings.size());
  const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, std::max(descriptors, 1u)};
  VkDescriptorPoolCreateInfo create{};
  create.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
  create.maxSets = std::max<std::uint32_t>(static_cast<std::uint32_t>(dispatches.size()), 1);
  create.poolSizeCount = 1;
  create.pPoolSizes = &size;
  VkDescriptorPool handle = VK_NULL_HANDLE;
  check_vk(vkCreateDescriptorPool(device.get(), &create, nullptr, &handle),
           "vkCreateDescriptorPool");
  descriptor_pool_ = DescriptorPool(device.get(), handle);

  VkCommandBufferAllocateInfo allocate{};
  allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  allocate.commandPool = pool;
  allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  allocate.commandBufferCount = 1;
  check_vk(vkAllocateCommandBuffers(device.get(), &allocate, &commands_),
           "vkAllocateCommandBuffers");
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  check_vk(vkBeginCommandBuffer(commands_, &begin), "vkBeginCommandBuffer");
  // Orders this replay after the previous one and after the weights upload.
  barrier(kDeviceStages, VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, kDeviceStages,
          kAllAccess);
}

void CommandRecorder::barrier(VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                              VkPipelineStageFlags dst_stage, VkAccessFlags dst_access) {
  VkMemoryBarrier memory{};
  memory.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
  memory.srcAccessMask = src_access;
  memory.dstAccessMask = dst_access;
  vkCmdPipelineBarrier(commands_, src_stage, dst_stage, 0, 1, &memory, 0, nullptr, 0, nullptr);
}

void CommandRecorder::copy_in(const DeviceBuffer& staging, std::int64_t from, std::int64_t to,
                              std::size_t bytes) {
  const VkBufferCopy region{static_cast<VkDeviceSize>(from), static_cast<VkDeviceSize>(to), bytes};
  vkCmdCopyBuffer(commands_, staging.get(), arena_.get(), 1, &region);
  copied_in_ = true;
}

void CommandRecorder::time_compute(VkQueryPool timestamps) {
  timestamps_ = timestamps;
  // Reset on every replay: a query must be reset before it is written again.
  if (timestamps_ != VK_NULL_HANDLE) vkCmdResetQueryPool(commands_, timestamps_, 0, 2);
}

void CommandRecorder::begin_compute() {
  if (copied_in_) {
    barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
            VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
            VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  }
  if (timestamps_ != VK_NULL_HANDLE) {
    vkCmdWriteTimestamp(commands_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, timestamps_, 0);
  }
}

VkDescriptorSet CommandRecorder::descriptor_set(const Dispatch& dispatch,
                                                const ComputePipeline& pipeline) {
  VkDescriptorSetAllocateInfo allocate{};
  allocate.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
  allocate.descriptorPool = descriptor_pool_.get();
  allocate.descriptorSetCount = 1;
  allocate.pSetLayouts = &pipeline.set_layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  check_vk(vkAllocateDescriptorSets(device_.get(), &allocate, &set), "vkAllocateDescriptorSets");
  // Each binding covers exactly its slot (from the aligned bind_offset); an empty slot
  // still binds one word, which every buffer has.
  std::vector<VkDescriptorBufferInfo> buffers;
  for (const Slot& slot : dispatch.bindings) {
    const DeviceBuffer& buffer = slot.in_arena ? arena_ : constants_;
    const auto offset =
        static_cast<VkDeviceSize>(std::min<std::int64_t>(slot.bind_offset, buffer.size() - 4));
    const auto range =
        static_cast<VkDeviceSize>(std::max<std::int64_t>(slot.end() - slot.bind_offset, 4));
    buffers.push_back({buffer.get(), offset, std::min(range, buffer.size() - offset)});
  }
  std::vector<VkWriteDescriptorSet> writes(buffers.size());
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[i].dstSet = set;
    writes[i].dstBinding = static_cast<std::uint32_t>(i);
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &buffers[i];
  }
  vkUpdateDescriptorSets(device_.get(), static_cast<std::uint32_t>(writes.size()), writes.data(), 0,
                         nullptr);
  return set;
}

void CommandRecorder::dispatch(const Dispatch& dispatch, const ComputePipeline& pipeline) {
  const std::size_t written = dispatch.written;
  check(written >= 1 && written <= dispatch.bindings.size() &&
            std::all_of(dispatch.bindings.begin(), dispatch.bindings.begin() + written,
                        [](const Slot& slot) { return slot.in_arena; }),
        "vulkan: dispatch of '" + dispatch.shader + "' must write arena tensors");
  std::vector<HazardTracker::Range> writes;
  std::vector<HazardTracker::Range> reads;
  for (std::size_t i = 0; i < dispatch.bindings.size(); ++i) {
    const Slot& slot = dispatch.bindings[i];
    if (!slot.in_arena) continue;
    (i < written ? writes : reads).push_back({slot.bind_offset, slot.end()});
  }
  if (hazards_.conflicts(reads, writes)) {
    barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
            VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT,
            VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
            VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
    hazards_.clear();
  }
  hazards_.add(reads, writes);

  const VkDescriptorSet set = descriptor_set(dispatch, pipeline);
  vkCmdBindPipeline(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline);
  vkCmdBindDescriptorSets(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout, 0, 1, &set, 0,
                          nullptr);
  std::array<std::uint32_t, kPushConstantBytes / 4> push{};
  std::copy(dispatch.push.begin(), dispatch.push.end(), push.begin());
  vkCmdPushConstants(commands_, pipeline.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushConstantBytes,
                     push.data());

  // A 2-D grid when one dimension cannot hold every group; shaders flatten it back.
  const VkPhysicalDeviceLimits& limits = device_.limits();
  const std::uint64_t groups =
      (dispatch.invocations + dispatch.workgroup_size - 1) / dispatch.workgroup_size;
  const std::uint64_t x = std::min<std::uint64_t>(groups, limits.maxComputeWorkGroupCount[0]);
  const std::uint64_t y = (groups + x - 1) / x;
  check(
      y <= limits.maxComputeWorkGroupCount[1],
      "vulkan: dispatch of " + std::to_string(dispatch.invocations) + " invocations is too large");
  vkCmdDispatch(commands_, static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y), 1);
}

void CommandRecorder::end_compute() {
  if (timestamps_ != VK_NULL_HANDLE) {
    vkCmdWriteTimestamp(commands_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, timestamps_, 1);
  }
  // Transfer writes too: an output may be a graph input copied in and never computed on.
  barrier(kDeviceStages, VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
          VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
          VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT);
}

void CommandRecorder::copy_out(const DeviceBuffer& staging, std::int64_t from, std::int64_t to,
                               std::size_t bytes) {
  const VkBufferCopy region{static_cast<VkDeviceSize>(from), static_cast<VkDeviceSize>(to), bytes};
  vkCmdCopyBuffer(commands_, arena_.get(), staging.get(), 1, &region);
  copied_out_ = true;
}

VkCommandBuffer CommandRecorder::finish() {
  if (copied_out_) {
    barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
            VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
  }
  check_vk(vkEndCommandBuffer(commands_), "vkEndCommandBuffer");
  return commands_;
}

}  // namespace tandem::vulkan
