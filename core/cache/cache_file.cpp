#include "core/cache/cache_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "core/cache/cache_format.h"
#include "core/cache/crc32c.h"
#include "core/cache/posix_file.h"
#include "core/error.h"
#include "core/printable.h"

namespace tandem {

namespace {

// Thrown inside the parser only, caught by parse_cache_bytes: it lets each check be one line.
struct ParseFailure {
  CacheLoadOutcome outcome;
  std::string reason;
};

[[noreturn]] void corrupt(std::string reason) {
  throw ParseFailure{CacheLoadOutcome::Corrupt, std::move(reason)};
}

[[noreturn]] void mismatch(std::string reason) {
  throw ParseFailure{CacheLoadOutcome::Mismatch, std::move(reason)};
}

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

// Keys and identity values come from an untrusted file: reasons quote them through
// printable(), on one line and short enough to read.
constexpr std::size_t kQuotedKeyLimit = 48;

// The bytes of a cache, in memory or in a file. Of a file only what the parser has asked
// for is read, a prefix that grows as declared lengths require: the file's size alone (a
// sparse file of gigabytes costs no disk) never decides what is read or allocated.
class CacheBytes {
 public:
  explicit CacheBytes(std::span<const std::uint8_t> whole) : size_(whole.size()), view_(whole) {}
  CacheBytes(int fd, std::uint64_t size) : fd_(fd), size_(static_cast<std::size_t>(size)) {}

  std::size_t size() const { return size_; }

  // [from, from + count), within size(); valid until the next call.
  std::span<const std::uint8_t> get(std::size_t from, std::size_t count) {
    if (fd_ >= 0 && from + count > view_.size()) load(from + count);
    return view_.subspan(from, count);
  }

 private:
  // Reads ahead in doubling steps so that a file of many small fields costs few reads, yet
  // never more than twice what the declared lengths asked for.
  void load(std::size_t needed) {
    constexpr std::size_t kMinimumRead = 64 << 10;
    const std::size_t target =
        std::min(size_, std::max({needed, 2 * loaded_.size(), kMinimumRead}));
    const std::size_t before = loaded_.size();
    loaded_.resize(target);
    const std::int64_t got = read_fully(
        fd_, std::span<std::uint8_t>(loaded_).subspan(before, target - before));
    if (got < 0) corrupt("read failed: " + errno_text(static_cast<int>(-got)));
    loaded_.resize(before + static_cast<std::size_t>(got));
    view_ = loaded_;
    if (loaded_.size() < needed) {
      corrupt("truncated at byte " + std::to_string(loaded_.size()) +
              " (the file shrank while being read)");
    }
  }

  int fd_ = -1;
  std::size_t size_;
  std::vector<std::uint8_t> loaded_;
  std::span<const std::uint8_t> view_;
};

// Reads little-endian fields from [offset, end) of the file, refusing to step past `end`
// before anything is allocated; offsets in its reasons are from the start of the file.
class ByteReader {
 public:
  ByteReader(CacheBytes& bytes, std::size_t offset, std::size_t end)
      : bytes_(bytes), offset_(offset), end_(end) {}

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return end_ - offset_; }

  std::uint32_t u32(const std::string& what) {
    return static_cast<std::uint32_t>(little_endian(4, what));
  }
  std::uint64_t u64(const std::string& what) { return little_endian(8, what); }

  // `declared` bytes that a length field announced.
  std::span<const std::uint8_t> take(std::uint64_t declared, const std::string& what) {
    if (declared > remaining()) {
      corrupt("truncated at byte " + std::to_string(end_) + " (" + what + ", " +
              std::to_string(declared) + " bytes declared)");
    }
    auto part = bytes_.get(offset_, static_cast<std::size_t>(declared));
    offset_ += part.size();
    return part;
  }

  std::string string32(const std::string& what) {
    const std::uint32_t length = u32(what + " length");
    auto part = take(length, what);
    return {reinterpret_cast<const char*>(part.data()), part.size()};
  }

  // A reader over the next `length` bytes; this one skips past them.
  ByteReader sub(std::uint64_t length, const std::string& what) {
    const std::size_t start = offset_;
    take(length, what);
    return ByteReader(bytes_, start, offset_);
  }

 private:
  std::uint64_t little_endian(std::size_t size, const std::string& what) {
    if (size > remaining()) {
      corrupt("truncated at byte " + std::to_string(end_) + " (" + what + ", " +
              std::to_string(size) + " bytes needed)");
    }
    const auto field = bytes_.get(offset_, size);
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < size; ++i) value |= std::uint64_t{field[i]} << (8 * i);
    offset_ += size;
    return value;
  }

  CacheBytes& bytes_;
  std::size_t offset_;
  std::size_t end_;
};

