#include <string_view>
#include <unordered_set>

#include "core/cache/cache_file.h"
#include "core/cache/cache_format.h"
#include "core/cache/crc32c.h"
#include "core/error.h"

namespace tandem {

namespace {

class ByteWriter {
 public:
  explicit ByteWriter(std::size_t capacity) { bytes_.reserve(capacity); }

  void u32(std::uint32_t value) { little_endian(value, 4); }
  void u64(std::uint64_t value) { little_endian(value, 8); }
  void raw(std::span<const std::uint8_t> part) {
    bytes_.insert(bytes_.end(), part.begin(), part.end());
  }
  void string32(const std::string& text, const std::string& what) {
    check(text.size() <= UINT32_MAX, "serialize_cache: " + what + " is longer than 4 GiB");
    u32(static_cast<std::uint32_t>(text.size()));
    raw({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }
  void checksum() { u32(crc32c(bytes_)); }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  void little_endian(std::uint64_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      bytes_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    }
  }
  std::vector<std::uint8_t> bytes_;
};

void write_header(ByteWriter& out, const CacheFileHeader& header) {
  out.raw(kCacheMagic);
  out.u32(header.format_version);
  const std::uint64_t body = serialized_header_body_bytes(header);
  check(body <= UINT32_MAX, "serialize_cache: header is longer than 4 GiB");
  out.u32(static_cast<std::uint32_t>(body));
  out.string32(header.kind, "kind");
  out.string32(header.engine_version, "engine version");
  out.u32(static_cast<std::uint32_t>(header.identity.size()));
  for (const auto& [key, value] : header.identity) {
    out.string32(key, "identity key '" + key + "'");
    out.string32(value, "identity value of '" + key + "'");
  }
  out.checksum();
}

void check_unique_keys(const std::vector<CacheEntry>& entries) {
  std::unordered_set<std::string_view> seen;
  for (const CacheEntry& entry : entries) {
    check(seen.insert(entry.key).second,
          "serialize_cache: key '" + entry.key + "' appears twice");
  }
}

}  // namespace

std::uint64_t serialized_header_body_bytes(const CacheFileHeader& header) {
  std::uint64_t size = 4 + header.kind.size() + 4 + header.engine_version.size() + 4;
  for (const auto& [key, value] : header.identity) size += 8 + key.size() + value.size();
  return size;
}

std::uint64_t serialized_entry_bytes(const CacheEntry& entry) {
  return kCacheEntryFixedBytes + entry.key.size() + entry.payload.size();
}

std::uint64_t serialized_cache_bytes(const CacheFileHeader& header,
                                     const std::vector<CacheEntry>& entries) {
  // preamble, header body, header checksum, entry count, entries, file checksum
  std::uint64_t size = kCachePreambleBytes + serialized_header_body_bytes(header) + 4 + 4 + 4;
  for (const CacheEntry& entry : entries) size += serialized_entry_bytes(entry);
  return size;
}

std::vector<std::uint8_t> serialize_cache(const CacheFileHeader& header,
                                          const std::vector<CacheEntry>& entries) {
  check(entries.size() <= UINT32_MAX, "serialize_cache: more than 2^32 entries");
  check_unique_keys(entries);
  const std::uint64_t total = serialized_cache_bytes(header, entries);
  check(total <= kCacheMaxFileBytes, "serialize_cache: " + std::to_string(total) +
                                         " bytes exceed the largest cache file readers accept");
  ByteWriter out(static_cast<std::size_t>(total));
  write_header(out, header);
  out.u32(static_cast<std::uint32_t>(entries.size()));
  for (const CacheEntry& entry : entries) {
    out.string32(entry.key, "key");
    out.u64(entry.payload.size());
    out.u64(static_cast<std::uint64_t>(entry.last_used));
    out.u32(crc32c(entry.payload));
    out.raw(entry.payload);
  }
  out.checksum();
  return out.take();
}

}  // namespace tandem
