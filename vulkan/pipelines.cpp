#include "vulkan/pipelines.h"

#include <cstdlib>
#include <string>

#include "core/error.h"
#include "vulkan/shaders.h"

namespace tandem::vulkan {
namespace {

// TANDEM_VULKAN_SUBGROUPS=off keeps the shared-memory reductions on any device (tests and
// measurements).
bool use_subgroup_reductions(const PhysicalDevice& device) {
  const char* setting = std::getenv("TANDEM_VULKAN_SUBGROUPS");
  return device.subgroup_arithmetic && (setting == nullptr || std::string(setting) != "off");
}

}  // namespace

ComputePipelines::ComputePipelines(const VulkanDevice& device)
    : device_(device), subgroup_reductions_(use_subgroup_reductions(device.physical())) {}

ComputePipelines::Family& ComputePipelines::family(const std::string& name,
                                                   std::uint32_t binding_count) {
  auto found = families_.find(name);
  if (found != families_.end()) {
    check(found->second.binding_count == binding_count,
          "vulkan: shader '" + name + "' used with " + std::to_string(binding_count) +
              " bindings, first with " + std::to_string(found->second.binding_count));
    return found->second;
  }
  const VkDevice device = device_.get();
  Family created;
  created.binding_count = binding_count;
  const EmbeddedFile& spirv = find_shader(name, subgroup_reductions_);
  VkShaderModuleCreateInfo module{};
  module.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
  module.codeSize = spirv.size;
  module.pCode = reinterpret_cast<const std::uint32_t*>(spirv.bytes);
  VkShaderModule module_handle = VK_NULL_HANDLE;
  check_vk(vkCreateShaderModule(device, &module, nullptr, &module_handle),
           "vkCreateShaderModule (" + name + ")");
  created.module = ShaderModule(device, module_handle);

  std::vector<VkDescriptorSetLayoutBinding> bindings(binding_count);
  for (std::uint32_t i = 0; i < binding_count; ++i) {
    bindings[i].binding = i;
    bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[i].descriptorCount = 1;
    bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  VkDescriptorSetLayoutCreateInfo set{};
  set.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
  set.bindingCount = binding_count;
  set.pBindings = bindings.data();
  VkDescriptorSetLayout set_handle = VK_NULL_HANDLE;
  check_vk(vkCreateDescriptorSetLayout(device, &set, nullptr, &set_handle),
           "vkCreateDescriptorSetLayout (" + name + ")");
  created.set_layout = DescriptorSetLayout(device, set_handle);

  const VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushConstantBytes};
  VkPipelineLayoutCreateInfo layout{};
  layout.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
  layout.setLayoutCount = 1;
  layout.pSetLayouts = &set_handle;
  layout.pushConstantRangeCount = 1;
  layout.pPushConstantRanges = &push;
  VkPipelineLayout layout_handle = VK_NULL_HANDLE;
  check_vk(vkCreatePipelineLayout(device, &layout, nullptr, &layout_handle),
           "vkCreatePipelineLayout (" + name + ")");
  created.layout = PipelineLayout(device, layout_handle);
  return families_.emplace(name, std::move(created)).first->second;
}

const ComputePipeline& ComputePipelines::get(const std::string& name, std::uint32_t binding_count,
                                             const std::vector<std::int32_t>& constants,
                                             VkPipelineCache cache) {
  Family& owner = family(name, binding_count);
  auto key = std::make_pair(name, constants);
  auto found = pipelines_.find(key);
  if (found != pipelines_.end()) return found->second.second;

  std::vector<VkSpecializationMapEntry> entries(constants.size());
  for (std::size_t i = 0; i < constants.size(); ++i) {
    entries[i] = {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(4 * i), 4};
  }
  VkSpecializationInfo specialization{};
  specialization.mapEntryCount = static_cast<std::uint32_t>(entries.size());
  specialization.pMapEntries = entries.data();
  specialization.dataSize = 4 * constants.size();
  specialization.pData = constants.data();
  VkComputePipelineCreateInfo create{};
  create.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
  create.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  create.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  create.stage.module = owner.module.get();
  create.stage.pName = "main";
  create.stage.pSpecializationInfo = &specialization;
  create.layout = owner.layout.get();
  VkPipelineCreationFeedback feedback{};
  VkPipelineCreationFeedback stage_feedback{};
  VkPipelineCreationFeedbackCreateInfo feedback_info{};
  feedback_info.sType = VK_STRUCTURE_TYPE_PIPELINE_CREATION_FEEDBACK_CREATE_INFO;
  feedback_info.pPipelineCreationFeedback = &feedback;
  feedback_info.pipelineStageCreationFeedbackCount = 1;  // a compute pipeline's one stage
  feedback_info.pPipelineStageCreationFeedbacks = &stage_feedback;
  if (device_.physical().creation_feedback) create.pNext = &feedback_info;
  VkPipeline handle = VK_NULL_HANDLE;
  check_vk(vkCreateComputePipelines(device_.get(), cache, 1, &create, nullptr, &handle),
           "vkCreateComputePipelines (" + name + ")");
  ++tally_.created;
  if ((feedback.flags & VK_PIPELINE_CREATION_FEEDBACK_VALID_BIT) != 0) {
    ++tally_.feedback;
    if ((feedback.flags & VK_PIPELINE_CREATION_FEEDBACK_APPLICATION_PIPELINE_CACHE_HIT_BIT) != 0) {
      ++tally_.cache_hits;
    }
  }
  ComputePipeline view{handle, owner.layout.get(), owner.set_layout.get()};
  auto& stored = pipelines_[key];
  stored = {Pipeline(device_.get(), handle), view};
  return stored.second;
}

}  // namespace tandem::vulkan
