#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/cache/cache_file.h"
#include "opencl/cl_handles.h"
#include "opencl/device.h"

namespace tandem::opencl {

// One program a plan needs: an embedded source and the options it is built with.
struct ProgramRequest {
  std::string file;  // "conv.cl"
  std::string source;
  std::uint64_t source_hash = 0;  // of every byte in `source`
  std::string build_options;

  // "program|conv.cl|<source hash hex>|<build options>": a binary is reused only for the
  // same source bytes and options; the device and driver are checked by the file header.
  std::string cache_key() const;
};

// The request for embedded kernels/<file>, after kernels/common.cl, with the backend's
// default options.
ProgramRequest embedded_program(const std::string& file);
// Several files in order after common.cl, a program whose last file builds on the
// functions of the others (conv_tiled.cl on gemm_tiled.cl's tile loop); named by the last.
ProgramRequest embedded_program(const std::vector<std::string>& files);

// When a program compiled from source has its binary fetched and written. pocl adds the
// work-group functions it compiles at a kernel's first launch to the binary, but only if
// the binary was never fetched before (it keeps the first serialisation): fetched after the
// first run, the binary spares a warm run that compilation (seconds for a small CNN).
enum class BinarySave { AtBuild, AfterFirstRun };

// What build_programs(..., AfterFirstRun) leaves for save_deferred_binaries.
struct DeferredBinaries {
  std::vector<CacheEntry> hits;                      // cached binaries, fresh last_used
  std::map<std::string, std::string> keys_by_file;   // compiled here, not fetched yet
  bool pending() const { return !keys_by_file.empty(); }
};

struct BuiltPrograms {
  std::map<std::string, ClProgram> by_file;
  CacheReport report;
  // Work-group choices ("tuning|..." keys, see work_group_tuner.h) the cache files offered,
  // the writable file's first.
  std::vector<CacheEntry> tuning;
  DeferredBinaries deferred;  // empty unless AfterFirstRun left binaries to write
  // Programs loaded from cubins whose PTX the cache also holds (file -> PTX): the driver's
  // JIT of the PTX makes faster kernels (cubin_upgrade.h), see cubin_tier_up.h.
  std::map<std::string, std::vector<std::uint8_t>> provisional;
  // NVIDIA PTX loaded from a cache file with no cubin beside it (written with cubins off or
  // before there were cubins), for CubinUpgrade; read-write mode only.
  std::vector<CacheEntry> ptx_without_cubin;
};

// Whether a cache entry is a work-group choice rather than a program binary.
bool is_tuning_entry(const CacheEntry& entry);

// <dir>/tandem_cl_compiled_program.<slug>.bin. The slug is the sanitised device name and
// a short hash of the platform and device names, so it stays put across driver updates:
// a new driver then finds the old file and reports it `invalidated`, with the reason.
std::string program_cache_path(const std::string& dir, const DeviceInfo& device);
// Kind "opencl-programs", engine TANDEM_VERSION, identity = the device's identity fields.
CacheFileHeader program_cache_header(const DeviceInfo& device);
// The directory budget of `config` (max_mb), for every write to the file.
CacheWriteOptions program_cache_write_options(const CacheConfig& config);

// Builds every request for `device`: from a cached cubin (cubin_upgrade.h), else a cached
// binary, where one exists and the driver accepts it (create, build, binary status and
// kernel creation all checked), from source otherwise. The shipped file is read first
// (never written), then the writable cache; binaries compiled here are written back unless
// the mode is read-only or off.
//
// Status: hit (every program from a cache file), miss (none), partial (some),
// invalidated (the file was for another device, driver or engine version), recovered (a
// corrupt or untrusted file was set aside, or the driver rejected a cached binary), off.
// Read-only mode reports the load status (hit/miss/partial ...) and says "read-only" in
// the reason: how well the cache served is what a user of a read-only cache wants to know.
//
// With AfterFirstRun, the binaries of programs compiled here are neither fetched nor
// written: save_deferred_binaries does that (read-write mode only).
BuiltPrograms build_programs(cl_context context, const ClDevice& device, const CacheConfig& config,
                             const std::vector<ProgramRequest>& requests,
                             BinarySave save = BinarySave::AtBuild);

// Fetches the deferred binaries from `programs` (by file) and writes them with the
// refreshed hits; a failure is a warning and a note in report.reason. Leaves `deferred`
// empty. Returns the entries written (none after a failure).
std::vector<CacheEntry> save_deferred_binaries(const std::map<std::string, ClProgram>& programs,
                                               const ClDevice& device, const CacheConfig& config,
                                               DeferredBinaries& deferred, CacheReport& report);

}  // namespace tandem::opencl
