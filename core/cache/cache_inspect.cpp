#include "core/cache/cache_inspect.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "core/cache/cache_format.h"
#include "core/cache/crc32c.h"
#include "core/printable.h"

namespace tandem {

namespace {

// Little-endian reads within [offset, end) that report a shortfall instead of throwing:
// the walk records it as a defect and goes on where it still can.
class Cursor {
 public:
  Cursor(std::span<const std::uint8_t> bytes, std::size_t offset, std::size_t end)
      : bytes_(bytes), offset_(offset), end_(end) {}

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return end_ - offset_; }

  bool u32(std::uint32_t& value) {
    std::uint64_t wide = 0;
    if (!little_endian(4, wide)) return false;
    value = static_cast<std::uint32_t>(wide);
    return true;
  }
  bool u64(std::uint64_t& value) { return little_endian(8, value); }
  bool take(std::uint64_t length, std::span<const std::uint8_t>& part) {
    if (length > remaining()) return false;
    part = bytes_.subspan(offset_, static_cast<std::size_t>(length));
    offset_ += part.size();
    return true;
  }
  bool string32(std::string& text) {
    std::uint32_t length = 0;
    std::span<const std::uint8_t> part;
    if (!u32(length) || !take(length, part)) return false;
    text.assign(reinterpret_cast<const char*>(part.data()), part.size());
    return true;
  }

