#pragma once
// Buffers and their memory. On devices that share host memory (CPU, integrated GPU) every
// buffer is host-visible and stays mapped, so inputs and outputs are plain memcpy; on
// discrete GPUs the arena and the weights are device-local and reached through staging buffers.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>

#include "vulkan/device.h"
#include "vulkan/vk_handles.h"

namespace tandem::vulkan {

enum class Placement { DeviceLocal, HostVisible };

// Where the arena and the constants live on this device: host-visible where the device
// shares host memory, device-local (reached through staging buffers) otherwise.
// TANDEM_VK_FORCE_STAGING=1 takes the device-local path everywhere, so the discrete-GPU
// path can be tested on lavapipe.
Placement data_placement(const PhysicalDevice& device);

// A storage/transfer buffer with its own memory allocation. Host-visible buffers are mapped
// for their whole life (the memory is host-coherent: no flushes needed).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const VulkanDevice& device, VkDeviceSize bytes, Placement placement,
               const char* purpose);

  VkBuffer get() const { return buffer_.get(); }
  VkDeviceSize size() const { return size_; }
  std::uint8_t* mapped() const { return mapped_; }
  explicit operator bool() const { return static_cast<bool>(buffer_); }

 private:
  DeviceMemory memory_;
  Buffer buffer_;
  VkDeviceSize size_ = 0;
  std::uint8_t* mapped_ = nullptr;
};

// Copies `bytes` to the start of `target`: a memcpy where it is mapped, otherwise through a
// temporary staging buffer and a one-off transfer on `pool`, waited on with `fence`.
void write_buffer(VulkanDevice& device, VkCommandPool pool, VkFence fence, DeviceBuffer& target,
                  std::span<const std::uint8_t> bytes);

}  // namespace tandem::vulkan
