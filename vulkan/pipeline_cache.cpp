#include "vulkan/pipeline_cache.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "core/error.h"
#include "core/log.h"
#include "vulkan/shaders.h"

namespace tandem::vulkan {
namespace {

// "llvmpipe (LLVM 15.0.6, 256 bits)" -> "llvmpipe-llvm-15-0-6-256-bits"
std::string sanitize(const std::string& name) {
  std::string slug;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte)) {
      slug += static_cast<char>(std::tolower(byte));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > 48) slug.resize(48);
  return slug.empty() ? "device" : slug;
}

std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  std::uint32_t word = 0;
  std::memcpy(&word, bytes.data() + offset, sizeof word);
  return word;
}

bool has_pipeline_cache_entry(const std::vector<CacheEntry>& entries) {
  return std::any_of(entries.begin(), entries.end(),
                     [](const CacheEntry& entry) { return entry.key == kPipelineCacheEntry; });
}

}  // namespace

std::string pipeline_cache_file_name(const PhysicalDevice& device) {
  const std::string name = device.name();
  const std::uint32_t ids[2] = {device.properties.vendorID, device.properties.deviceID};
  const std::uint64_t hash = fnv1a64(ids, sizeof ids, fnv1a64(name.data(), name.size()));
  return "tandem_vk_pipeline_cache." + sanitize(name) + "-" + hex64(hash).substr(0, 8) + ".bin";
}

CacheFileHeader pipeline_cache_header(const PhysicalDevice& device) {
  const VkPhysicalDeviceProperties& p = device.properties;
  // lavapipe's pipelineCacheUUID follows Mesa, not LLVM: the driver name and info do.
  const std::string driver_text = device.driver_name + "\n" + device.driver_info;
  CacheFileHeader header;
  header.kind = kPipelineCacheKind;
  header.engine_version = TANDEM_VERSION;
  header.identity = {
      {"device_name", p.deviceName},
      {"vendor_id", hex32(p.vendorID)},
      {"device_id", hex32(p.deviceID)},
      {"driver_version",
       hex32(p.driverVersion) + " (" + driver_version_string(p.vendorID, p.driverVersion) + ")"},
      {"driver_id", std::to_string(device.driver_id)},
      {"driver_name_info_hash", hex64(fnv1a64(driver_text.data(), driver_text.size()))},
      {"pipeline_cache_uuid", uuid_to_string(p.pipelineCacheUUID)},
      {"pointer_bits", std::to_string(sizeof(void*) * 8)},
      {"spirv_hash", hex64(spirv_bundle_hash())},
  };
  return header;
}

std::string check_pipeline_cache_blob(std::span<const std::uint8_t> blob,
                                      const PhysicalDevice& device) {
  static_assert(sizeof(VkPipelineCacheHeaderVersionOne) == 32,
                "VkPipelineCacheHeaderVersionOne is 32 bytes");
  if (blob.size() < sizeof(VkPipelineCacheHeaderVersionOne)) {
    return "driver data of " + std::to_string(blob.size()) + " bytes is shorter than its header";
  }
  // Word by word as plain integers, never through the struct: its headerVersion is an enum,
  // and loading a value outside the enum's range (0x80000001, found by UBSan fuzzing) is
  // undefined behaviour. Little-endian, as the host that wrote it.
  const std::uint32_t header_size =
      read_u32(blob, offsetof(VkPipelineCacheHeaderVersionOne, headerSize));
  const std::uint32_t header_version =
      read_u32(blob, offsetof(VkPipelineCacheHeaderVersionOne, headerVersion));
  const std::uint32_t vendor_id =
      read_u32(blob, offsetof(VkPipelineCacheHeaderVersionOne, vendorID));
  const std::uint32_t device_id =
      read_u32(blob, offsetof(VkPipelineCacheHeaderVersionOne, deviceID));
  const std::uint8_t* uuid =
      blob.data() + offsetof(VkPipelineCacheHeaderVersionOne, pipelineCacheUUID);
  const VkPhysicalDeviceProperties& p = device.properties;
  if (header_size < sizeof(VkPipelineCacheHeaderVersionOne) || header_size > blob.size()) {
    return "driver data header size " + std::to_string(header_size) + " is invalid";
  }
  if (header_version != static_cast<std::uint32_t>(VK_PIPELINE_CACHE_HEADER_VERSION_ONE)) {
    return "driver data header version " + std::to_string(header_version) + " != 1";
  }
  if (vendor_id != p.vendorID) {
    return "driver data vendorID " + hex32(vendor_id) + " != " + hex32(p.vendorID);
  }
  if (device_id != p.deviceID) {
    return "driver data deviceID " + hex32(device_id) + " != " + hex32(p.deviceID);
  }
  if (std::memcmp(uuid, p.pipelineCacheUUID, VK_UUID_SIZE) != 0) {
    return "driver data pipelineCacheUUID " + uuid_to_string(uuid) +
           " != " + uuid_to_string(p.pipelineCacheUUID);
  }
  return "";
}