void check_magic(CacheBytes& bytes) {
  if (bytes.size() == 0) corrupt("empty file");
  const std::size_t present = std::min(bytes.size(), kCacheMagic.size());
  const auto start = bytes.get(0, present);
  for (std::size_t i = 0; i < present; ++i) {
    if (start[i] != kCacheMagic[i]) corrupt("bad magic");
  }
  if (present < kCacheMagic.size()) {
    corrupt("truncated at byte " + std::to_string(bytes.size()) + " (magic, 8 bytes needed)");
  }
}

void parse_header_body(ByteReader body, CacheFileHeader& header) {
  header.kind = body.string32("kind");
  header.engine_version = body.string32("engine version");
  const std::uint32_t count = body.u32("identity count");
  // Each identity field is at least two empty length-prefixed strings.
  if (count > body.remaining() / 8) {
    corrupt("identity count " + std::to_string(count) + " exceeds what " +
            std::to_string(body.remaining()) + " header bytes can hold");
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::string field = "identity field " + std::to_string(i);
    std::string key = body.string32(field + " key");
    std::string value = body.string32(field + " value");
    header.identity.emplace_back(std::move(key), std::move(value));
  }
  if (body.remaining() != 0) {
    corrupt("header has " + std::to_string(body.remaining()) +
            " bytes after the identity fields");
  }
}

// Reasons read "found != expected", the file's value first.
void compare_headers(const CacheFileHeader& found, const CacheFileHeader& expected) {
  if (found.kind != expected.kind) {
    mismatch("kind " + printable(found.kind) + " != " + printable(expected.kind));
  }
  if (found.engine_version != expected.engine_version) {
    mismatch("engine version " + printable(found.engine_version) + " != " +
             printable(expected.engine_version));
  }
  const IdentityFields& have = found.identity;
  const IdentityFields& want = expected.identity;
  for (std::size_t i = 0; i < std::max(have.size(), want.size()); ++i) {
    if (i >= have.size()) mismatch("identity field '" + printable(want[i].first) + "' missing");
    if (i >= want.size()) {
      mismatch("unexpected identity field '" + printable(have[i].first) + "'");
    }
    if (have[i].first != want[i].first) {
      mismatch("identity field " + std::to_string(i) + " is '" + printable(have[i].first) +
               "', expected '" + printable(want[i].first) + "'");
    }
    if (have[i].second != want[i].second) {
      mismatch(printable(have[i].first) + " " + printable(have[i].second, 96) + " != " +
               printable(want[i].second, 96));
    }
  }
}

CacheEntry parse_entry(ByteReader& in, std::size_t index) {
  const std::string name = "entry " + std::to_string(index);
  CacheEntry entry;
  entry.key = in.string32(name + " key");
  const std::uint64_t payload_length = in.u64(name + " payload length");
  entry.last_used = static_cast<std::int64_t>(in.u64(name + " last_used"));
  const std::uint32_t stored = in.u32(name + " checksum");
  // take() has checked the length against the bytes present: only now is memory spent.
  auto payload = in.take(payload_length, name + " payload");
  if (crc32c(payload) != stored) {
    corrupt(name + " ('" + printable(entry.key, kQuotedKeyLimit) + "') checksum mismatch");
  }
  entry.payload.assign(payload.begin(), payload.end());
  return entry;
}

std::vector<CacheEntry> parse_entries(ByteReader& in) {
  const std::uint32_t count = in.u32("entry count");
  // The file checksum follows the entries, so they have remaining() - 4 bytes at most.
  const std::uint64_t room = in.remaining() >= 4 ? in.remaining() - 4 : 0;
  if (count > room / kCacheEntryFixedBytes) {
    corrupt("entry count " + std::to_string(count) + " exceeds what " + std::to_string(room) +
            " bytes can hold (" + std::to_string(kCacheEntryFixedBytes) + " bytes each at least)");
  }
  std::vector<CacheEntry> entries;
  // The count is only bounded by the file's size, which may be a sparse file's.
  entries.reserve(std::min<std::uint32_t>(count, 1024));
  std::unordered_map<std::string, std::size_t> first_index;
  for (std::uint32_t i = 0; i < count; ++i) {
    entries.push_back(parse_entry(in, i));
    const auto [where, fresh] = first_index.emplace(entries.back().key, i);
    if (!fresh) {
      corrupt("entry " + std::to_string(i) + " ('" +
              printable(entries.back().key, kQuotedKeyLimit) + "') repeats the key of entry " +
              std::to_string(where->second));
    }
  }
  return entries;
}

void check_file_checksum(CacheBytes& bytes, ByteReader& in) {
  if (in.remaining() > 4) {
    corrupt(std::to_string(in.remaining() - 4) + " unexpected bytes after the last entry");
  }
  const std::size_t covered = in.offset();
  const std::uint32_t stored = in.u32("file checksum");
  const std::uint32_t computed = crc32c(bytes.get(0, covered));
  if (stored != computed) {
    corrupt("file checksum mismatch (stored " + hex32(stored) + ", computed " + hex32(computed) +
            ")");
  }
}

