#include "opencl/program_cache.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "core/stopwatch.h"
#include "opencl/cubin_upgrade.h"
#include "opencl/cuda_linker.h"
#include "opencl/kernel_sources.h"
#include "opencl/program.h"

namespace tandem::opencl {

namespace {

std::string hex64(std::uint64_t value, int digits) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return std::string(text + 16 - digits);
}

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::string identity_field(const DeviceInfo& device, const std::string& name) {
  for (const auto& [key, value] : device.identity) {
    if (key == name) return value;
  }
  return "";
}

// Lower-case letters and digits, other runs of characters as one '-', at most 40 long.
std::string sanitize(const std::string& name) {
  std::string slug;
  for (char c : name) {
    const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    if ((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9')) {
      slug += lower;
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  if (slug.size() > 40) slug.resize(40);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug.empty() ? "device" : slug;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the cache files offered before any program was built.
enum class FileState { Loaded, Missing, Stale, Unusable };

struct LoadedCaches {
  std::vector<CacheEntry> shipped;
  std::vector<CacheEntry> writable;
  FileState state = FileState::Missing;
  std::string reason;  // why the writable file was not loaded
};

void load_shipped(const std::string& path, const CacheFileHeader& header, LoadedCaches& caches) {
  CacheLoadResult result = read_cache_file(path, header);
  if (result.outcome == CacheLoadOutcome::Loaded) {
    caches.shipped = std::move(result.entries);
    log_debug("opencl: shipped cache " + path + ": " + std::to_string(caches.shipped.size()) +
              " entries");
    return;
  }
  // The shipped file belongs to whoever shipped it: report, never move or rewrite it.
  log_warn("opencl: ignoring shipped cache " + path + ": " +
           (result.outcome == CacheLoadOutcome::Missing ? "not found" : result.reason));
}

void load_writable(const std::string& path, const CacheFileHeader& header, CacheMode mode,
                   LoadedCaches& caches) {
  CacheLoadResult result = read_cache_file(path, header);
  switch (result.outcome) {
    case CacheLoadOutcome::Loaded:
      caches.writable = std::move(result.entries);
      caches.state = FileState::Loaded;
      return;
    case CacheLoadOutcome::Missing:
      log_info("no compiled-program cache yet at " + path + "; compiling from source");
      caches.state = FileState::Missing;
      caches.reason = "no cache file yet";
      return;
    case CacheLoadOutcome::Mismatch:
      log_info("compiled-program cache " + path + " is stale (" + result.reason +
               "); compiling from source");
      caches.state = FileState::Stale;
      caches.reason = result.reason;
      return;
    case CacheLoadOutcome::Corrupt:
    case CacheLoadOutcome::Untrusted:
      caches.state = FileState::Unusable;
      caches.reason = result.reason;
      if (mode == CacheMode::ReadOnly) {
        log_warn("compiled-program cache " + path + " is unusable (" + result.reason +
                 "); compiling from source, file left in place (read-only)");
        return;
      }
      log_warn("compiled-program cache " + path + " is unusable (" + result.reason +
               "); setting it aside and compiling from source");
      try {
        set_aside_cache_file(path);
      } catch (const Error& error) {
        // The rewrite below replaces the file atomically anyway, or reports why it cannot.
        log_warn(error.what());
      }
      return;
  }
}

const CacheEntry* find_entry(const std::vector<CacheEntry>& entries, const std::string& key) {
  for (const CacheEntry& entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

// How each request was served, for the report and for what gets written back.
struct BuildTally {
  int from_cache = 0;
  std::vector<std::string> compiled;  // files built from source
  std::vector<std::string> rejected;  // "conv.cl: rejected at build: ..."
  std::vector<CacheEntry> to_write;   // new binaries and refreshed hits
  std::map<std::string, std::string> unsaved;  // file -> key: compiled, binary not fetched
  int from_cubins = 0;
  std::map<std::string, std::vector<std::uint8_t>> provisional;  // file -> PTX to rebuild
  std::vector<CacheEntry> ptx_without_cubin;                      // loaded from PTX
};

// Where a cold or warm start spends its time, program by program (`log: debug`).
void log_build_time(const ProgramRequest& request, const char* from,
                    std::chrono::steady_clock::time_point start) {
  log_debug("opencl: built " + request.file + " " + request.build_options + " from " + from +
            " in " + std::to_string(static_cast<int>(ms_since(start))) + " ms");
}

// The program from its cubin (cubin_upgrade.h) where `entries` hold one the driver takes;
// its PTX (under `key`, the request's cache key), when they hold that too, is left in
// `tally.provisional` to be rebuilt.
ClProgram build_from_cubin(cl_context context, const ClDevice& device,
                           const ProgramRequest& request, const std::string& key,
                           const std::vector<CacheEntry>& entries, bool writable,
                           BuildTally& tally) {
  const CacheEntry* cubin = find_entry(entries, cubin_key(key));
  if (!cubin) return {};
  std::string why;
  ClProgram program =
      build_from_binary(context, device.device, cubin->payload, request.build_options, why);
  if (!program) {
    log_debug("opencl: cached cubin for " + request.file + " " + why + "; trying its PTX");
    return {};
  }
  if (const CacheEntry* ptx = find_entry(entries, key)) {
    tally.provisional.emplace(request.file, ptx->payload);
    if (writable) tally.to_write.push_back({key, ptx->payload, now_seconds()});
  }
  if (writable) tally.to_write.push_back({cubin->key, cubin->payload, now_seconds()});
  ++tally.from_cache;
  ++tally.from_cubins;
  return program;
}

ClProgram build_one(cl_context context, const ClDevice& device, const ProgramRequest& request,
                    const LoadedCaches& caches, BinarySave save, BuildTally& tally) {
  const auto start = std::chrono::steady_clock::now();
  const std::string key = request.cache_key();
  for (const std::vector<CacheEntry>* entries : {&caches.shipped, &caches.writable}) {
    const bool writable = entries == &caches.writable;
    if (ClProgram program =
            build_from_cubin(context, device, request, key, *entries, writable, tally)) {
      log_build_time(request, "cached cubin", start);
      return program;
    }
  }
  const CacheEntry* shipped = find_entry(caches.shipped, key);
  const CacheEntry* writable = find_entry(caches.writable, key);
  for (const CacheEntry* entry : {shipped, writable}) {
    if (!entry) continue;
    std::string why;
    ClProgram program =
        build_from_binary(context, device.device, entry->payload, request.build_options, why);
    if (program) {
      log_build_time(request, "cached binary", start);
      ++tally.from_cache;
      // Hits from the writable file are rewritten with a fresh last_used when anything is
      // written, so eviction drops what this device no longer uses first.
      if (entry == writable) tally.to_write.push_back({key, entry->payload, now_seconds()});
      // NVIDIA PTX cached before cubins were: the first run adds its cubin.
      if (nvidia_ptx_target(entry->payload) != 0) tally.ptx_without_cubin.push_back(*entry);
      return program;
    }
    log_warn("opencl: cached binary for " + request.file + " " + why + "; compiling from source");
    tally.rejected.push_back(request.file + ": " + why);
  }
  ClProgram program = build_from_source(context, device.device, request.file, request.source,
                                        request.build_options);
  log_build_time(request, "source", start);
  tally.compiled.push_back(request.file);
  if (save == BinarySave::AfterFirstRun) {
    tally.unsaved.emplace(request.file, key);
    return program;
  }
  std::vector<std::uint8_t> binary = program_binary(program.get());
  if (!binary.empty()) tally.to_write.push_back({key, std::move(binary), now_seconds()});
  return program;
}

// One request's program, how it was served, or what its build threw.
struct BuiltRequest {
  ClProgram program;
  BuildTally tally;
  std::exception_ptr error;
};

// Threads for building `requests` programs from source: one per core, at most one per
// program; TANDEM_OPENCL_BUILD_THREADS=N overrides (1: one after another).
std::size_t build_threads(std::size_t requests) {
  std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  if (const char* forced = std::getenv("TANDEM_OPENCL_BUILD_THREADS")) {
    threads = static_cast<std::size_t>(std::max(1L, std::strtol(forced, nullptr, 10)));
  }
  return std::max<std::size_t>(1, std::min(threads, requests));
}

// True when a cache holds a binary for the request.
bool cached(const ProgramRequest& request, const LoadedCaches& caches) {
  const std::string program_key = request.cache_key();
  for (const std::string& key : {program_key, cubin_key(program_key)}) {
    if (find_entry(caches.shipped, key) || find_entry(caches.writable, key)) return true;
  }
  return false;
}

// Builds every request: cached binaries one after another, then the rest from source
// several at a time. On the H100 (driver 580.159.04, CUDA_CACHE_DISABLE=1), building the
// example CNN's programs from source on 16 threads took 2.0-2.4 s instead of 2.4-3.8 s, but
// loading its cached binaries (which NVIDIA JIT-compiles from PTX) on 16 threads took
// 1.35-1.40 s instead of 1.12-1.15 s; with each plan's smaller programs (a68d656), 2, 4 and
// 8 threads were no faster than one either. pocl compiles one program at a time either way.
std::vector<BuiltRequest> build_all(cl_context context, const ClDevice& device,
                                    const std::vector<ProgramRequest>& requests,
                                    const LoadedCaches& caches, BinarySave save) {
  std::vector<BuiltRequest> built(requests.size());
  std::vector<std::size_t> from_source;
  const auto build = [&](std::size_t i) {
    try {
      built[i].program = build_one(context, device, requests[i], caches, save, built[i].tally);
    } catch (...) {
      built[i].error = std::current_exception();
    }
  };
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (cached(requests[i], caches)) {
      build(i);
    } else {
      from_source.push_back(i);
    }
  }
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t n = next++; n < from_source.size(); n = next++) build(from_source[n]);
  };
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < build_threads(from_source.size()); ++t) helpers.emplace_back(work);
  work();
  for (std::thread& helper : helpers) helper.join();
  return built;
}

// The requests' tallies in request order, so reports and cache files do not depend on
// which thread finished first.
void merge_tally(BuildTally& into, BuildTally&& from) {
  into.from_cache += from.from_cache;
  into.compiled.insert(into.compiled.end(), from.compiled.begin(), from.compiled.end());
  into.rejected.insert(into.rejected.end(), from.rejected.begin(), from.rejected.end());
  std::move(from.to_write.begin(), from.to_write.end(), std::back_inserter(into.to_write));
  into.unsaved.merge(from.unsaved);
  into.from_cubins += from.from_cubins;
  into.provisional.merge(from.provisional);
  std::move(from.ptx_without_cubin.begin(), from.ptx_without_cubin.end(),
            std::back_inserter(into.ptx_without_cubin));
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

CacheStatus status_of(const LoadedCaches& caches, const BuildTally& tally, int requested) {
  if (caches.state == FileState::Stale) return CacheStatus::Invalidated;
  if (caches.state == FileState::Unusable || !tally.rejected.empty()) return CacheStatus::Recovered;
  const bool loaded = caches.state == FileState::Loaded;
  if (tally.from_cache == requested && (requested > 0 || loaded)) return CacheStatus::Hit;
  return tally.from_cache == 0 ? CacheStatus::Miss : CacheStatus::Partial;
}

CacheReport summarize(const std::string& path, const LoadedCaches& caches, const BuildTally& tally,
                      int requested) {
  std::string reason = std::to_string(tally.from_cache) + " of " + std::to_string(requested) +
                       " programs from cache";
  if (tally.from_cubins > 0) reason += " (" + std::to_string(tally.from_cubins) + " from cubins)";
  if (caches.state != FileState::Loaded) reason = caches.reason + "; " + reason;
  if (!tally.rejected.empty()) reason += "; driver rejected " + join(tally.rejected);
  if (!tally.compiled.empty()) reason += "; compiled " + join(tally.compiled);
  return {path, status_of(caches, tally, requested), reason};
}

// True when the file was written; a failure is a warning and a note in report.reason.
bool write_back(const std::string& path, const CacheFileHeader& header, const CacheConfig& config,
                const BuildTally& tally, CacheReport& report) {
  try {
    update_cache_file(path, header, tally.to_write, program_cache_write_options(config));
    return true;
  } catch (const Error& error) {
    // A cache that cannot be saved costs the next run its compile time, nothing more.
    log_warn(std::string("opencl: compiled programs not saved: ") + error.what());
    report.reason += std::string("; not saved: ") + error.what();
    return false;
  }
}

}  // namespace

bool is_tuning_entry(const CacheEntry& entry) { return entry.key.rfind("tuning|", 0) == 0; }

CacheWriteOptions program_cache_write_options(const CacheConfig& config) {
  CacheWriteOptions options;
  options.max_bytes = config.max_mb << 20;
  return options;
}

std::string ProgramRequest::cache_key() const {
  return "program|" + file + "|" + hex64(source_hash, 16) + "|" + build_options;
}

ProgramRequest embedded_program(const std::string& file) {
  return embedded_program(std::vector<std::string>{file});
}

ProgramRequest embedded_program(const std::vector<std::string>& files) {
  const EmbeddedFile& common = kernel_source("common.cl");
  ProgramRequest request;
  request.file = files.back();
  request.source = common.text();
  std::string hashes = hex64(common.hash, 16);
  for (const std::string& file : files) {
    const EmbeddedFile& own = kernel_source(file);
    request.source += "\n#line 1 \"" + file + "\"\n" + std::string(own.text());
    hashes += hex64(own.hash, 16);
  }
  request.source_hash = fnv1a(hashes);
  // Sources are OpenCL C 1.2; saying so keeps drivers that default to another dialect honest.
  request.build_options = "-cl-std=CL1.2";
  return request;
}

std::string program_cache_path(const std::string& dir, const DeviceInfo& device) {
  const std::string names = identity_field(device, "platform_name") + "\n" + device.name;
  return dir + "/tandem_cl_compiled_program." + sanitize(device.name) + "-" +
         hex64(fnv1a(names), 8) + ".bin";
}

CacheFileHeader program_cache_header(const DeviceInfo& device) {
  CacheFileHeader header;
  header.kind = "opencl-programs";
  header.engine_version = TANDEM_VERSION;
  header.identity = device.identity;
  return header;
}

BuiltPrograms build_programs(cl_context context, const ClDevice& device, const CacheConfig& config,
                             const std::vector<ProgramRequest>& requests, BinarySave save) {
  BuiltPrograms built;
  const bool off = config.mode == CacheMode::Off || config.dir.empty();
  const CacheFileHeader header = program_cache_header(device.info);
  LoadedCaches caches;
  if (!off) {
    built.report.path = program_cache_path(config.dir, device.info);
    if (!config.shipped.empty()) load_shipped(config.shipped, header, caches);
    load_writable(built.report.path, header, config.mode, caches);
  }
  for (const std::vector<CacheEntry>* entries : {&caches.writable, &caches.shipped}) {
    std::copy_if(entries->begin(), entries->end(), std::back_inserter(built.tuning),
                 is_tuning_entry);
  }
  BuildTally tally;
  std::vector<BuiltRequest> results = build_all(context, device, requests, caches, save);
  for (BuiltRequest& result : results) {
    if (result.error) std::rethrow_exception(result.error);  // the first failed request's
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    built.by_file.emplace(requests[i].file, std::move(results[i].program));
    merge_tally(tally, std::move(results[i].tally));
  }
  if (off) {
    built.report.status = CacheStatus::Off;
    built.report.reason =
        config.mode == CacheMode::Off ? "cache mode is off" : "no cache directory";
    return built;
  }
  built.report = summarize(built.report.path, caches, tally, static_cast<int>(requests.size()));
  built.provisional = std::move(tally.provisional);
  if (config.mode == CacheMode::ReadWrite) {
    built.ptx_without_cubin = std::move(tally.ptx_without_cubin);
  }
  if (config.mode == CacheMode::ReadOnly) {
    built.report.reason += "; read-only: nothing written";
  } else if (!tally.unsaved.empty()) {
    built.deferred.hits = std::move(tally.to_write);
    built.deferred.keys_by_file = std::move(tally.unsaved);
  } else if (!tally.compiled.empty()) {
    write_back(built.report.path, header, config, tally, built.report);
  }
  return built;
}

std::vector<CacheEntry> save_deferred_binaries(const std::map<std::string, ClProgram>& programs,
                                               const ClDevice& device, const CacheConfig& config,
                                               DeferredBinaries& deferred, CacheReport& report) {
  if (deferred.keys_by_file.empty()) return {};
  BuildTally tally;
  tally.to_write = std::move(deferred.hits);
  try {
    for (const auto& [file, key] : deferred.keys_by_file) {
      std::vector<std::uint8_t> binary = program_binary(programs.at(file).get());
      if (!binary.empty()) tally.to_write.push_back({key, std::move(binary), now_seconds()});
    }
  } catch (const Error& error) {
    log_warn(std::string("opencl: compiled programs not saved: ") + error.what());
    report.reason += std::string("; not saved: ") + error.what();
    tally.to_write.clear();
  }
  deferred = {};
  if (tally.to_write.empty() ||
      !write_back(report.path, program_cache_header(device.info), config, tally, report)) {
    return {};
  }
  return std::move(tally.to_write);
}

}  // namespace tandem::opencl
