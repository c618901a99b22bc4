#include "vulkan/device.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/error.h"
#include "core/log.h"
#include "vulkan/validation.h"

namespace tandem::vulkan {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";
// How long a submission may run before we call the device hung and fail instead of blocking.
constexpr std::uint64_t kFenceTimeoutNs = 300ull * 1000 * 1000 * 1000;

std::string version_string(std::uint32_t version) {
  return std::to_string(VK_API_VERSION_MAJOR(version)) + "." +
         std::to_string(VK_API_VERSION_MINOR(version)) + "." +
         std::to_string(VK_API_VERSION_PATCH(version));
}

std::string vendor_name(std::uint32_t vendor_id) {
  switch (vendor_id) {
    case 0x10de:
      return "NVIDIA";
    case 0x1002:
      return "AMD";
    case 0x8086:
      return "Intel";
    case 0x13b5:
      return "ARM";
    case 0x5143:
      return "Qualcomm";
    case 0x1010:
      return "ImgTec";
    case 0x106b:
      return "Apple";
    case VK_VENDOR_ID_MESA:
      return "Mesa";
    default:
      return hex32(vendor_id);
  }
}

std::string device_type_name(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return "gpu";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return "cpu";
    default:
      return "other";
  }
}

bool has_layer(const char* name) {
  std::uint32_t count = 0;
  vkEnumerateInstanceLayerProperties(&count, nullptr);
  std::vector<VkLayerProperties> layers(count);
  vkEnumerateInstanceLayerProperties(&count, layers.data());
  return std::any_of(layers.begin(), layers.end(), [&](const VkLayerProperties& layer) {
    return std::string(layer.layerName) == name;
  });
}

// The names of the extensions a physical device offers, read once per device.
std::set<std::string> device_extensions(VkPhysicalDevice device) {
  std::uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(device, nullptr, &count, extensions.data());
  std::set<std::string> names;
  for (const VkExtensionProperties& extension : extensions) names.insert(extension.extensionName);
  return names;
}

std::uint32_t loader_api_version() {
  auto enumerate = reinterpret_cast<PFN_vkEnumerateInstanceVersion>(
      vkGetInstanceProcAddr(VK_NULL_HANDLE, "vkEnumerateInstanceVersion"));
  std::uint32_t version = VK_API_VERSION_1_0;
  if (enumerate != nullptr) enumerate(&version);
  return version;
}

// A zeroed Vulkan structure of `type`, for a pNext chain.
template <typename Structure>
Structure chained(VkStructureType type) {
  Structure structure{};
  structure.sType = type;
  return structure;
}

// Reads the identity structures and the subgroup properties through
// vkGetPhysicalDeviceProperties2 (core in 1.1).
void read_properties(PhysicalDevice& device, const std::set<std::string>& extensions) {
  auto driver = chained<VkPhysicalDeviceDriverProperties>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES);
  auto subgroup = chained<VkPhysicalDeviceSubgroupProperties>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES);
  auto id = chained<VkPhysicalDeviceIDProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES);
  id.pNext = &subgroup;
  const bool has_driver = device.properties.apiVersion >= VK_API_VERSION_1_2 ||
                          extensions.count(VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME) > 0;
  subgroup.pNext = has_driver ? &driver : nullptr;
  auto properties =
      chained<VkPhysicalDeviceProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
  properties.pNext = &id;
  vkGetPhysicalDeviceProperties2(device.handle, &properties);
  std::copy(std::begin(id.deviceUUID), std::end(id.deviceUUID), device.device_uuid.begin());
  if (has_driver) {
    device.driver_id = static_cast<std::uint32_t>(driver.driverID);
    device.driver_name = driver.driverName;
    device.driver_info = driver.driverInfo;
  }
  constexpr VkSubgroupFeatureFlags kArithmetic =
      VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_ARITHMETIC_BIT;
  device.subgroup_arithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0 &&
                               (subgroup.supportedOperations & kArithmetic) == kArithmetic;
}

// The vendor extensions that count multiprocessors, each chained only where the device has it
// (an unknown structure in the chain is invalid usage).
void read_compute_units(PhysicalDevice& device, const std::set<std::string>& extensions) {
  auto nvidia = chained<VkPhysicalDeviceShaderSMBuiltinsPropertiesNV>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_SM_BUILTINS_PROPERTIES_NV);
  auto amd = chained<VkPhysicalDeviceShaderCorePropertiesAMD>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_CORE_PROPERTIES_AMD);
  auto arm = chained<VkPhysicalDeviceShaderCoreBuiltinsPropertiesARM>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_CORE_BUILTINS_PROPERTIES_ARM);
  auto properties =
      chained<VkPhysicalDeviceProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
  void** next = &properties.pNext;
  const auto chain = [&](const char* extension, auto& structure) {
    if (extensions.count(extension) == 0) return;
    *next = &structure;
    next = &structure.pNext;
  };
  chain(VK_NV_SHADER_SM_BUILTINS_EXTENSION_NAME, nvidia);
  chain(VK_AMD_SHADER_CORE_PROPERTIES_EXTENSION_NAME, amd);
  chain(VK_ARM_SHADER_CORE_BUILTINS_EXTENSION_NAME, arm);
  if (properties.pNext == nullptr) return;
  vkGetPhysicalDeviceProperties2(device.handle, &properties);
  device.compute_units = std::max(
      {nvidia.shaderSMCount, arm.shaderCoreCount,
       amd.shaderEngineCount * amd.shaderArraysPerEngineCount * amd.computeUnitsPerShaderArray});
}

