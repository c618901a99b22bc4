#pragma once
// The Vulkan instance, its physical devices described as tandem DeviceInfo, and the logical
// device (one compute queue) that executables compiled for a device share.
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/backend.h"
#include "vulkan/vk_handles.h"

namespace tandem::vulkan {

// What the backend knows of one physical device: the driver's identity (what caches key on)
// and the facts memory and dispatch decisions need.
struct PhysicalDevice {
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties properties{};
  VkPhysicalDeviceMemoryProperties memory{};
  // VkPhysicalDeviceDriverProperties (Vulkan 1.2 or VK_KHR_driver_properties); 0/empty if absent.
  std::uint32_t driver_id = 0;
  std::string driver_name;
  std::string driver_info;
  std::array<std::uint8_t, VK_UUID_SIZE> device_uuid{};  // VkPhysicalDeviceIDProperties
  std::uint32_t compute_queue_family = 0;
  // Subgroup arithmetic in compute shaders (VkPhysicalDeviceSubgroupProperties): workgroup
  // reductions then use the <family>_subgroup shader builds (shaders/group_reduce.glsl).
  bool subgroup_arithmetic = false;
  // Multiprocessors (NVIDIA SMs, AMD compute units, Arm shader cores), which split-K spreads its
  // blocks over, where a vendor extension counts them: VK_NV_shader_sm_builtins,
  // VK_AMD_shader_core_properties, VK_ARM_shader_core_builtins. 0 where none does: the core
  // API has no such count (lavapipe, Intel).
  std::uint32_t compute_units = 0;
  // CPU and integrated devices see host memory directly: no staging copies are needed.
  bool shares_host_memory = false;
  // Pipeline creation feedback (core in Vulkan 1.3, else VK_EXT_pipeline_creation_feedback,
  // which the logical device then enables): tells which pipelines the cache served.
  bool creation_feedback = false;
  bool creation_feedback_extension = false;
  DeviceInfo info;  // as devices() lists it

  std::string name() const { return properties.deviceName; }
};

// Identity formatting shared by DeviceInfo and the pipeline-cache header.
std::string uuid_to_string(const std::uint8_t* uuid);  // "6d657361-3232-..."
std::string hex32(std::uint32_t value);                // "0x10005"
std::string hex64(std::uint64_t value);                // 16 lower-case hex digits
// FNV-1a 64 of `bytes`, continuing from `seed`: small, stable identity hashes.
std::uint64_t fnv1a64(const void* bytes, std::size_t size,
                      std::uint64_t seed = 0xcbf29ce484222325ull);
// "0.0.1"; NVIDIA packs its driver version in its own 10.8.8.6-bit layout.
std::string driver_version_string(std::uint32_t vendor_id, std::uint32_t version);

class VulkanInstance {
 public:
  // Throws Error when there is no loader or no driver at all.
  static std::shared_ptr<VulkanInstance> create();
  VulkanInstance(const VulkanInstance&) = delete;
  VulkanInstance& operator=(const VulkanInstance&) = delete;

  VkInstance get() const { return instance_.get(); }
  // Whether VK_LAYER_KHRONOS_validation is on (TANDEM_VK_VALIDATION set and the layer installed).
  bool validation_enabled() const { return validation_enabled_; }
  const std::vector<PhysicalDevice>& devices() const { return devices_; }
  // The physical device a DeviceInfo from devices() names; throws Error if it is gone.
  const PhysicalDevice& find(const DeviceInfo& device) const;

 private:
  VulkanInstance() = default;
  void enumerate_devices();

  Instance instance_;
  std::uint32_t api_version_ = VK_API_VERSION_1_1;  // what the instance was created for
  DebugMessenger messenger_;
  bool validation_enabled_ = false;
  std::vector<PhysicalDevice> devices_;
};

// A logical device with one compute queue. Executables share it; queue submission is
// serialised here because Vulkan requires external synchronisation of a queue.
class VulkanDevice {
 public:
  VulkanDevice(std::shared_ptr<VulkanInstance> instance, const PhysicalDevice& physical);
  VulkanDevice(const VulkanDevice&) = delete;
  VulkanDevice& operator=(const VulkanDevice&) = delete;

  VkDevice get() const { return device_.get(); }
  const PhysicalDevice& physical() const { return physical_; }
  const VkPhysicalDeviceLimits& limits() const { return physical_.properties.limits; }

  // Submits one command buffer and waits for `fence` (reset here first).
  void submit_and_wait(VkCommandBuffer commands, VkFence fence);

 private:
  std::shared_ptr<VulkanInstance> instance_;  // outlives the device
  PhysicalDevice physical_;
  Device device_;
  VkQueue queue_ = VK_NULL_HANDLE;
  std::mutex queue_mutex_;
};

}  // namespace tandem::vulkan
