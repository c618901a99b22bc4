#include "conformance/cache_tampering.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <set>

#include "core/error.h"

namespace tandem::conformance {
namespace {

std::size_t find_text(const std::vector<std::uint8_t>& bytes, const std::string& text,
                      std::size_t from) {
  if (text.empty() || from >= bytes.size()) return std::string::npos;
  auto it = std::search(bytes.begin() + static_cast<std::ptrdiff_t>(from), bytes.end(),
                        text.begin(), text.end(),
                        [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); });
  return it == bytes.end() ? std::string::npos : static_cast<std::size_t>(it - bytes.begin());
}

std::size_t find_bytes(const std::vector<std::uint8_t>& bytes,
                       const std::vector<std::uint8_t>& needle) {
  if (needle.empty()) return std::string::npos;
  auto it = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
  return it == bytes.end() ? std::string::npos : static_cast<std::size_t>(it - bytes.begin());
}

// The header's strings in the order a writer is most likely to put them.
std::vector<std::string> header_texts(const CacheFileHeader& header) {
  std::vector<std::string> texts = {header.kind, header.engine_version};
  for (const auto& [key, value] : header.identity) {
    texts.push_back(key);
    texts.push_back(value);
  }
  return texts;
}

}  // namespace

CacheImage parse_cache_image(std::vector<std::uint8_t> bytes, const std::string& path) {
  CacheLoadResult result = parse_cache_bytes(bytes, nullptr);
  check(result.outcome == CacheLoadOutcome::Loaded,
        "cache file '" + path + "' written by the backend does not load: " + result.reason);
  return {std::move(bytes), std::move(result.header), std::move(result.entries)};
}

std::vector<std::size_t> header_field_boundaries(const CacheImage& image) {
  // Magic | format version | header length | body: the fixed preamble.
  std::set<std::size_t> offsets = {4, 8, 12, 16};
  const std::vector<std::string> texts = header_texts(image.header);
  std::vector<std::size_t> found(texts.size(), std::string::npos);
  std::size_t cursor = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    found[i] = find_text(image.bytes, texts[i], cursor);
    if (found[i] != std::string::npos) cursor = found[i] + texts[i].size();
  }
  // Kind and engine version: where each length prefix ends and where each text ends.
  for (std::size_t i = 0; i < 2 && i < texts.size(); ++i) {
    if (found[i] == std::string::npos) continue;
    offsets.insert(found[i]);
    offsets.insert(found[i] + texts[i].size());
  }
  // The identity list as one field: its count, the first key's length and text, and its
  // end (where the header checksum begins) and the checksum's end.
  if (texts.size() > 2 && found[2] != std::string::npos && found[2] >= 8) {
    offsets.insert(found[2] - 4);
    offsets.insert(found[2]);
  }
  if (texts.size() > 3 && found.back() != std::string::npos) {
    offsets.insert(found.back() + texts.back().size());
    offsets.insert(found.back() + texts.back().size() + 4);
  }
  // The first entry: its key's length prefix, its text, and what follows it.
  if (!image.entries.empty()) {
    const std::string& key = image.entries.front().key;
    const std::size_t at = find_text(image.bytes, key, cursor);
    if (at != std::string::npos && at >= 4) {
      offsets.insert(at - 4);
      offsets.insert(at);
      offsets.insert(at + key.size());
    }
  }
  std::vector<std::size_t> result;
  for (std::size_t offset : offsets) {
    if (offset > 0 && offset < image.bytes.size()) result.push_back(offset);
  }
  return result;
}

std::vector<std::size_t> random_offsets(const CacheImage& image, std::size_t count,
                                        std::uint64_t seed) {
  const std::vector<std::size_t> header = header_field_boundaries(image);
  const std::size_t begin = header.empty() ? 1 : header.back() + 1;
  std::vector<std::size_t> offsets;
  if (begin >= image.bytes.size()) return offsets;
  std::mt19937_64 engine(seed);
  for (std::size_t i = 0; i < count; ++i) {
    offsets.push_back(begin + static_cast<std::size_t>(engine() % (image.bytes.size() - begin)));
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  return offsets;
}

std::size_t payload_offset(const CacheImage& image) {
  if (image.entries.empty() || image.entries.front().payload.empty())
    return std::numeric_limits<std::size_t>::max();
  const std::vector<std::uint8_t>& payload = image.entries.front().payload;
  const std::vector<std::uint8_t> head(
      payload.begin(),
      payload.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(payload.size(), 64)));
  const std::size_t at = find_bytes(image.bytes, head);
  return at == std::string::npos ? std::numeric_limits<std::size_t>::max() : at;
}