bool find_compute_queue(PhysicalDevice& device) {
  std::uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(device.handle, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(device.handle, &count, families.data());
  for (std::uint32_t i = 0; i < count; ++i) {
    if ((families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) != 0 && families[i].queueCount > 0) {
      device.compute_queue_family = i;
      return true;
    }
  }
  return false;
}

DeviceInfo describe(const PhysicalDevice& device, int index) {
  const VkPhysicalDeviceProperties& p = device.properties;
  DeviceInfo info;
  info.backend = "vulkan";
  info.index = index;
  info.name = p.deviceName;
  info.vendor = vendor_name(p.vendorID);
  info.type = device_type_name(p.deviceType);
  info.driver_version = device.driver_info.empty()
                            ? driver_version_string(p.vendorID, p.driverVersion)
                            : device.driver_info;
  info.identity = {
      {"vendor_id", hex32(p.vendorID)},
      {"device_id", hex32(p.deviceID)},
      {"driver_version",
       hex32(p.driverVersion) + " (" + driver_version_string(p.vendorID, p.driverVersion) + ")"},
      {"driver_id", std::to_string(device.driver_id)},
      {"driver_name", device.driver_name},
      {"driver_info", device.driver_info},
      {"api_version", version_string(p.apiVersion)},
      {"pipeline_cache_uuid", uuid_to_string(p.pipelineCacheUUID)},
      {"device_uuid", uuid_to_string(device.device_uuid.data())},
  };
  return info;
}

}  // namespace

std::string driver_version_string(std::uint32_t vendor_id, std::uint32_t version) {
  if (vendor_id == 0x10de) {  // as nvidia-smi prints it: 580.159.04
    char text[32];
    std::snprintf(text, sizeof text, "%u.%u.%02u", (version >> 22) & 0x3ff, (version >> 14) & 0xff,
                  (version >> 6) & 0xff);
    return text;
  }
  return version_string(version);
}

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%04x", value);
  return text;
}

