#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/cache/cache_file.h"

namespace tandem {

// A forgiving walk over a cache file for `tandem cache inspect` and `verify`: where
// parse_cache_bytes stops at the first defect (a backend must not trust the rest), this
// reads on as far as the lengths allow and reports every defect it meets, so a user sees
// which entries of a damaged file were still sound. Nothing here is handed to a driver.

struct InspectedEntry {
  std::size_t index = 0;
  std::string key;
  std::uint64_t payload_bytes = 0;  // as declared
  std::int64_t last_used = 0;
  bool valid = false;
  std::string reason;                 // why not valid; empty when valid
  std::vector<std::uint8_t> payload;  // empty when the declared bytes are not all present
};

struct CacheInspection {
  CacheFileHeader header;     // the fields that could be read
  bool header_valid = false;  // magic, lengths, body and header checksum all sound
  std::string header_reason;  // the first header defect; empty when valid
  std::uint32_t declared_entries = 0;
  std::vector<InspectedEntry> entries;  // every entry that could be located
  // Every defect found, one line each, in file order: header, identity (when an expected
  // header was given), entries, trailer. Empty means the file would load.
  std::vector<std::string> defects;
};

// With `expected`, a kind, engine version or identity field that differs is a defect too
// (each differing field listed); the entries are still walked.
CacheInspection inspect_cache_bytes(std::span<const std::uint8_t> bytes,
                                    const CacheFileHeader* expected);

}  // namespace tandem
