#pragma once
// What the three cache-file fuzzers share: a checksum repair that lets mutated files reach
// the checks behind the CRCs, and the properties every parse must keep.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "core/cache/cache_file.h"
#include "core/cache/crc32c.h"

namespace tandem::fuzz {

// Stops the run so libFuzzer saves the input: a property, not a crash, failed.
[[noreturn]] inline void property_failed(const std::string& what) {
  std::fprintf(stderr, "fuzz property failed: %s\n", what.c_str());
  std::abort();
}


inline std::uint64_t read_le(const std::vector<std::uint8_t>& bytes, std::size_t at,
                             std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) value |= std::uint64_t{bytes[at + i]} << (8 * i);
  return value;
}

inline void write_crc(std::vector<std::uint8_t>& bytes, std::size_t at, std::size_t from,
                      std::size_t to) {
  const std::uint32_t crc =
      crc32c(std::span<const std::uint8_t>(bytes).subspan(from, to - from));
  for (std::size_t i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::uint8_t>(crc >> (8 * i));
}

// Random bytes almost never carry a right CRC-32C, so without this the fuzzer would spend
// its time on "checksum mismatch". Walks the layout of docs/cache-format.md as far as the
// lengths allow and rewrites every checksum it reaches; the lengths stay as mutated.
inline std::vector<std::uint8_t> with_checksums_repaired(std::span<const std::uint8_t> input) {
  std::vector<std::uint8_t> bytes(input.begin(), input.end());
  const std::size_t size = bytes.size();
  if (size < 16) return bytes;
  const std::uint64_t header_end = 16 + read_le(bytes, 12, 4);
  if (header_end + 4 > size) return bytes;
  write_crc(bytes, header_end, 0, header_end);
  std::uint64_t at = header_end + 4;
  if (at + 4 <= size) {
    const std::uint64_t count = read_le(bytes, at, 4);
    at += 4;
    for (std::uint64_t i = 0; i < count && at + 4 <= size; ++i) {
      at += 4 + read_le(bytes, at, 4);                       // key length, key
      if (at + 20 > size) break;
      const std::uint64_t payload_length = read_le(bytes, at, 8);
      const std::uint64_t checksum_at = at + 16;             // after length and last_used
      at += 20;
      if (payload_length > size - at) break;
      write_crc(bytes, checksum_at, at, at + payload_length);
      at += payload_length;
    }
  }
  write_crc(bytes, size - 4, 0, size - 4);
  return bytes;
}

// The properties of parse_cache_bytes on any input: it returns (never throws, never
// crashes), says why in one line when it refuses, and what it accepts is exactly what the
// writer produces for the same header and entries, so nothing unchecked slips through.
inline CacheLoadResult checked_parse(std::span<const std::uint8_t> bytes,
                                     const CacheFileHeader* expected) {
  CacheLoadResult result = parse_cache_bytes(bytes, expected);
  if (result.outcome == CacheLoadOutcome::Missing ||
      result.outcome == CacheLoadOutcome::Untrusted) {
    property_failed("bytes in memory cannot be missing or untrusted");
  }
  if (result.outcome != CacheLoadOutcome::Loaded) {
    if (result.reason.empty()) property_failed("a refusal without a reason");
    if (result.reason.find('\n') != std::string::npos) {
      property_failed("reason is not one line: " + result.reason);
    }
    if (!result.entries.empty()) property_failed("entries returned from a refused file");
    return result;
  }
  if (expected) {
    if (result.header.kind != expected->kind ||
        result.header.engine_version != expected->engine_version ||
        result.header.identity != expected->identity ||
        result.header.format_version != expected->format_version) {
      property_failed("loaded a file whose header differs from the expected one");
    }
  }
  const std::vector<std::uint8_t> again = serialize_cache(result.header, result.entries);
  if (!std::equal(again.begin(), again.end(), bytes.begin(), bytes.end())) {
    property_failed("loaded bytes differ from what the writer makes of them");
  }
  return result;
}

// Seeds that load cleanly against `header`, written by a fuzzer run with
// TANDEM_FUZZ_WRITE_SEEDS=DIR (ci/fuzz does this before fuzzing): only the binary knows the
// exact identity strings its backend puts in a header, so it writes its own valid files.
inline void write_seed_files(const char* dir, const CacheFileHeader& header,
                             const std::vector<std::vector<CacheEntry>>& entry_sets) {
  int index = 0;
  for (const std::vector<CacheEntry>& entries : entry_sets) {
    const std::vector<std::uint8_t> bytes = serialize_cache(header, entries);
    const std::string path = std::string(dir) + "/seed-" + std::to_string(index++) + ".bin";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) property_failed("cannot write seed " + path);
  }
}

inline std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return {text.begin(), text.end()};
}

}  // namespace tandem::fuzz