PipelineCache::PipelineCache(const VulkanDevice& device, const CacheConfig& config)
    : device_(device), config_(config), header_(pipeline_cache_header(device.physical())) {
  std::string why;
  cache_ = create_from({}, why);
  check(static_cast<bool>(cache_), "vulkan: cannot create an empty pipeline cache: " + why);
  if (!config.dir.empty()) {
    report_.path = config.dir + "/" + pipeline_cache_file_name(device.physical());
  }
  if (config.mode == CacheMode::Off) {
    set_status(CacheStatus::Off, "cache mode is off");
    holds_data_ = true;
    return;
  }
  if (!config.shipped.empty()) load_shipped(config.shipped);
  if (report_.path.empty()) {
    set_status(shipped_loaded_ ? CacheStatus::Hit : CacheStatus::Miss, "no cache directory set");
    loaded_data_bytes_ = driver_data().size();
    holds_data_ = true;
    return;
  }
  load_own_file();
  if (config.mode == CacheMode::ReadOnly) {
    report_.reason += "; read-only mode: the file is left as it is";
  }
  loaded_data_bytes_ = driver_data().size();
  holds_data_ = true;  // from here on pipelines go into cache_: later blobs are merged
}

void PipelineCache::load_shipped(const std::string& shipped_path) {
  const CacheLoadResult shipped = read_cache_file(shipped_path, header_);
  std::string why =
      shipped.outcome == CacheLoadOutcome::Loaded ? "it holds no pipeline cache" : shipped.reason;
  for (const CacheEntry& entry : shipped.entries) {
    if (entry.key != kPipelineCacheEntry) continue;
    bool driver_rejected = false;
    why = merge_blob(entry.payload, driver_rejected);
    shipped_loaded_ = why.empty();
  }
  if (!shipped_loaded_) {
    log_info("vulkan: shipped pipeline cache " + shipped_path + " not used: " + why);
  }
}