std::string hex64(std::uint64_t value) {
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::uint64_t fnv1a64(const void* bytes, std::size_t size, std::uint64_t seed) {
  const auto* data = static_cast<const unsigned char*>(bytes);
  std::uint64_t hash = seed;
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::string uuid_to_string(const std::uint8_t* uuid) {
  std::string text;
  for (std::size_t i = 0; i < VK_UUID_SIZE; ++i) {
    char byte[3];
    std::snprintf(byte, sizeof byte, "%02x", uuid[i]);
    text += byte;
    if (i == 3 || i == 5 || i == 7 || i == 9) text += '-';
  }
  return text;
}

std::shared_ptr<VulkanInstance> VulkanInstance::create() {
  const std::uint32_t loader_version = loader_api_version();
  check(
      loader_version >= VK_API_VERSION_1_1,
      "vulkan: the loader offers Vulkan " + version_string(loader_version) + "; tandem needs 1.1");
  VkApplicationInfo app{};
  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = "tandem";
  app.pEngineName = "tandem";
  app.apiVersion = std::min<std::uint32_t>(loader_version, VK_API_VERSION_1_3);

  std::vector<const char*> layers;
  std::vector<const char*> extensions;
  const bool validate = validation_requested() && has_layer(kValidationLayer);
  if (validation_requested() && !validate) {
    log_warn("TANDEM_VK_VALIDATION is set but " + std::string(kValidationLayer) +
             " is not installed");
  }
  VkDebugUtilsMessengerCreateInfoEXT messenger_info = messenger_create_info();
  VkValidationFeatureEnableEXT sync_feature =
      VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT;
  VkValidationFeaturesEXT features{};
  features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT;
  features.enabledValidationFeatureCount = 1;
  features.pEnabledValidationFeatures = &sync_feature;
  VkInstanceCreateInfo create{};
  create.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  create.pApplicationInfo = &app;
  if (validate) {
    layers.push_back(kValidationLayer);
    extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    create.pNext = &messenger_info;
    if (synchronization_validation_requested()) {
      extensions.push_back(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
      messenger_info.pNext = &features;
    }
  }
  create.enabledLayerCount = static_cast<std::uint32_t>(layers.size());
  create.ppEnabledLayerNames = layers.data();
  create.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
  create.ppEnabledExtensionNames = extensions.data();

  VkInstance handle = VK_NULL_HANDLE;
  const VkResult result = vkCreateInstance(&create, nullptr, &handle);
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER) fail("vulkan: no Vulkan driver is installed");
  check_vk(result, "vkCreateInstance");
  std::shared_ptr<VulkanInstance> instance(new VulkanInstance());
  instance->instance_ = Instance(handle);
  instance->api_version_ = app.apiVersion;
  if (validate) {
    auto make_messenger = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(handle, "vkCreateDebugUtilsMessengerEXT"));
    check(make_messenger != nullptr, "vulkan: vkCreateDebugUtilsMessengerEXT is missing");
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    VkDebugUtilsMessengerCreateInfoEXT info = messenger_create_info();
    check_vk(make_messenger(handle, &info, nullptr, &messenger), "vkCreateDebugUtilsMessengerEXT");
    instance->messenger_ = DebugMessenger(handle, messenger);
    instance->validation_enabled_ = true;
    log_debug("vulkan: validation layer enabled");
  }
  instance->enumerate_devices();
  return instance;
}

void VulkanInstance::enumerate_devices() {
  std::uint32_t count = 0;
  check_vk(vkEnumeratePhysicalDevices(instance_.get(), &count, nullptr),
           "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> handles(count);
  check_vk(vkEnumeratePhysicalDevices(instance_.get(), &count, handles.data()),
           "vkEnumeratePhysicalDevices");
  for (VkPhysicalDevice handle : handles) {
    PhysicalDevice device;
    device.handle = handle;
    vkGetPhysicalDeviceProperties(handle, &device.properties);
    if (device.properties.apiVersion < VK_API_VERSION_1_1) {
      log_info("vulkan: skipping " + device.name() + ": Vulkan " +
               version_string(device.properties.apiVersion) + " < 1.1");
      continue;
    }
    if (!find_compute_queue(device)) {
      log_info("vulkan: skipping " + device.name() + ": no compute queue");
      continue;
    }
    vkGetPhysicalDeviceMemoryProperties(handle, &device.memory);
    const std::set<std::string> extensions = device_extensions(handle);
    read_properties(device, extensions);
    read_compute_units(device, extensions);
    // A core structure counts from the version both the instance and the device use.
    const std::uint32_t api = std::min(api_version_, device.properties.apiVersion);
    device.creation_feedback_extension =
        api < VK_API_VERSION_1_3 &&
        extensions.count(VK_EXT_PIPELINE_CREATION_FEEDBACK_EXTENSION_NAME) > 0;
    device.creation_feedback = api >= VK_API_VERSION_1_3 || device.creation_feedback_extension;
    device.shares_host_memory =
        device.properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ||
        device.properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
    device.info = describe(device, static_cast<int>(devices_.size()));
    devices_.push_back(std::move(device));
  }
}

const PhysicalDevice& VulkanInstance::find(const DeviceInfo& device) const {
  const auto index = static_cast<std::size_t>(device.index);
  check(device.backend == "vulkan",
        "vulkan: device '" + device.name + "' belongs to backend '" + device.backend + "'");
  check(
      device.index >= 0 && index < devices_.size() && devices_[index].info.name == device.name,
      "vulkan: device " + std::to_string(device.index) + " ('" + device.name + "') is not present");
  return devices_[index];
}

VulkanDevice::VulkanDevice(std::shared_ptr<VulkanInstance> instance, const PhysicalDevice& physical)
    : instance_(std::move(instance)), physical_(physical) {
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{};
  queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  queue.queueFamilyIndex = physical.compute_queue_family;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo create{};
  create.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  create.queueCreateInfoCount = 1;
  create.pQueueCreateInfos = &queue;
  const char* feedback_extension = VK_EXT_PIPELINE_CREATION_FEEDBACK_EXTENSION_NAME;
  if (physical.creation_feedback_extension) {
    create.enabledExtensionCount = 1;
    create.ppEnabledExtensionNames = &feedback_extension;
  }
  VkDevice handle = VK_NULL_HANDLE;
  check_vk(vkCreateDevice(physical.handle, &create, nullptr, &handle),
           "vkCreateDevice for '" + physical.name() + "'");
  device_ = Device(handle);
  vkGetDeviceQueue(handle, physical.compute_queue_family, 0, &queue_);
}

void VulkanDevice::submit_and_wait(VkCommandBuffer commands, VkFence fence) {
  check_vk(vkResetFences(device_.get(), 1, &fence), "vkResetFences");
  VkSubmitInfo submit{};
  submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &commands;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    check_vk(vkQueueSubmit(queue_, 1, &submit, fence), "vkQueueSubmit");
  }
  const VkResult waited = vkWaitForFences(device_.get(), 1, &fence, VK_TRUE, kFenceTimeoutNs);
  if (waited == VK_TIMEOUT) fail("vulkan: '" + physical_.name() + "' did not finish within 300 s");
  check_vk(waited, "vkWaitForFences");
}

}  // namespace tandem::vulkan