 private:
  bool little_endian(std::size_t size, std::uint64_t& value) {
    if (size > remaining()) return false;
    value = 0;
    for (std::size_t i = 0; i < size; ++i) {
      value |= static_cast<std::uint64_t>(bytes_[offset_ + i]) << (8 * i);
    }
    offset_ += size;
    return true;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t offset_;
  std::size_t end_;
};

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

void header_defect(CacheInspection& inspection, const std::string& reason) {
  if (inspection.header_reason.empty()) inspection.header_reason = reason;
  inspection.defects.push_back(reason);
}

// The header body; a shortfall leaves the fields read so far.
void walk_header_body(Cursor body, CacheInspection& inspection) {
  CacheFileHeader& header = inspection.header;
  std::uint32_t count = 0;
  if (!body.string32(header.kind) || !body.string32(header.engine_version) || !body.u32(count)) {
    header_defect(inspection, "header body too short for its kind and engine version");
    return;
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string key;
    std::string value;
    if (!body.string32(key) || !body.string32(value)) {
      header_defect(inspection, "header body ends inside identity field " + std::to_string(i) +
                                    " of " + std::to_string(count));
      return;
    }
    header.identity.emplace_back(std::move(key), std::move(value));
  }
  if (body.remaining() != 0) {
    header_defect(inspection, "header has " + std::to_string(body.remaining()) +
                                  " bytes after the identity fields");
  }
}

// Magic, version, header length, body and header checksum. Returns false when the
// header length itself runs past the file, so no entry can be located.
bool walk_header(std::span<const std::uint8_t> bytes, Cursor& in, CacheInspection& inspection) {
  std::span<const std::uint8_t> magic;
  if (!in.take(kCacheMagic.size(), magic)) {
    header_defect(inspection, "truncated at byte " + std::to_string(bytes.size()) + " (magic)");
    return false;
  }
  if (!std::equal(magic.begin(), magic.end(), kCacheMagic.begin())) {
    header_defect(inspection, "bad magic");
  }
  std::uint32_t header_length = 0;
  std::span<const std::uint8_t> body;
  if (!in.u32(inspection.header.format_version) || !in.u32(header_length) ||
      !in.take(header_length, body)) {
    header_defect(inspection, "truncated at byte " + std::to_string(bytes.size()) + " (header of " +
                                  std::to_string(header_length) + " bytes)");
    return false;
  }
  const auto body_start = static_cast<std::size_t>(body.data() - bytes.data());
  walk_header_body(Cursor(bytes, body_start, body_start + body.size()), inspection);
  const std::size_t covered = in.offset();
  std::uint32_t stored = 0;
  if (!in.u32(stored)) {
    header_defect(inspection,
                  "truncated at byte " + std::to_string(bytes.size()) + " (header checksum)");
    return false;
  }
  const std::uint32_t computed = crc32c(bytes.first(covered));
  if (stored != computed) {
    header_defect(inspection, "header checksum mismatch (stored " + hex32(stored) + ", computed " +
                                  hex32(computed) + ")");
  }
  if (inspection.header.format_version != kCacheFormatVersion) {
    header_defect(inspection, "format version " + std::to_string(inspection.header.format_version) +
                                  " != " + std::to_string(kCacheFormatVersion));
  }
  inspection.header_valid = inspection.header_reason.empty();
  return true;
}

// Every differing field, not only the first: the user wants to see all that changed.
void compare_identity(const CacheFileHeader& found, const CacheFileHeader& expected,
                      std::vector<std::string>& defects) {
  if (found.kind != expected.kind) {
    defects.push_back("kind " + printable(found.kind) + " != " + printable(expected.kind));
  }
  if (found.engine_version != expected.engine_version) {
    defects.push_back("engine version " + printable(found.engine_version) +
                      " != " + printable(expected.engine_version));
  }
  const IdentityFields& have = found.identity;
  const IdentityFields& want = expected.identity;
  for (std::size_t i = 0; i < std::max(have.size(), want.size()); ++i) {
    if (i >= have.size()) {
      defects.push_back("identity field '" + printable(want[i].first) + "' missing");
    } else if (i >= want.size()) {
      defects.push_back("unexpected identity field '" + printable(have[i].first) + "'");
    } else if (have[i].first != want[i].first) {
      defects.push_back("identity field " + std::to_string(i) + " is '" + printable(have[i].first) +
                        "', expected '" + printable(want[i].first) + "'");
    } else if (have[i].second != want[i].second) {
      defects.push_back(printable(have[i].first) + " " + printable(have[i].second, 96) +
                        " != " + printable(want[i].second, 96));
    }
  }
}

// One entry; false when its declared lengths run past the entry area (nothing after it
// can be located).
bool walk_entry(Cursor& in, std::size_t index, InspectedEntry& entry) {
  entry.index = index;
  std::uint64_t last_used = 0;
  std::uint32_t stored = 0;
  std::span<const std::uint8_t> payload;
  if (!in.string32(entry.key) || !in.u64(entry.payload_bytes) || !in.u64(last_used) ||
      !in.u32(stored)) {
    entry.reason = "truncated inside the entry's fixed fields or key";
    return false;
  }
  entry.last_used = static_cast<std::int64_t>(last_used);
  if (!in.take(entry.payload_bytes, payload)) {
    entry.reason = "payload of " + std::to_string(entry.payload_bytes) +
                   " bytes runs past the end of the file";
    return false;
  }
  entry.payload.assign(payload.begin(), payload.end());
  if (crc32c(payload) != stored) {
    entry.reason = "checksum mismatch";
  }
  return true;
}

// False when the walk lost its place (an entry ran past the end), so the trailer cannot be
// located either.
bool walk_entries(Cursor& in, CacheInspection& inspection) {
  if (!in.u32(inspection.declared_entries)) {
    inspection.defects.push_back("truncated before the entry count");
    return false;
  }
  std::unordered_map<std::string, std::size_t> first_index;
  for (std::size_t i = 0; i < inspection.declared_entries; ++i) {
    if (in.remaining() <= 4) {
      inspection.defects.push_back("file ends after " + std::to_string(i) + " of " +
                                   std::to_string(inspection.declared_entries) + " entries");
      return false;
    }
    InspectedEntry entry;
    const bool located = walk_entry(in, i, entry);
    const auto [where, fresh] = first_index.emplace(entry.key, i);
    if (located && !fresh && entry.reason.empty()) {
      entry.reason = "repeats the key of entry " + std::to_string(where->second);
    }
    entry.valid = entry.reason.empty();
    if (!entry.valid) {
      inspection.defects.push_back("entry " + std::to_string(i) + " ('" + printable(entry.key, 48) +
                                   "') " + entry.reason);
    }
    inspection.entries.push_back(std::move(entry));
    if (!located) return false;
  }
  return true;
}

void walk_trailer(std::span<const std::uint8_t> bytes, Cursor& in, CacheInspection& inspection) {
  if (in.remaining() < 4) {
    inspection.defects.push_back("truncated: no file checksum");
    return;
  }
  if (in.remaining() > 4) {
    inspection.defects.push_back(std::to_string(in.remaining() - 4) +
                                 " unexpected bytes after the last entry");
    return;
  }
  const std::size_t covered = in.offset();
  std::uint32_t stored = 0;
  in.u32(stored);
  const std::uint32_t computed = crc32c(bytes.first(covered));
  if (stored != computed) {
    inspection.defects.push_back("file checksum mismatch (stored " + hex32(stored) + ", computed " +
                                 hex32(computed) + ")");
  }
}

}  // namespace

CacheInspection inspect_cache_bytes(std::span<const std::uint8_t> bytes,
                                    const CacheFileHeader* expected) {
  CacheInspection inspection;
  if (bytes.empty()) {
    header_defect(inspection, "empty file");
    return inspection;
  }
  Cursor in(bytes, 0, bytes.size());
  if (!walk_header(bytes, in, inspection)) return inspection;
  if (expected) compare_identity(inspection.header, *expected, inspection.defects);
  if (walk_entries(in, inspection)) walk_trailer(bytes, in, inspection);
  return inspection;
}

}  // namespace tandem
