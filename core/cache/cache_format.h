#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "core/cache/cache_file.h"

namespace tandem {

// Layout constants of the container, shared by the reader, the writer and the eviction
// arithmetic (docs/cache-format.md describes every byte).
inline constexpr std::array<std::uint8_t, 8> kCacheMagic = {'T', 'A', 'N', 'D',
                                                            'E', 'M', 'C', '\0'};
// The format version this build reads and writes when no expected header says otherwise.
inline constexpr std::uint32_t kCacheFormatVersion = 1;
// magic + format version + header length, then (after the header) its checksum.
inline constexpr std::uint64_t kCachePreambleBytes = 8 + 4 + 4;
// key length + payload length + last_used + payload checksum: the smallest possible entry.
inline constexpr std::uint64_t kCacheEntryFixedBytes = 4 + 8 + 8 + 4;
// Nothing larger is read: a cache this big is not one tandem wrote, and reading it whole
// would only trade a clear "corrupt" for an allocation failure.
inline constexpr std::uint64_t kCacheMaxFileBytes = 4ull << 30;

std::uint64_t serialized_header_body_bytes(const CacheFileHeader& header);
std::uint64_t serialized_entry_bytes(const CacheEntry& entry);
// The exact size serialize_cache(header, entries) produces.
std::uint64_t serialized_cache_bytes(const CacheFileHeader& header,
                                     const std::vector<CacheEntry>& entries);

}  // namespace tandem
