#include "vulkan/memory.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.h"

namespace tandem::vulkan {
namespace {

// The first memory type allowed by `type_bits` with all of `required`, preferring one that
// also has `preferred`.
std::uint32_t pick_memory_type(const VkPhysicalDeviceMemoryProperties& memory,
                               std::uint32_t type_bits, VkMemoryPropertyFlags required,
                               VkMemoryPropertyFlags preferred, const char* purpose) {
  int fallback = -1;
  for (std::uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
    const VkMemoryPropertyFlags flags = memory.memoryTypes[i].propertyFlags;
    if ((type_bits & (1u << i)) == 0 || (flags & required) != required) continue;
    if ((flags & preferred) == preferred) return i;
    if (fallback < 0) fallback = static_cast<int>(i);
  }
  check(fallback >= 0, std::string("vulkan: no suitable memory type for the ") + purpose);
  return static_cast<std::uint32_t>(fallback);
}

}  // namespace

Placement data_placement(const PhysicalDevice& device) {
  const char* force = std::getenv("TANDEM_VK_FORCE_STAGING");
  const bool forced = force != nullptr && std::string(force) == "1";
  return device.shares_host_memory && !forced ? Placement::HostVisible : Placement::DeviceLocal;
}

DeviceBuffer::DeviceBuffer(const VulkanDevice& device, VkDeviceSize bytes, Placement placement,
                           const char* purpose)
    : size_(bytes) {
  check(bytes > 0, std::string("vulkan: empty buffer requested for the ") + purpose);
  VkBufferCreateInfo create{};
  create.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  create.size = bytes;
  create.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  create.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  check_vk(vkCreateBuffer(device.get(), &create, nullptr, &buffer),
           std::string("vkCreateBuffer (") + purpose + ", " + std::to_string(bytes) + " bytes)");
  buffer_ = Buffer(device.get(), buffer);

  VkMemoryRequirements requirements{};
  vkGetBufferMemoryRequirements(device.get(), buffer, &requirements);
  const bool host = placement == Placement::HostVisible;
  const VkMemoryPropertyFlags required =
      host ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
           : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  // Host reads of outputs are much faster from cached memory; device-local is what matters
  // for the arena on a GPU.
  const VkMemoryPropertyFlags preferred =
      host ? required | VK_MEMORY_PROPERTY_HOST_CACHED_BIT : required;
  VkMemoryAllocateInfo allocate{};
  allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  allocate.allocationSize = requirements.size;
  allocate.memoryTypeIndex = pick_memory_type(device.physical().memory, requirements.memoryTypeBits,
                                              required, preferred, purpose);
  VkDeviceMemory memory = VK_NULL_HANDLE;
  check_vk(vkAllocateMemory(device.get(), &allocate, nullptr, &memory),
           std::string("vkAllocateMemory (") + purpose + ", " + std::to_string(requirements.size) +
               " bytes)");
  memory_ = DeviceMemory(device.get(), memory);
  check_vk(vkBindBufferMemory(device.get(), buffer, memory, 0), "vkBindBufferMemory");
  if (host) {
    void* mapped = nullptr;
    check_vk(vkMapMemory(device.get(), memory, 0, VK_WHOLE_SIZE, 0, &mapped), "vkMapMemory");
    mapped_ = static_cast<std::uint8_t*>(mapped);
  }
}

void write_buffer(VulkanDevice& device, VkCommandPool pool, VkFence fence, DeviceBuffer& target,
                  std::span<const std::uint8_t> bytes) {
  check(bytes.size() <= target.size(), [&] {
    return "vulkan: write of " + std::to_string(bytes.size()) + " bytes into a buffer of " +
           std::to_string(target.size());
  });
  if (bytes.empty()) return;
  if (target.mapped() != nullptr) {
    std::memcpy(target.mapped(), bytes.data(), bytes.size());
    return;
  }
  DeviceBuffer staging(device, bytes.size(), Placement::HostVisible, "upload staging buffer");
  std::memcpy(staging.mapped(), bytes.data(), bytes.size());

  VkCommandBufferAllocateInfo allocate{};
  allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  allocate.commandPool = pool;
  allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  allocate.commandBufferCount = 1;
  VkCommandBuffer commands = VK_NULL_HANDLE;
  check_vk(vkAllocateCommandBuffers(device.get(), &allocate, &commands),
           "vkAllocateCommandBuffers");
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(commands, &begin);
  const VkBufferCopy region{0, 0, bytes.size()};
  vkCmdCopyBuffer(commands, staging.get(), target.get(), 1, &region);
  check_vk(vkEndCommandBuffer(commands), "vkEndCommandBuffer (upload)");
  device.submit_and_wait(commands, fence);
  vkFreeCommandBuffers(device.get(), pool, 1, &commands);
}

}  // namespace tandem::vulkan
