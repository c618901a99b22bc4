#pragma once
// Compute pipelines built from the embedded shaders: one descriptor set layout and pipeline
// layout per shader family (N storage buffers + 128 bytes of push constants), one pipeline
// per family and specialization-constant values, all created through one VkPipelineCache.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "vulkan/device.h"
#include "vulkan/vk_handles.h"

namespace tandem::vulkan {

// Every family's push-constant block fits the minimum maxPushConstantsSize Vulkan guarantees.
inline constexpr std::uint32_t kPushConstantBytes = 128;

struct ComputePipeline {
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
};

// What creating pipelines through a VkPipelineCache showed, for the cache's status.
struct PipelineTally {
  int created = 0;     // distinct pipelines created
  int feedback = 0;    // of them, those the driver gave creation feedback for (VALID bit)
  int cache_hits = 0;  // of those, the ones it says came from the application's cache
};

class ComputePipelines {
 public:
  explicit ComputePipelines(const VulkanDevice& device);

  // The pipeline for `family` with `binding_count` storage buffers and specialization
  // constants 0..n-1 set to `constants` (constant 0 is the workgroup size); created on first
  // use, through `cache`.
  const ComputePipeline& get(const std::string& family, std::uint32_t binding_count,
                             const std::vector<std::int32_t>& constants, VkPipelineCache cache);
  std::size_t pipeline_count() const { return pipelines_.size(); }
  const PipelineTally& tally() const { return tally_; }

 private:
  struct Family {
    std::uint32_t binding_count = 0;
    ShaderModule module;
    DescriptorSetLayout set_layout;
    PipelineLayout layout;
  };
  Family& family(const std::string& name, std::uint32_t binding_count);

  const VulkanDevice& device_;
  const bool subgroup_reductions_;  // <family>_subgroup modules where there are some
  PipelineTally tally_;
  std::map<std::string, Family> families_;
  std::map<std::pair<std::string, std::vector<std::int32_t>>, std::pair<Pipeline, ComputePipeline>>
      pipelines_;
};

}  // namespace tandem::vulkan