std::vector<std::size_t> checksum_offsets(const CacheImage& image) {
  std::vector<std::size_t> offsets;
  if (image.entries.empty() || image.entries.front().payload.empty()) return offsets;
  const std::vector<std::uint8_t> original = serialize_cache(image.header, image.entries);
  std::vector<CacheEntry> changed = image.entries;
  changed.front().payload[0] ^= 0x01;
  const std::vector<std::uint8_t> altered = serialize_cache(image.header, changed);
  if (original.size() != altered.size()) return offsets;
  const std::size_t payload = payload_offset({original, image.header, image.entries});
  for (std::size_t i = 0; i < original.size(); ++i) {
    if (original[i] != altered[i] && i != payload) offsets.push_back(i);
  }
  return offsets;
}

std::vector<std::uint8_t> with_bit_flipped(std::vector<std::uint8_t> bytes, std::size_t offset,
                                           int bit) {
  check(offset < bytes.size(),
        "bit flip at " + std::to_string(offset) + " is past the end of the file");
  bytes[offset] = static_cast<std::uint8_t>(bytes[offset] ^ (1u << bit));
  return bytes;
}

std::vector<std::uint8_t> with_header(const CacheImage& image, const CacheFileHeader& header) {
  return serialize_cache(header, image.entries);
}

std::vector<std::uint8_t> with_stale_keys(const CacheImage& image) {
  std::vector<CacheEntry> entries = image.entries;
  for (CacheEntry& entry : entries) entry.key += "|stale-source-0000";
  return serialize_cache(image.header, entries);
}

std::vector<std::uint8_t> with_program_keys_changed(const CacheImage& image,
                                                    ProgramKeyField field) {
  std::vector<CacheEntry> entries = image.entries;
  bool changed = false;
  for (CacheEntry& entry : entries) {
    // A program's cubin (OpenCL on NVIDIA) is keyed like the program: a changed source or
    // option changes both keys.
    const bool program_key =
        entry.key.rfind("program|", 0) == 0 || entry.key.rfind("cubin|", 0) == 0;
    if (!program_key || std::count(entry.key.begin(), entry.key.end(), '|') != 3) continue;
    std::size_t start = 0;
    for (int i = 0; i < static_cast<int>(field); ++i) start = entry.key.find('|', start) + 1;
    const std::size_t end = std::min(entry.key.find('|', start), entry.key.size());
    const std::string old_value = entry.key.substr(start, end - start);
    const std::string new_value = field == ProgramKeyField::SourceHash
                                      ? std::string(old_value.size(), '0')
                                      : old_value + " -DTANDEM_OLDER_BUILD_OPTION";
    entry.key.replace(start, end - start, new_value);
    changed = true;
  }
  return changed ? serialize_cache(image.header, entries) : std::vector<std::uint8_t>{};
}

std::vector<std::uint8_t> random_bytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<std::uint8_t> bytes(size);
  for (std::uint8_t& byte : bytes) byte = static_cast<std::uint8_t>(engine() >> 56);
  return bytes;
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  check(file.good(), "cannot read '" + path + "'");
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void write_file_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    check(file.good(), "cannot write '" + path + "'");
    file.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    check(file.good(), "cannot write '" + path + "'");
  }
  ::chmod(path.c_str(), 0600);
}

const char* load_outcome_name(CacheLoadOutcome outcome) {
  switch (outcome) {
    case CacheLoadOutcome::Loaded:
      return "loaded";
    case CacheLoadOutcome::Missing:
      return "missing";
    case CacheLoadOutcome::Mismatch:
      return "mismatch";
    case CacheLoadOutcome::Corrupt:
      return "corrupt";
    case CacheLoadOutcome::Untrusted:
      return "untrusted";
  }
  return "?";
}

}  // namespace tandem::conformance
