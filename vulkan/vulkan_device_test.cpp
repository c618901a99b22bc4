// Device enumeration and identity, the validation messenger, and the pieces of command
// recording that decide where barriers go.
#include <algorithm>
#include <random>

#include "vulkan/broadcast_layout.h"
#include "vulkan/command_recording.h"
#include "vulkan/device.h"
#include "vulkan/op_test_support.h"
#include "vulkan/validation.h"

namespace tandem::vulkan::testing {
namespace {

class DeviceTest : public VulkanTest {};

std::string identity_value(const DeviceInfo& device, const std::string& key) {
  for (const auto& [name, value] : device.identity) {
    if (name == key) return value;
  }
  return "";
}

TEST_F(DeviceTest, ListsDevicesWithTheirIdentity) {
  const std::vector<DeviceInfo> devices = test_backend().devices();
  ASSERT_FALSE(devices.empty());
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const DeviceInfo& device = devices[i];
    EXPECT_EQ(device.backend, "vulkan");
    EXPECT_EQ(device.index, static_cast<int>(i));
    EXPECT_FALSE(device.name.empty());
    EXPECT_TRUE(device.type == "gpu" || device.type == "cpu" || device.type == "other")
        << device.type;
    for (const char* key : {"vendor_id", "device_id", "driver_version", "driver_id", "api_version",
                            "pipeline_cache_uuid", "device_uuid"}) {
      EXPECT_FALSE(identity_value(device, key).empty()) << key;
    }
    EXPECT_EQ(identity_value(device, "pipeline_cache_uuid").size(), 36u);
  }
}

// One registration: a second one (the old placeholder) would shadow or be shadowed.
TEST(BackendRegistrationTest, VulkanIsRegisteredOnce) {
  const std::vector<std::string> names = BackendRegistry::instance().names();
  EXPECT_EQ(std::count(names.begin(), names.end(), "vulkan"), 1);
  EXPECT_EQ(BackendRegistry::instance().create("vulkan")->name(), "vulkan");
}

TEST_F(DeviceTest, LavapipeIsACpuDeviceWithDriverProperties) {
  const DeviceInfo& device = test_device();
  if (device.name.find("llvmpipe") == std::string::npos)
    GTEST_SKIP() << "not lavapipe: " << device.name;
  EXPECT_EQ(device.type, "cpu");
  EXPECT_EQ(device.vendor, "Mesa");
  EXPECT_EQ(identity_value(device, "driver_name"), "llvmpipe");
  EXPECT_NE(identity_value(device, "driver_info").find("Mesa"), std::string::npos);
}

// Devices with a vendor extension that counts multiprocessors report them (the H100: 132);
// the others 0, and split-K assumes an H100's count for them.
TEST_F(DeviceTest, CountsMultiprocessorsWhereAnExtensionDoes) {
  const std::shared_ptr<VulkanInstance> instance = VulkanInstance::create();
  for (const PhysicalDevice& device : instance->devices()) {
    SCOPED_TRACE(device.name());
    std::uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(device.handle, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> extensions(count);
    vkEnumerateDeviceExtensionProperties(device.handle, nullptr, &count, extensions.data());
    const bool counted = std::any_of(extensions.begin(), extensions.end(), [](const auto& e) {
      const std::string name = e.extensionName;
      return name == VK_NV_SHADER_SM_BUILTINS_EXTENSION_NAME ||
             name == VK_AMD_SHADER_CORE_PROPERTIES_EXTENSION_NAME ||
             name == VK_ARM_SHADER_CORE_BUILTINS_EXTENSION_NAME;
    });
    RecordProperty(device.name() + " compute_units", static_cast<int>(device.compute_units));
    if (counted) {
      EXPECT_GT(device.compute_units, 0u);
    } else {
      EXPECT_EQ(device.compute_units, 0u);
    }
  }
}

TEST_F(DeviceTest, UnknownDeviceIsAnError) {
  DeviceInfo missing = test_device();
  missing.index = 99;
  CompileOptions options;
  options.cache.mode = CacheMode::Off;
  EXPECT_THROW(test_backend().compile(Plan{}, missing, options), Error);
}

// The messenger really records what the layers say: a buffer with no usage flags is invalid
// (VUID-VkBufferCreateInfo-usage-requiredbitmask).
TEST_F(DeviceTest, ValidationMessagesAreRecorded) {
  test_device();  // the instance exists, with validation on
  std::shared_ptr<VulkanInstance> instance = VulkanInstance::create();
  if (!instance->validation_enabled())
    GTEST_SKIP() << "VK_LAYER_KHRONOS_validation is not installed";
  VulkanDevice device(instance, instance->devices().front());
  take_validation_messages();
  VkBufferCreateInfo create{};
  create.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  create.size = 64;
  create.usage = 0;
  VkBuffer buffer = VK_NULL_HANDLE;
  if (vkCreateBuffer(device.get(), &create, nullptr, &buffer) == VK_SUCCESS) {
    vkDestroyBuffer(device.get(), buffer, nullptr);
  }
  const std::vector<std::string> messages = take_validation_messages();
  ASSERT_FALSE(messages.empty());
  EXPECT_NE(messages.front().find("usage"), std::string::npos) << messages.front();
}

TEST(HazardTrackerTest, BarriersOnlyBetweenDependentDispatches) {
  HazardTracker tracker;
  tracker.add({{0, 100}}, {{100, 200}});
  EXPECT_TRUE(tracker.conflicts({{150, 160}}, {{300, 400}}));  // read after write
  EXPECT_TRUE(tracker.conflicts({}, {{50, 60}}));              // write after read
  EXPECT_TRUE(tracker.conflicts({}, {{199, 210}}));            // write after write
  EXPECT_FALSE(tracker.conflicts({{0, 100}}, {{200, 300}}));   // independent: reads shared input
  // A dispatch that writes two ranges (split-K's copies and the output) conflicts through either.
  EXPECT_TRUE(tracker.conflicts({}, {{300, 400}, {150, 160}}));
  EXPECT_FALSE(tracker.conflicts({}, {{300, 400}, {500, 600}}));
  tracker.clear();
  EXPECT_FALSE(tracker.conflicts({{150, 160}}, {{50, 60}}));
}

TEST(BroadcastLayoutTest, MergesWhatEveryOperandWalksContiguously) {
  const BroadcastLayout same = broadcast_layout({2, 3, 4}, {{2, 3, 4}, {2, 3, 4}});
  EXPECT_EQ(same.shape, (Shape{24}));
  EXPECT_EQ(same.strides[0], (std::vector<std::int64_t>{1}));

  const BroadcastLayout row = broadcast_layout({2, 3, 4}, {{2, 3, 4}, {4}});
  EXPECT_EQ(row.shape, (Shape{6, 4}));
  EXPECT_EQ(row.strides[0], (std::vector<std::int64_t>{4, 1}));
  EXPECT_EQ(row.strides[1], (std::vector<std::int64_t>{0, 1}));

  const BroadcastLayout outer = broadcast_layout({5, 1, 7}, {{5, 1, 1}, {7}});
  EXPECT_EQ(outer.shape, (Shape{5, 7}));
  EXPECT_EQ(outer.strides[0], (std::vector<std::int64_t>{1, 0}));
  EXPECT_EQ(outer.strides[1], (std::vector<std::int64_t>{0, 1}));

  const BroadcastLayout scalar = broadcast_layout({}, {{}});
  EXPECT_EQ(scalar.shape, (Shape{1}));
}

}  // namespace
}  // namespace tandem::vulkan::testing
