#pragma once
// Records an executable's one command buffer: input copies, the dispatches with a pipeline
// barrier only where a dispatch touches arena bytes an earlier one wrote (or writes bytes an
// earlier one still reads), then output copies. Recorded once at compile time, replayed by run().
#include <vulkan/vulkan.h>

#include <cstdint>
#include <vector>

#include "vulkan/device.h"
#include "vulkan/memory.h"
#include "vulkan/node_context.h"
#include "vulkan/pipelines.h"
#include "vulkan/vk_handles.h"

namespace tandem::vulkan {

// Byte ranges of the arena touched since the last barrier.
class HazardTracker {
 public:
  struct Range {
    std::int64_t begin = 0;
    std::int64_t end = 0;
  };
  // Read-after-write, write-after-read and write-after-write all need a barrier.
  bool conflicts(const std::vector<Range>& reads, const std::vector<Range>& writes) const;
  void add(const std::vector<Range>& reads, const std::vector<Range>& writes);
  void clear();

 private:
  std::vector<Range> read_;
  std::vector<Range> written_;
};

class CommandRecorder {
 public:
  // Sizes one descriptor set per dispatch, allocates the command buffer and begins it.
  CommandRecorder(const VulkanDevice& device, VkCommandPool pool, const DeviceBuffer& arena,
                  const DeviceBuffer& constants, const std::vector<Dispatch>& dispatches);

  void copy_in(const DeviceBuffer& staging, std::int64_t from, std::int64_t to, std::size_t bytes);
  // With a pool of two timestamp queries, begin_compute and end_compute also write
  // timestamps 0 and 1 around the dispatches (after every earlier command has finished).
  void time_compute(VkQueryPool timestamps);
  void begin_compute();
  void dispatch(const Dispatch& dispatch, const ComputePipeline& pipeline);
  void end_compute();
  void copy_out(const DeviceBuffer& staging, std::int64_t from, std::int64_t to, std::size_t bytes);

  DescriptorPool take_descriptor_pool() { return std::move(descriptor_pool_); }
  VkCommandBuffer finish();

 private:
  void barrier(VkPipelineStageFlags src_stage, VkAccessFlags src_access,
               VkPipelineStageFlags dst_stage, VkAccessFlags dst_access);
  VkDescriptorSet descriptor_set(const Dispatch& dispatch, const ComputePipeline& pipeline);

  const VulkanDevice& device_;
  const DeviceBuffer& arena_;
  const DeviceBuffer& constants_;
  DescriptorPool descriptor_pool_;
  VkCommandBuffer commands_ = VK_NULL_HANDLE;
  HazardTracker hazards_;
  VkQueryPool timestamps_ = VK_NULL_HANDLE;
  bool copied_in_ = false;
  bool copied_out_ = false;
};

}  // namespace tandem::vulkan
