#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/cache/cache_file.h"

namespace tandem::conformance {

// A cache file as a backend wrote it, with its parsed header and entries.
struct CacheImage {
  std::vector<std::uint8_t> bytes;
  CacheFileHeader header;
  std::vector<CacheEntry> entries;
};

// Parses `bytes` structurally (no device check); throws Error unless the container loads it.
CacheImage parse_cache_image(std::vector<std::uint8_t> bytes, const std::string& path);

// Where the header's fields end and the next begin: magic, format version, header
// length, kind, engine version, the identity list (its count, first key, end), the header
// checksum and the first entry's key. The layout is the container's (docs/cache-format.md);
// rather than hard-coding offsets, each field's text is located in the bytes and its
// 4-byte length prefix is assumed before it. Every other prefix of the file is covered
// without a backend by the scenario container_rejects_damage. Sorted, in [1, size).
std::vector<std::size_t> header_field_boundaries(const CacheImage& image);

// `count` seeded offsets past the header, for truncation.
std::vector<std::size_t> random_offsets(const CacheImage& image, std::size_t count,
                                        std::uint64_t seed);

// Offset of entry 0's payload in the bytes, or SIZE_MAX when it cannot be located.
std::size_t payload_offset(const CacheImage& image);

// Bytes that change when only entry 0's payload changes, other than the payload itself:
// its checksum (and any whole-file checksum). Found by serialising twice; the offsets are
// into serialize_cache(image.header, image.entries), which the caller tampers with.
std::vector<std::size_t> checksum_offsets(const CacheImage& image);

std::vector<std::uint8_t> with_bit_flipped(std::vector<std::uint8_t> bytes, std::size_t offset,
                                           int bit);
std::vector<std::uint8_t> with_header(const CacheImage& image, const CacheFileHeader& header);
// Every entry key changed, as if written from other kernel sources or build options.
std::vector<std::uint8_t> with_stale_keys(const CacheImage& image);

// Which part of an OpenCL program key (program|<file>|<source hash>|<build options>,
// opencl/program_cache.cpp) to change, as if the file had been written by a build whose
// kernel source or build options differ from this one's.
enum class ProgramKeyField { SourceHash = 2, BuildOptions = 3 };
// The image with that field of every program entry, and of every program's cubin
// (cubin|..., keyed alike), changed; empty when the image holds no program entries (the
// Vulkan cache, which has neither).
std::vector<std::uint8_t> with_program_keys_changed(const CacheImage& image, ProgramKeyField field);
// `size` seeded random bytes.
std::vector<std::uint8_t> random_bytes(std::size_t size, std::uint64_t seed);

std::vector<std::uint8_t> read_file_bytes(const std::string& path);  // throws Error
void write_file_bytes(const std::string& path,
                      const std::vector<std::uint8_t>& bytes);  // mode 0600

const char* load_outcome_name(CacheLoadOutcome outcome);  // "loaded", "corrupt" ...

}  // namespace tandem::conformance
