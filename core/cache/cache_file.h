#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace tandem {

// The cache-file container both backends share (format in docs/cache-format.md): a header
// naming what the file holds and for which device and driver, then keyed entries, each
// with its length and checksum. Nothing of a file is trusted until it has been checked.

using IdentityFields = std::vector<std::pair<std::string, std::string>>;

struct CacheFileHeader {
  std::string kind;                 // "opencl-programs", "vulkan-pipeline-cache"
  std::uint32_t format_version = 1;
  std::string engine_version;       // TANDEM_VERSION; a bump invalidates
  IdentityFields identity;          // device + driver fields, in a fixed order
};

struct CacheEntry {
  std::string key;                  // e.g. "program|conv.cl|<source hash>|<build options>"
  std::vector<std::uint8_t> payload;
  std::int64_t last_used = 0;       // unix seconds; eviction drops the oldest first
};

enum class CacheLoadOutcome {
  Loaded,     // header matches, every entry verified
  Missing,    // no file: normal on a first run
  Mismatch,   // a valid file for another device, driver, engine or format version
  Corrupt,    // anything else: truncated, bad magic or checksum, absurd lengths, not a file
  Untrusted,  // owned by another user, or writable by group or others
};

struct CacheLoadResult {
  CacheLoadOutcome outcome = CacheLoadOutcome::Missing;
  std::string reason;               // one line, e.g. "driver version 580.1 != 575.3"
  CacheFileHeader header;           // as found in the file (when it could be parsed)
  std::vector<CacheEntry> entries;  // only when outcome == Loaded
};

// Reads and checks the file at `path` against `expected`. Never throws for bad content;
// every declared length is checked against the bytes present before anything is allocated.
CacheLoadResult read_cache_file(const std::string& path, const CacheFileHeader& expected);
// The same checks on bytes in memory (the fuzzers and `tandem cache inspect` use it).
// With expected == nullptr only the structure and checksums are checked.
CacheLoadResult parse_cache_bytes(std::span<const std::uint8_t> bytes,
                                  const CacheFileHeader* expected);
std::vector<std::uint8_t> serialize_cache(const CacheFileHeader& header,
                                          const std::vector<CacheEntry>& entries);

// How a writer combines the entries on disk (re-read under the lock) with its own.
// The default keeps the union by key, the writer's entries winning.
using CacheMerge = std::function<std::vector<CacheEntry>(const std::vector<CacheEntry>& on_disk,
                                                         const std::vector<CacheEntry>& ours)>;

struct CacheWriteOptions {
  std::int64_t max_bytes = 256ll << 20;  // budget for the whole cache directory
  CacheMerge merge;                      // empty = union by key
};

// Under an exclusive advisory lock (flock on `path` + ".lock"): re-reads the file, merges,
// evicts to stay within max_bytes (other devices' files in the directory first, oldest
// first, then this file's least recently used entries) and writes atomically: temporary
// file in the same directory, fsync, rename over, fsync the directory. The directory is
// created with mode 0700. Throws Error on I/O failure; the old file is then untouched.
void update_cache_file(const std::string& path, const CacheFileHeader& header,
                       const std::vector<CacheEntry>& entries, const CacheWriteOptions& options);

// Moves a corrupt file out of the way (to path + ".corrupt") so the next write starts clean.
void set_aside_cache_file(const std::string& path);

}  // namespace tandem
