#pragma once
// RAII owners for every Vulkan handle the backend creates. Copy is deleted (a handle has one
// owner); move is allowed so owners can live in vectors and maps. No manual release paths.
#include <vulkan/vulkan.h>

#include <string>
#include <utility>

namespace tandem::vulkan {

// "VK_ERROR_OUT_OF_DEVICE_MEMORY"; the number for codes this build does not name.
std::string vk_result_name(VkResult result);

// Throws Error("vulkan: <what>: <result>") unless `result` is VK_SUCCESS.
void check_vk(VkResult result, const std::string& what);

// A handle created from a VkDevice and destroyed with vkDestroyX(device, handle, nullptr).
template <typename Handle, void (*Destroy)(VkDevice, Handle, const VkAllocationCallbacks*)>
class DeviceHandle {
 public:
  DeviceHandle() = default;
  DeviceHandle(VkDevice device, Handle handle) : device_(device), handle_(handle) {}
  DeviceHandle(const DeviceHandle&) = delete;
  DeviceHandle& operator=(const DeviceHandle&) = delete;
  DeviceHandle(DeviceHandle&& other) noexcept
      : device_(other.device_), handle_(std::exchange(other.handle_, VK_NULL_HANDLE)) {}
  DeviceHandle& operator=(DeviceHandle&& other) noexcept {
    if (this != &other) {
      reset();
      device_ = other.device_;
      handle_ = std::exchange(other.handle_, VK_NULL_HANDLE);
    }
    return *this;
  }
  ~DeviceHandle() { reset(); }

  Handle get() const { return handle_; }
  explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }
  void reset() {
    if (handle_ != VK_NULL_HANDLE) Destroy(device_, handle_, nullptr);
    handle_ = VK_NULL_HANDLE;
  }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  Handle handle_ = VK_NULL_HANDLE;
};

using Buffer = DeviceHandle<VkBuffer, vkDestroyBuffer>;
using DeviceMemory = DeviceHandle<VkDeviceMemory, vkFreeMemory>;
using ShaderModule = DeviceHandle<VkShaderModule, vkDestroyShaderModule>;
using Pipeline = DeviceHandle<VkPipeline, vkDestroyPipeline>;
using PipelineLayout = DeviceHandle<VkPipelineLayout, vkDestroyPipelineLayout>;
using DescriptorSetLayout = DeviceHandle<VkDescriptorSetLayout, vkDestroyDescriptorSetLayout>;
using DescriptorPool = DeviceHandle<VkDescriptorPool, vkDestroyDescriptorPool>;
using CommandPool = DeviceHandle<VkCommandPool, vkDestroyCommandPool>;
using PipelineCacheHandle = DeviceHandle<VkPipelineCache, vkDestroyPipelineCache>;
using Fence = DeviceHandle<VkFence, vkDestroyFence>;

// The instance and the logical device own everything above, so they are destroyed last and
// have their own owners. Move-assigning swaps: the old handle dies with the moved-from owner.
class Instance {
 public:
  Instance() = default;
  explicit Instance(VkInstance instance) : instance_(instance) {}
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  Instance& operator=(Instance&& other) noexcept {
    std::swap(instance_, other.instance_);
    return *this;
  }
  ~Instance() {
    if (instance_ != VK_NULL_HANDLE) vkDestroyInstance(instance_, nullptr);
  }
  VkInstance get() const { return instance_; }

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
};

class Device {
 public:
  Device() = default;
  explicit Device(VkDevice device) : device_(device) {}
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;
  Device& operator=(Device&& other) noexcept {
    std::swap(device_, other.device_);
    return *this;
  }
  ~Device() {
    if (device_ != VK_NULL_HANDLE) {
      vkDeviceWaitIdle(device_);
      vkDestroyDevice(device_, nullptr);
    }
  }
  VkDevice get() const { return device_; }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
};

// The messenger is an extension object: its destroy function is looked up on the instance.
class DebugMessenger {
 public:
  DebugMessenger() = default;
  DebugMessenger(VkInstance instance, VkDebugUtilsMessengerEXT messenger)
      : instance_(instance), messenger_(messenger) {}
  DebugMessenger(const DebugMessenger&) = delete;
  DebugMessenger& operator=(const DebugMessenger&) = delete;
  DebugMessenger& operator=(DebugMessenger&& other) noexcept {
    std::swap(instance_, other.instance_);
    std::swap(messenger_, other.messenger_);
    return *this;
  }
  ~DebugMessenger();

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
};

}  // namespace tandem::vulkan
