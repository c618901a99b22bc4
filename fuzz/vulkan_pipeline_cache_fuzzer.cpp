// libFuzzer target: the Vulkan backend's pipeline-cache file, read the way PipelineCache
// reads it (the container against pipeline_cache_header of a lavapipe-like device, then the
// driver blob's VkPipelineCacheHeaderVersionOne checked against the device), and the blob
// check alone on the raw input, since that is the last gate before vkCreatePipelineCache.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "fuzz/cache_fuzzing.h"
#include "vulkan/pipeline_cache.h"

namespace {

tandem::vulkan::PhysicalDevice lavapipe_like_device() {
  tandem::vulkan::PhysicalDevice device;
  VkPhysicalDeviceProperties& p = device.properties;
  p.apiVersion = VK_MAKE_API_VERSION(0, 1, 3, 230);
  p.driverVersion = VK_MAKE_API_VERSION(0, 0, 0, 1);
  p.vendorID = 0x10005;
  p.deviceID = 0;
  p.deviceType = VK_PHYSICAL_DEVICE_TYPE_CPU;
  std::strncpy(p.deviceName, "llvmpipe (LLVM 15.0.6, 256 bits)", sizeof p.deviceName - 1);
  for (std::size_t i = 0; i < VK_UUID_SIZE; ++i) p.pipelineCacheUUID[i] = static_cast<std::uint8_t>(0x30 + i);
  device.driver_id = VK_DRIVER_ID_MESA_LLVMPIPE;
  device.driver_name = "llvmpipe";
  device.driver_info = "Mesa 22.3.6 (LLVM 15.0.6)";
  return device;
}

const tandem::vulkan::PhysicalDevice& fake_device() {
  static const tandem::vulkan::PhysicalDevice device = lavapipe_like_device();
  return device;
}

const tandem::CacheFileHeader& expected_header() {
  static const tandem::CacheFileHeader header = [] {
    tandem::CacheFileHeader made = tandem::vulkan::pipeline_cache_header(fake_device());
    // Pinned, so committed seeds outlive version bumps and shader edits.
    made.engine_version = "fuzz";
    for (auto& [key, value] : made.identity) {
      if (key == "spirv_hash") value = "fuzz";
    }
    return made;
  }();
  return header;
}

// A blob whose VkPipelineCacheHeaderVersionOne matches fake_device(), then `extra` bytes.
std::vector<std::uint8_t> matching_blob(std::size_t extra) {
  VkPipelineCacheHeaderVersionOne header{};
  header.headerSize = sizeof header;
  header.headerVersion = VK_PIPELINE_CACHE_HEADER_VERSION_ONE;
  header.vendorID = fake_device().properties.vendorID;
  header.deviceID = fake_device().properties.deviceID;
  std::memcpy(header.pipelineCacheUUID, fake_device().properties.pipelineCacheUUID, VK_UUID_SIZE);
  std::vector<std::uint8_t> blob(sizeof header + extra, 0x5a);
  std::memcpy(blob.data(), &header, sizeof header);
  return blob;
}

std::uint32_t u32_at(std::span<const std::uint8_t> bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value |= std::uint32_t{bytes[at + i]} << (8 * i);
  return value;
}

// What the driver may be handed: only a blob that starts with this device's header. The
// fields are read as plain integers, never through the header struct's enum member.
void check_blob(std::span<const std::uint8_t> blob) {
  if (!tandem::vulkan::check_pipeline_cache_blob(blob, fake_device()).empty()) return;
  const VkPhysicalDeviceProperties& p = fake_device().properties;
  if (blob.size() < 32 || u32_at(blob, 0) < 32 || u32_at(blob, 0) > blob.size() ||
      u32_at(blob, 4) != VK_PIPELINE_CACHE_HEADER_VERSION_ONE || u32_at(blob, 8) != p.vendorID ||
      u32_at(blob, 12) != p.deviceID ||
      std::memcmp(blob.data() + 16, p.pipelineCacheUUID, VK_UUID_SIZE) != 0) {
    tandem::fuzz::property_failed("accepted a blob whose header does not match the device");
  }
}

void check_blobs(const tandem::CacheLoadResult& loaded) {
  for (const tandem::CacheEntry& entry : loaded.entries) {
    if (entry.key == tandem::vulkan::kPipelineCacheEntry) check_blob(entry.payload);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("TANDEM_FUZZ_WRITE_SEEDS")) {
    const std::string entry = tandem::vulkan::kPipelineCacheEntry;
    std::vector<std::uint8_t> other_uuid = matching_blob(0);
    other_uuid[16] ^= 0xff;
    tandem::fuzz::write_seed_files(dir, expected_header(),
                                   {{},
                                    {{entry, matching_blob(0), 1700000000}},
                                    {{entry, matching_blob(200), 1700000000}},
                                    {{entry, other_uuid, 1}},
                                    {{entry, {1, 2, 3}, 1}}});
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using tandem::fuzz::checked_parse;
  const std::span<const std::uint8_t> input(data, size);
  check_blob(input);
  check_blobs(checked_parse(input, &expected_header()));
  check_blobs(checked_parse(tandem::fuzz::with_checksums_repaired(input), &expected_header()));
  return 0;
}
