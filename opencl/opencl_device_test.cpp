#include <gtest/gtest.h>

#include <set>

#include "opencl/device.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {
namespace {

std::string field(const DeviceInfo& info, const std::string& name) {
  for (const auto& [key, value] : info.identity) {
    if (key == name) return value;
  }
  return "<absent>";
}

TEST(Device, EnumeratesPoclWithIdentityFields) {
  const std::vector<ClDevice> devices = enumerate_devices();
  ASSERT_FALSE(devices.empty());
  const ClDevice& device = devices.front();
  EXPECT_EQ(device.info.backend, "opencl");
  EXPECT_EQ(device.info.index, 0);
  EXPECT_FALSE(device.info.name.empty());
  EXPECT_EQ(field(device.info, "device_name"), device.info.name);
  EXPECT_EQ(field(device.info, "driver_version"), device.info.driver_version);
  for (const char* name : {"platform_name", "platform_vendor", "platform_version", "device_vendor",
                           "device_version", "opencl_c_version", "address_bits"}) {
    EXPECT_NE(field(device.info, name), "<absent>") << name;
    EXPECT_NE(field(device.info, name), "") << name;
  }
  EXPECT_TRUE(field(device.info, "address_bits") == "64" ||
              field(device.info, "address_bits") == "32");
  EXPECT_GE(device.limits.max_work_group_size, 1u);
  EXPECT_GT(device.limits.max_alloc_bytes, 0u);
}

// The compute units the work-group and split choices spread over: the driver's own count, but
// on Intel GPUs (cl_intel_device_attribute_query) the sub-slices, fewer than the execution
// units Intel counts there.
TEST(Device, CountsComputeUnitsAsTheDriverOrIntelsSubSlices) {
  for (const ClDevice& device : enumerate_devices()) {
    cl_uint counted = 0;
    ASSERT_EQ(clGetDeviceInfo(device.device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof(counted), &counted,
                              nullptr),
              CL_SUCCESS);
    const bool intel = device.info.type == "gpu" &&
                       device_string(device.device, CL_DEVICE_EXTENSIONS)
                               .find("cl_intel_device_attribute_query") != std::string::npos;
    if (intel) {
      EXPECT_GE(device.limits.compute_units, 1u) << device.info.name;
      EXPECT_LT(device.limits.compute_units, counted) << device.info.name;
    } else {
      EXPECT_EQ(device.limits.compute_units, counted) << device.info.name;
    }
  }
}

TEST(Device, FindDeviceChecksIndexAndName) {
  const std::vector<ClDevice> devices = enumerate_devices();
  ASSERT_FALSE(devices.empty());
  EXPECT_EQ(find_device(devices.front().info).device, devices.front().device);
  DeviceInfo wrong = devices.front().info;
  wrong.name = "no such device";
  EXPECT_THROW(find_device(wrong), Error);
  wrong = devices.front().info;
  wrong.index = static_cast<int>(devices.size());
  EXPECT_THROW(find_device(wrong), Error);
}

TEST(Device, CachePathIsSanitisedAndStableAcrossDriverVersions) {
  DeviceInfo info = enumerate_devices().front().info;
  const std::string path = program_cache_path("/tmp/x", info);
  ASSERT_EQ(path.rfind("/tmp/x/tandem_cl_compiled_program.", 0), 0u) << path;
  const std::string slug = path.substr(34, path.size() - 34 - 4);
  EXPECT_EQ(path.substr(path.size() - 4), ".bin");
  for (char c : slug) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-') << slug;
  // A driver update keeps the file name: the header then reports it stale.
  DeviceInfo updated = info;
  updated.driver_version = "99.0";
  for (auto& [key, value] : updated.identity) {
    if (key == "driver_version") value = "99.0";
  }
  EXPECT_EQ(program_cache_path("/tmp/x", updated), path);
  DeviceInfo other = info;
  other.name = "Other Device 9000";
  EXPECT_NE(program_cache_path("/tmp/x", other), path);
  EXPECT_NE(program_cache_header(updated).identity, program_cache_header(info).identity);
}

}  // namespace
}  // namespace tandem::opencl