void PipelineCache::load_own_file() {
  const std::string& path = report_.path;
  const bool writable = config_.mode == CacheMode::ReadWrite;
  const CacheLoadResult loaded = read_cache_file(path, header_);
  std::string problem;
  switch (loaded.outcome) {
    case CacheLoadOutcome::Missing:
      log_info("no pipeline cache yet at " + path + "; compiling pipelines");
      if (shipped_loaded_) {
        set_status(CacheStatus::Hit, "loaded the shipped cache " + config_.shipped);
      } else {
        set_status(CacheStatus::Miss, "no cache file yet");
      }
      return;
    case CacheLoadOutcome::Mismatch:
      log_info("vulkan: pipeline cache " + path + " does not match this device (" + loaded.reason +
               "); compiling pipelines");
      set_status(CacheStatus::Invalidated, loaded.reason);
      return;
    case CacheLoadOutcome::Corrupt:
    case CacheLoadOutcome::Untrusted:
      problem = loaded.reason;
      break;
    case CacheLoadOutcome::Loaded:
      // A sound file for this device that holds only other keys (an older layout, another
      // writer) is not damage: nothing to load, and save() rewrites it with our entry.
      if (!has_pipeline_cache_entry(loaded.entries)) {
        log_info("vulkan: pipeline cache " + path + " holds no '" + kPipelineCacheEntry +
                 "' entry; compiling pipelines");
        if (shipped_loaded_) {
          set_status(CacheStatus::Hit, "loaded the shipped cache " + config_.shipped +
                                           "; no pipeline cache entry in " + path);
        } else {
          set_status(CacheStatus::Miss, "no pipeline cache entry in " + path);
        }
        return;
      }
      break;
  }
  for (const CacheEntry& entry : loaded.entries) {
    if (entry.key != kPipelineCacheEntry) continue;
    bool driver_rejected = false;
    problem = merge_blob(entry.payload, driver_rejected);
    if (driver_rejected) {
      log_warn("vulkan: the driver rejected pipeline cache " + path + " (" + problem + "); " +
               (writable ? "deleting it" : "leaving it as it is (read-only)") +
               " and compiling pipelines");
      if (writable) std::remove(path.c_str());
      set_status(CacheStatus::Recovered, "the driver rejected the cache: " + problem);
      return;
    }
    if (!problem.empty()) break;
    loaded_ = entry.payload;
    set_status(CacheStatus::Hit,
               "loaded " + std::to_string(loaded_.size()) + " bytes of driver data");
    return;
  }
  log_warn("vulkan: pipeline cache " + path + " is unusable (" + problem + "); " +
           (writable ? "setting it aside" : "leaving it as it is (read-only)") +
           " and compiling pipelines");
  if (writable) {
    try {
      set_aside_cache_file(path);
    } catch (const Error& e) {
      log_warn(std::string("vulkan: ") + e.what());
    }
  }
  set_status(CacheStatus::Recovered, problem);
}

PipelineCacheHandle PipelineCache::create_from(std::span<const std::uint8_t> blob,
                                               std::string& why) const {
  VkPipelineCacheCreateInfo create{};
  create.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
  // Some drivers crash on a zero size with a non-null pointer (FIELD-NOTES).
  create.initialDataSize = blob.size();
  create.pInitialData = blob.empty() ? nullptr : blob.data();
  VkPipelineCache handle = VK_NULL_HANDLE;
  const VkResult result = vkCreatePipelineCache(device_.get(), &create, nullptr, &handle);
  if (result != VK_SUCCESS) {
    why = "vkCreatePipelineCache: " + vk_result_name(result);
    return {};
  }
  return PipelineCacheHandle(device_.get(), handle);
}

std::string PipelineCache::merge_blob(std::span<const std::uint8_t> blob, bool& driver_rejected) {
  std::string why = check_pipeline_cache_blob(blob, device_.physical());
  if (!why.empty()) return why;
  PipelineCacheHandle other = create_from(blob, why);
  driver_rejected = !other;
  if (!other) return why;
  if (!holds_data_) {
    // Nothing to merge into yet: the driver's own cache made from the blob becomes ours, one
    // copy of it fewer on the warm path.
    cache_ = std::move(other);
    holds_data_ = true;
    return "";
  }
  const VkPipelineCache source = other.get();
  check_vk(vkMergePipelineCaches(device_.get(), cache_.get(), 1, &source), "vkMergePipelineCaches");
  return "";
}

std::vector<std::uint8_t> PipelineCache::driver_data() const {
  std::size_t size = 0;
  check_vk(vkGetPipelineCacheData(device_.get(), cache_.get(), &size, nullptr),
           "vkGetPipelineCacheData (size)");
  std::vector<std::uint8_t> data(size);
  const VkResult result = vkGetPipelineCacheData(device_.get(), cache_.get(), &size, data.data());
  // VK_INCOMPLETE (the cache grew between the calls) still leaves a valid, shorter cache:
  // keep exactly the bytes the driver says it wrote.
  if (result != VK_INCOMPLETE) check_vk(result, "vkGetPipelineCacheData");
  data.resize(size);
  return data;
}

