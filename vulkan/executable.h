#pragma once
// A plan compiled for one Vulkan device. Compilation turns every node into dispatches (through
// the op table), places weights in one constants buffer and activations in one arena buffer
// (offsets from the plan's MemoryPlan), creates the pipelines through the persisted pipeline
// cache and records ONE command buffer. run() only copies inputs in, replays it and copies
// outputs out. Where the queue supports timestamps, two queries bracket the dispatches, so
// last_run_device_ms() reports the kernels' own time.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/backend.h"
#include "vulkan/device.h"
#include "vulkan/memory.h"
#include "vulkan/node_context.h"
#include "vulkan/pipelines.h"
#include "vulkan/vk_handles.h"

namespace tandem::vulkan {

using QueryPool = DeviceHandle<VkQueryPool, vkDestroyQueryPool>;

class VulkanExecutable : public Executable {
 public:
  VulkanExecutable(std::shared_ptr<VulkanDevice> device, const Plan& plan,
                   const CompileOptions& options);
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) override;
  CacheReport cache_report() const override { return cache_report_; }
  std::optional<double> last_run_device_ms() const override;

 private:
  // A graph input or output: where it lives in the arena (and in its staging buffer on
  // discrete GPUs), or its host value when the output is a constant.
  struct HostBinding {
    std::string name;
    TensorInfo info;
    std::int64_t arena_offset = -1;  // -1: not on the device (unused input, constant output)
    std::int64_t staging_offset = 0;
    std::optional<Tensor> constant;
  };

  void bind_inputs_and_outputs(const Plan& plan);
  void create_buffers(std::int64_t arena_bytes, const ConstantPool& constants);
  // The pipeline of each dispatch, created through the persisted pipeline cache.
  std::vector<const ComputePipeline*> create_pipelines(const std::vector<Dispatch>& dispatches,
                                                       const CompileOptions& options);
  void record(const std::vector<Dispatch>& dispatches,
              const std::vector<const ComputePipeline*>& pipelines);
  void create_timestamps();
  void read_timestamps();

  std::shared_ptr<VulkanDevice> device_;  // first member: destroyed last
  Placement placement_;                   // of the arena and weights
  CommandPool command_pool_;
  Fence fence_;
  std::unique_ptr<ComputePipelines> pipelines_;
  DeviceBuffer arena_;
  DeviceBuffer constants_;
  DeviceBuffer input_staging_;  // discrete GPUs only
  DeviceBuffer output_staging_;
  DescriptorPool descriptor_pool_;
  VkCommandBuffer commands_ = VK_NULL_HANDLE;  // owned by command_pool_
  std::vector<HostBinding> inputs_;
  std::vector<HostBinding> outputs_;
  CacheReport cache_report_;
  QueryPool timestamps_;                 // empty where the compute queue has no timestamps
  std::uint64_t timestamp_mask_ = 0;     // timestampValidBits of the compute queue
  std::atomic<double> last_device_ms_{-1.0};
  std::mutex run_mutex_;
};

}  // namespace tandem::vulkan