// Everything up to the header body; returns the body's reader with the header checksum and
// the format version already verified.
ByteReader read_preamble(CacheBytes& bytes, ByteReader& in, const CacheFileHeader* expected,
                         CacheFileHeader& header) {
  check_magic(bytes);
  in.take(kCacheMagic.size(), "magic");
  header.format_version = in.u32("format version");
  const std::uint32_t header_length = in.u32("header length");
  ByteReader body = in.sub(header_length, "header");
  const std::size_t covered = in.offset();
  const std::uint32_t stored = in.u32("header checksum");
  const std::uint32_t computed = crc32c(bytes.get(0, covered));
  if (stored != computed) {
    corrupt("header checksum mismatch (stored " + hex32(stored) + ", computed " +
            hex32(computed) + ")");
  }
  // The preamble's layout never changes, so a newer file is told apart from a damaged
  // one before its body, whose layout may have, is parsed.
  const std::uint32_t wanted = expected ? expected->format_version : kCacheFormatVersion;
  if (header.format_version != wanted) {
    mismatch("format version " + std::to_string(header.format_version) + " != " +
             std::to_string(wanted));
  }
  return body;
}

CacheLoadResult load_failure(CacheLoadOutcome outcome, std::string reason) {
  CacheLoadResult result;
  result.outcome = outcome;
  result.reason = std::move(reason);
  return result;
}

// Owned by someone else (root excepted: it can replace our files anyway, and it is who
// installs a shipped cache) or writable by others: someone else could have planted it.
std::string untrusted_reason(const struct stat& info) {
  const uid_t us = ::geteuid();
  if (info.st_uid != us && info.st_uid != 0) {
    return "owned by uid " + std::to_string(info.st_uid) + ", not " + std::to_string(us);
  }
  if (info.st_mode & (S_IWGRP | S_IWOTH)) {
    char mode[16];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return std::string("writable by group or others (mode ") + mode + ")";
  }
  return {};
}

// The type and trust checks, on lstat before opening and on fstat after.
std::optional<CacheLoadResult> refuse(const struct stat& info) {
  if (!S_ISREG(info.st_mode)) {
    return load_failure(CacheLoadOutcome::Corrupt,
                        std::string("not a regular file (") + file_type_name(info.st_mode) + ")");
  }
  std::string reason = untrusted_reason(info);
  if (!reason.empty()) return load_failure(CacheLoadOutcome::Untrusted, std::move(reason));
  if (static_cast<std::uint64_t>(info.st_size) > kCacheMaxFileBytes) {
    return load_failure(CacheLoadOutcome::Corrupt,
                        "file is " + std::to_string(info.st_size) +
                            " bytes, more than any cache file may be (" +
                            std::to_string(kCacheMaxFileBytes) + ")");
  }
  return std::nullopt;
}

CacheLoadResult parse_cache(CacheBytes& bytes, const CacheFileHeader* expected) {
  CacheLoadResult result;
  try {
    ByteReader in(bytes, 0, bytes.size());
    parse_header_body(read_preamble(bytes, in, expected, result.header), result.header);
    if (expected) compare_headers(result.header, *expected);
    std::vector<CacheEntry> entries = parse_entries(in);
    check_file_checksum(bytes, in);
    result.entries = std::move(entries);
    result.outcome = CacheLoadOutcome::Loaded;
  } catch (const ParseFailure& failure) {
    result.outcome = failure.outcome;
    result.reason = failure.reason;
  }
  return result;
}

}  // namespace

CacheLoadResult parse_cache_bytes(std::span<const std::uint8_t> bytes,
                                  const CacheFileHeader* expected) {
  CacheBytes whole(bytes);
  return parse_cache(whole, expected);
}

CacheLoadResult read_cache_file(const std::string& path, const CacheFileHeader& expected) {
  // lstat first so that a FIFO, a device or a symbolic link is never even opened.
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return load_failure(CacheLoadOutcome::Missing, "no cache file yet");
    return load_failure(CacheLoadOutcome::Corrupt, "cannot stat: " + errno_text(errno));
  }
  if (auto refusal = refuse(info)) return *refusal;
  // O_NONBLOCK and O_NOFOLLOW because the path may have been swapped since the lstat.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return load_failure(CacheLoadOutcome::Missing, "no cache file yet");
    return load_failure(CacheLoadOutcome::Corrupt, "cannot open: " + errno_text(errno));
  }
  if (::fstat(fd.get(), &info) != 0) {
    return load_failure(CacheLoadOutcome::Corrupt, "cannot stat: " + errno_text(errno));
  }
  if (auto refusal = refuse(info)) return *refusal;
  CacheBytes bytes(fd.get(), static_cast<std::uint64_t>(info.st_size));
  return parse_cache(bytes, &expected);
}

void set_aside_cache_file(const std::string& path) {
  const std::string aside = path + ".corrupt";
  if (::rename(path.c_str(), aside.c_str()) != 0 && errno != ENOENT) {
    fail(path + ": cannot move it aside to " + aside + ": " + errno_text(errno));
  }
}

}  // namespace tandem
