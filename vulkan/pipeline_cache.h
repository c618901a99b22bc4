#pragma once
// The driver's VkPipelineCache for one device, persisted as one file in the tandem cache
// container (core/cache/cache_file.h): `<dir>/tandem_vk_pipeline_cache.<slug>.bin`, kind
// "vulkan-pipeline-cache", one entry "pipeline_cache" holding the driver's blob.
//
// Nothing the driver sees is trusted unchecked (FIELD-NOTES "Vulkan pipeline cache"): the
// container checks its header identity (vendor, device, driver version and ID, a hash of
// driverName + driverInfo, pipelineCacheUUID, pointer size, a hash of all our SPIR-V) and the
// blob's length and checksum; then the blob's own VkPipelineCacheHeaderVersionOne is checked
// against the live device before vkCreatePipelineCache.
//
// Status (CacheReport::status) means:
//   hit         a valid driver cache was loaded (from our file, or the shipped one when ours
//               is missing) and, as far as the driver lets us see, served every pipeline.
//   partial     a valid driver cache was loaded but served only some of the pipelines.
//   miss        no file yet, or a sound file for this device without a "pipeline_cache"
//               entry (only other keys), or a loaded cache that served no pipeline;
//               pipelines compiled from SPIR-V and the file is (re)written.
//               Which pipelines the loaded cache served (status_after_creation) comes from
//               pipeline creation feedback (Vulkan 1.3 / VK_EXT_pipeline_creation_feedback:
//               APPLICATION_PIPELINE_CACHE_HIT per pipeline) where the device has it, else
//               from whether the driver's data grew while the pipelines were created. A
//               driver that keeps nothing past the 32-byte header in its data (lavapipe in
//               Debian 12) makes reuse unobservable: a loaded cache then stays `hit`, which
//               only says the driver was given valid data; the reason says so.
//   invalidated the file is for another device, driver, engine or shader set (reason names
//               the field); started empty and rewritten.
//   recovered   the file was corrupt, untrusted, or rejected by the driver; it was set aside
//               (or deleted, if the driver rejected it), started empty and rewritten.
//   off         cache mode off: an in-memory cache only, nothing read or written.
// In read-only mode the status is the load status above and the reason says the file is
// left as it is; nothing is written, set aside or deleted.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/cache/cache_file.h"
#include "vulkan/device.h"
#include "vulkan/pipelines.h"
#include "vulkan/vk_handles.h"

namespace tandem::vulkan {

inline constexpr const char* kPipelineCacheKind = "vulkan-pipeline-cache";
inline constexpr const char* kPipelineCacheEntry = "pipeline_cache";

// "tandem_vk_pipeline_cache.llvmpipe-llvm-15-0-6-256-bits.1a2b3c4d.bin": the device name
// (sanitised) plus a hash of name, vendorID and deviceID, so a driver update reuses the file
// name and shows as `invalidated`.
std::string pipeline_cache_file_name(const PhysicalDevice& device);
// The container header a file must carry to be used on `device`.
CacheFileHeader pipeline_cache_header(const PhysicalDevice& device);
// Empty when `blob` starts with a VkPipelineCacheHeaderVersionOne for `device`; else why not.
std::string check_pipeline_cache_blob(std::span<const std::uint8_t> blob,
                                      const PhysicalDevice& device);

// Sizes of the driver's cache data: its header, after loading, after creating the pipelines.
struct DriverDataSizes {
  std::size_t header = 32;
  std::size_t loaded = 0;
  std::size_t after = 0;
};
// hit, partial or miss for pipelines created through a cache that loaded valid data (see
// the status notes above); `how` says what the decision rests on.
CacheStatus status_after_creation(const PipelineTally& tally, const DriverDataSizes& sizes,
                                  std::string& how);

class PipelineCache {
 public:
  // Loads according to config.mode (and config.shipped first); never throws for bad files.
  PipelineCache(const VulkanDevice& device, const CacheConfig& config);
  PipelineCache(const PipelineCache&) = delete;
  PipelineCache& operator=(const PipelineCache&) = delete;

  VkPipelineCache get() const { return cache_.get(); }
  // Writes the driver's data back (read-write mode only) when it differs from what was loaded,
  // merging what another process wrote meanwhile. A failed write is a warning, not an error.
  void save();
  // After the plan's pipelines were created through get(): turns a `hit` into hit, partial or
  // miss (status_after_creation) and adds the pipeline counts to the reason.
  void account(const PipelineTally& tally);
  CacheReport report() const { return report_; }

 private:
  void load_shipped(const std::string& shipped_path);
  void load_own_file();
  // A driver cache from a checked blob; empty handle (and `why` set) if the driver refuses it.
  PipelineCacheHandle create_from(std::span<const std::uint8_t> blob, std::string& why) const;
  // Checks `blob` against the live device and merges it into ours: "" when merged, else why
  // not, with `driver_rejected` set when our checks passed but vkCreatePipelineCache failed.
  std::string merge_blob(std::span<const std::uint8_t> blob, bool& driver_rejected);
  std::vector<std::uint8_t> driver_data() const;
  void set_status(CacheStatus status, const std::string& reason);

  const VulkanDevice& device_;
  CacheConfig config_;
  CacheFileHeader header_;
  PipelineCacheHandle cache_;
  std::vector<std::uint8_t> loaded_;  // the blob our file held, to skip rewriting it unchanged
  std::size_t loaded_data_bytes_ = 0;  // the driver's data size once everything was loaded
  // Whether cache_ may hold anything (a blob loaded, or loading is over): until then a blob
  // replaces it instead of being merged into it.
  bool holds_data_ = false;
  bool shipped_loaded_ = false;
  CacheReport report_;
};

}  // namespace tandem::vulkan