void PipelineCache::save() {
  if (config_.mode != CacheMode::ReadWrite || report_.path.empty()) return;
  std::vector<std::uint8_t> data = driver_data();
  if (report_.status == CacheStatus::Hit && data == loaded_) {
    // Nothing new to write; the file's time still says it is in use, since eviction of
    // other devices' files goes oldest first.
    ::utimensat(AT_FDCWD, report_.path.c_str(), nullptr, 0);
    return;
  }
  CacheWriteOptions options;
  options.max_bytes = config_.max_mb << 20;
  // Another process may have written pipelines since we loaded: fold its blob into ours.
  options.merge = [this](const std::vector<CacheEntry>& on_disk,
                         const std::vector<CacheEntry>& ours) {
    for (const CacheEntry& entry : on_disk) {
      if (entry.key != kPipelineCacheEntry) continue;
      bool driver_rejected = false;
      const std::string why = merge_blob(entry.payload, driver_rejected);
      if (!why.empty()) log_debug("vulkan: not merging the pipeline cache on disk: " + why);
    }
    std::vector<CacheEntry> merged = ours;
    for (CacheEntry& entry : merged) {
      if (entry.key == kPipelineCacheEntry) entry.payload = driver_data();
    }
    return merged;
  };
  const CacheEntry entry{kPipelineCacheEntry, std::move(data),
                         static_cast<std::int64_t>(std::time(nullptr))};
  try {
    update_cache_file(report_.path, header_, {entry}, options);
  } catch (const Error& e) {
    log_warn(std::string("vulkan: pipeline cache not saved: ") + e.what());
  }
}

CacheStatus status_after_creation(const PipelineTally& tally, const DriverDataSizes& sizes,
                                  std::string& how) {
  const std::string counts = std::to_string(tally.created) + " pipelines";
  if (sizes.loaded <= sizes.header && sizes.after <= sizes.header) {
    how = counts + "; the driver keeps no pipelines in its cache data (" +
          std::to_string(sizes.after) + " bytes), so their reuse is not observable";
    return CacheStatus::Hit;
  }
  const bool grew = sizes.after > sizes.loaded;
  const std::string growth = "driver data " + std::to_string(sizes.loaded) + " -> " +
                             std::to_string(sizes.after) + " bytes";
  if (tally.created > 0 && tally.feedback == tally.created) {
    how = counts + ", " + std::to_string(tally.cache_hits) +
          " from the cache (creation feedback; " + growth + ")";
    if (tally.cache_hits == tally.created) return CacheStatus::Hit;
    if (tally.cache_hits > 0) return CacheStatus::Partial;
    // No hit flagged, yet nothing new reached the data: the driver served every pipeline
    // from it without saying so.
    return grew ? CacheStatus::Miss : CacheStatus::Hit;
  }
  // No feedback: new data means some pipelines were compiled; if the loaded data held no
  // pipeline, all were.
  how = counts + " (no creation feedback; " + growth + ")";
  if (!grew) return CacheStatus::Hit;
  return sizes.loaded > sizes.header ? CacheStatus::Partial : CacheStatus::Miss;
}

void PipelineCache::account(const PipelineTally& tally) {
  if (config_.mode == CacheMode::Off) return;
  const std::size_t after = driver_data().size();
  std::string how;
  const DriverDataSizes sizes{sizeof(VkPipelineCacheHeaderVersionOne), loaded_data_bytes_, after};
  const CacheStatus status = status_after_creation(tally, sizes, how);
  if (report_.status == CacheStatus::Hit) {
    report_.status = status;
    report_.reason += "; " + how;
    return;
  }
  report_.reason += "; " + std::to_string(tally.created) + " pipelines compiled";
}

void PipelineCache::set_status(CacheStatus status, const std::string& reason) {
  report_.status = status;
  report_.reason = reason;
}

}  // namespace tandem::vulkan
