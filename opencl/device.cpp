#include "opencl/device.h"

#include <cstdio>

#include "core/cache/cache_file.h"
#include "core/error.h"
#include "core/log.h"

#ifndef CL_DEVICE_REGISTERS_PER_BLOCK_NV
#define CL_DEVICE_REGISTERS_PER_BLOCK_NV 0x4002
#endif
#ifndef CL_DEVICE_NUM_SLICES_INTEL
#define CL_DEVICE_NUM_SLICES_INTEL 0x4252
#define CL_DEVICE_NUM_SUB_SLICES_PER_SLICE_INTEL 0x4253
#endif
#ifndef CL_DEVICE_UUID_KHR
#define CL_DEVICE_UUID_KHR 0x106A
#define CL_DRIVER_UUID_KHR 0x106B
#endif

namespace tandem::opencl {

static std::string trim_nul(std::string text) {
  while (!text.empty() && (text.back() == '\0' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string device_string(cl_device_id device, cl_device_info param) {
  std::size_t size = 0;
  check_cl(clGetDeviceInfo(device, param, 0, nullptr, &size), "clGetDeviceInfo");
  std::string text(size, '\0');
  check_cl(clGetDeviceInfo(device, param, size, text.data(), nullptr), "clGetDeviceInfo");
  return trim_nul(std::move(text));
}

static std::string platform_string(cl_platform_id platform, cl_platform_info param) {
  std::size_t size = 0;
  check_cl(clGetPlatformInfo(platform, param, 0, nullptr, &size), "clGetPlatformInfo");
  std::string text(size, '\0');
  check_cl(clGetPlatformInfo(platform, param, size, text.data(), nullptr), "clGetPlatformInfo");
  return trim_nul(std::move(text));
}

template <typename T>
static T device_value(cl_device_id device, cl_device_info param) {
  T value{};
  check_cl(clGetDeviceInfo(device, param, sizeof(T), &value, nullptr), "clGetDeviceInfo");
  return value;
}

static std::string hex_uuid(const unsigned char* bytes) {
  std::string text;
  char digits[3];
  for (int i = 0; i < 16; ++i) {
    std::snprintf(digits, sizeof(digits), "%02x", bytes[i]);
    text += digits;
  }
  return text;
}

static bool has_extension(const std::string& extensions, const char* name) {
  return extensions.find(name) != std::string::npos;
}

// cl_khr_device_uuid, where present, names the exact device and driver build.
static void add_uuids(cl_device_id device, const std::string& extensions,
                      IdentityFields& identity) {
  if (!has_extension(extensions, "cl_khr_device_uuid")) return;
  unsigned char uuid[16] = {};
  if (clGetDeviceInfo(device, CL_DEVICE_UUID_KHR, sizeof(uuid), uuid, nullptr) == CL_SUCCESS) {
    identity.emplace_back("device_uuid", hex_uuid(uuid));
  }
  if (clGetDeviceInfo(device, CL_DRIVER_UUID_KHR, sizeof(uuid), uuid, nullptr) == CL_SUCCESS) {
    identity.emplace_back("driver_uuid", hex_uuid(uuid));
  }
}

// DeviceLimits::registers_per_unit: 0 unless both NVIDIA extensions are there.
static std::uint32_t nvidia_registers(cl_device_id device, const std::string& extensions) {
  if (!has_extension(extensions, "cl_nv_device_attribute_query") ||
      !has_extension(extensions, "cl_nv_compiler_options")) {
    return 0;
  }
  cl_uint registers = 0;
  if (clGetDeviceInfo(device, CL_DEVICE_REGISTERS_PER_BLOCK_NV, sizeof(registers), &registers,
                      nullptr) != CL_SUCCESS) {
    return 0;
  }
  return registers;
}

// DeviceLimits::compute_units. Intel's GPU drivers count execution units there, 8 or 16 to
// each sub-slice (Xe-core), the unit that runs work-groups as an NVIDIA multiprocessor does;
// cl_intel_device_attribute_query counts the sub-slices, and the wave of split-K is theirs.
static std::uint32_t compute_units(cl_device_id device, const std::string& extensions,
                                   const std::string& type) {
  const auto counted = device_value<cl_uint>(device, CL_DEVICE_MAX_COMPUTE_UNITS);
  if (type != "gpu" || !has_extension(extensions, "cl_intel_device_attribute_query")) {
    return counted;
  }
  cl_uint slices = 0, sub_slices = 0;
  if (clGetDeviceInfo(device, CL_DEVICE_NUM_SLICES_INTEL, sizeof(slices), &slices, nullptr) !=
          CL_SUCCESS ||
      clGetDeviceInfo(device, CL_DEVICE_NUM_SUB_SLICES_PER_SLICE_INTEL, sizeof(sub_slices),
                      &sub_slices, nullptr) != CL_SUCCESS ||
      slices * sub_slices == 0) {
    return counted;
  }
  return slices * sub_slices;
}

static std::string type_name(cl_device_type type) {
  if (type & CL_DEVICE_TYPE_GPU) return "gpu";
  if (type & CL_DEVICE_TYPE_CPU) return "cpu";
  return "other";
}

static ClDevice describe(cl_platform_id platform, cl_device_id device, int index) {
  ClDevice result;
  result.platform = platform;
  result.device = device;
  DeviceInfo& info = result.info;
  info.backend = "opencl";
  info.index = index;
  info.name = device_string(device, CL_DEVICE_NAME);
  info.vendor = device_string(device, CL_DEVICE_VENDOR);
  info.type = type_name(device_value<cl_device_type>(device, CL_DEVICE_TYPE));
  info.driver_version = device_string(device, CL_DRIVER_VERSION);
  info.identity = {
      {"platform_name", platform_string(platform, CL_PLATFORM_NAME)},
      {"platform_vendor", platform_string(platform, CL_PLATFORM_VENDOR)},
      {"platform_version", platform_string(platform, CL_PLATFORM_VERSION)},
      {"device_name", info.name},
      {"device_vendor", info.vendor},
      {"device_version", device_string(device, CL_DEVICE_VERSION)},
      {"driver_version", info.driver_version},
      {"opencl_c_version", device_string(device, CL_DEVICE_OPENCL_C_VERSION)},
      {"address_bits", std::to_string(device_value<cl_uint>(device, CL_DEVICE_ADDRESS_BITS))},
  };
  const std::string extensions = device_string(device, CL_DEVICE_EXTENSIONS);
  add_uuids(device, extensions, info.identity);
  result.limits.max_work_group_size =
      device_value<std::size_t>(device, CL_DEVICE_MAX_WORK_GROUP_SIZE);
  result.limits.local_mem_bytes = device_value<cl_ulong>(device, CL_DEVICE_LOCAL_MEM_SIZE);
  result.limits.max_alloc_bytes = device_value<cl_ulong>(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
  result.limits.mem_base_align_bytes =
      device_value<cl_uint>(device, CL_DEVICE_MEM_BASE_ADDR_ALIGN) / 8;
  result.limits.compute_units = compute_units(device, extensions, info.type);
  result.limits.registers_per_unit = nvidia_registers(device, extensions);
  return result;
}

static std::vector<cl_platform_id> list_platforms() {
  cl_uint count = 0;
  const cl_int status = clGetPlatformIDs(0, nullptr, &count);
  if (status != CL_SUCCESS || count == 0) {
    fail("opencl: no OpenCL platform found (" + cl_error_name(status) +
         "); is an ICD installed under /etc/OpenCL/vendors?");
  }
  std::vector<cl_platform_id> platforms(count);
  check_cl(clGetPlatformIDs(count, platforms.data(), nullptr), "opencl: clGetPlatformIDs");
  return platforms;
}

static std::vector<cl_device_id> list_devices(cl_platform_id platform) {
  cl_uint count = 0;
  const cl_int status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &count);
  if (status == CL_DEVICE_NOT_FOUND) return {};
  if (status != CL_SUCCESS) {
    log_warn("opencl: skipping platform '" + platform_string(platform, CL_PLATFORM_NAME) +
             "': clGetDeviceIDs: " + cl_error_name(status));
    return {};
  }
  std::vector<cl_device_id> devices(count);
  check_cl(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, devices.data(), nullptr),
           "opencl: clGetDeviceIDs");
  return devices;
}

std::vector<ClDevice> enumerate_devices() {
  std::vector<ClDevice> devices;
  for (cl_platform_id platform : list_platforms()) {
    for (cl_device_id device : list_devices(platform)) {
      devices.push_back(describe(platform, device, static_cast<int>(devices.size())));
    }
  }
  return devices;
}

ClDevice find_device(const DeviceInfo& wanted) {
  std::vector<ClDevice> devices = enumerate_devices();
  check(wanted.index >= 0 && wanted.index < static_cast<int>(devices.size()),
        "opencl: no device with index " + std::to_string(wanted.index) + " (" +
            std::to_string(devices.size()) + " found)");
  ClDevice& device = devices[static_cast<std::size_t>(wanted.index)];
  check(wanted.name.empty() || wanted.name == device.info.name,
        "opencl: device " + std::to_string(wanted.index) + " is '" + device.info.name + "', not '" +
            wanted.name + "'");
  return device;
}

}  // namespace tandem::opencl
