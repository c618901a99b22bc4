// The container's bytes and its reader: round trips, the layout by hand, every truncation,
// every bit flip, absurd lengths, header mismatches and files that are not what they seem.
#include "core/cache/cache_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "core/cache/crc32c.h"
#include "core/cache/test_scratch_directory.h"
#include "core/error.h"

namespace tandem {
namespace {

using testing::read_bytes;
using testing::ScratchDirectory;
using testing::write_bytes;

CacheFileHeader sample_header() {
  CacheFileHeader header;
  header.kind = "opencl-programs";
  header.engine_version = "0.1.0";
  header.identity = {{"device", "pocl-cpu"}, {"driver_version", "575.3"}};
  return header;
}

std::vector<std::uint8_t> random_bytes(std::mt19937& rng, std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(rng());
  return bytes;
}

std::vector<CacheEntry> sample_entries() {
  std::mt19937 rng(1234);
  return {{"program|conv.cl|a1", random_bytes(rng, 5), 1700000000},
          {"empty", {}, -5},
          {"program|gemm.cl|b2", random_bytes(rng, 17), 1700000123}};
}

std::uint64_t read_le(const std::vector<std::uint8_t>& bytes, std::size_t offset,
                      std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) value |= std::uint64_t{bytes[offset + i]} << (8 * i);
  return value;
}

void write_le(std::vector<std::uint8_t>& bytes, std::size_t offset, std::size_t size,
              std::uint64_t value) {
  for (std::size_t i = 0; i < size; ++i) {
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

std::uint32_t crc_of(const std::vector<std::uint8_t>& bytes, std::size_t begin, std::size_t end) {
  return crc32c(std::span<const std::uint8_t>(bytes).subspan(begin, end - begin));
}

// After a deliberate edit, makes the file checksum right again so the edit itself is tested.
void refresh_file_checksum(std::vector<std::uint8_t>& bytes) {
  write_le(bytes, bytes.size() - 4, 4, crc_of(bytes, 0, bytes.size() - 4));
}

void expect_same_entries(const std::vector<CacheEntry>& got, const std::vector<CacheEntry>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].key, want[i].key);
    EXPECT_EQ(got[i].payload, want[i].payload);
    EXPECT_EQ(got[i].last_used, want[i].last_used);
  }
}

// Offsets of the sample file, computed from the format description by hand.
constexpr std::size_t kHeaderBody = (4 + 15) + (4 + 5) + 4 + (8 + 6 + 8) + (8 + 14 + 5);
constexpr std::size_t kHeaderCrcAt = 16 + kHeaderBody;
constexpr std::size_t kCountAt = kHeaderCrcAt + 4;
constexpr std::size_t kFirstEntryAt = kCountAt + 4;
constexpr std::size_t kFileSize =
    kFirstEntryAt + (24 + 18 + 5) + (24 + 5 + 0) + (24 + 18 + 17) + 4;

TEST(CacheFile, RoundTrip) {
  const CacheFileHeader header = sample_header();
  const auto bytes = serialize_cache(header, sample_entries());
  const CacheLoadResult result = parse_cache_bytes(bytes, &header);
  ASSERT_EQ(result.outcome, CacheLoadOutcome::Loaded) << result.reason;
  expect_same_entries(result.entries, sample_entries());
  EXPECT_EQ(result.header.kind, header.kind);
  EXPECT_EQ(result.header.engine_version, header.engine_version);
  EXPECT_EQ(result.header.identity, header.identity);
  const CacheLoadResult unchecked = parse_cache_bytes(bytes, nullptr);
  ASSERT_EQ(unchecked.outcome, CacheLoadOutcome::Loaded) << unchecked.reason;
  expect_same_entries(unchecked.entries, sample_entries());
}

TEST(CacheFile, LayoutMatchesTheDocumentByteForByte) {
  const auto bytes = serialize_cache(sample_header(), sample_entries());
  ASSERT_EQ(bytes.size(), kFileSize);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), std::string("TANDEMC\0", 8));
  EXPECT_EQ(read_le(bytes, 8, 4), 1u);                     // format version
  EXPECT_EQ(read_le(bytes, 12, 4), kHeaderBody);           // header length
  EXPECT_EQ(read_le(bytes, 16, 4), 15u);                   // kind length
  EXPECT_EQ(std::string(bytes.begin() + 20, bytes.begin() + 35), "opencl-programs");
  EXPECT_EQ(read_le(bytes, 35, 4), 5u);                    // engine version length
  EXPECT_EQ(read_le(bytes, 44, 4), 2u);                    // identity count
  EXPECT_EQ(read_le(bytes, kHeaderCrcAt, 4), crc_of(bytes, 0, kHeaderCrcAt));
  EXPECT_EQ(read_le(bytes, kCountAt, 4), 3u);
  const std::size_t e = kFirstEntryAt;
  EXPECT_EQ(read_le(bytes, e, 4), 18u);                    // key length
  EXPECT_EQ(std::string(bytes.begin() + e + 4, bytes.begin() + e + 22), "program|conv.cl|a1");
  EXPECT_EQ(read_le(bytes, e + 22, 8), 5u);                // payload length
  EXPECT_EQ(read_le(bytes, e + 30, 8), 1700000000u);       // last_used
  EXPECT_EQ(read_le(bytes, e + 38, 4), crc_of(bytes, e + 42, e + 47));
  EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin() + e + 42, bytes.begin() + e + 47),
            sample_entries()[0].payload);
  EXPECT_EQ(read_le(bytes, kFileSize - 4, 4), crc_of(bytes, 0, kFileSize - 4));
}

TEST(CacheFile, EveryTruncationIsCorrupt) {
  const CacheFileHeader header = sample_header();
  const auto bytes = serialize_cache(header, sample_entries());
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    const auto result = parse_cache_bytes(std::span(bytes).first(length), &header);
    EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt) << "length " << length;
    EXPECT_FALSE(result.reason.empty()) << "length " << length;
    EXPECT_TRUE(result.entries.empty());
  }
  EXPECT_EQ(parse_cache_bytes(std::span(bytes).first(0), &header).reason, "empty file");
  EXPECT_EQ(parse_cache_bytes(std::span(bytes).first(kHeaderCrcAt - 3), &header).reason,
            "truncated at byte " + std::to_string(kHeaderCrcAt - 3) + " (header, " +
                std::to_string(kHeaderBody) + " bytes declared)");
  EXPECT_EQ(parse_cache_bytes(std::span(bytes).first(bytes.size() - 1), &header).reason,
            "truncated at byte " + std::to_string(bytes.size() - 1) +
                " (file checksum, 4 bytes needed)");
}

TEST(CacheFile, EveryBitFlipIsCorruptOrMismatch) {
  const CacheFileHeader header = sample_header();
  const auto original = serialize_cache(header, sample_entries());
  for (std::size_t at = 0; at < original.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bytes = original;
      bytes[at] ^= static_cast<std::uint8_t>(1u << bit);
      const auto result = parse_cache_bytes(bytes, &header);
      EXPECT_TRUE(result.outcome == CacheLoadOutcome::Corrupt ||
                  result.outcome == CacheLoadOutcome::Mismatch)
          << "byte " << at << " bit " << bit << ": " << result.reason;
      EXPECT_TRUE(result.entries.empty());
    }
  }
}

// Seeded random damage (several bytes rewritten, cut, or grown): never a crash, never
// Loaded unless the bytes happen to be unchanged.
TEST(CacheFile, RandomDamageIsNeverLoaded) {
  const CacheFileHeader header = sample_header();
  const auto original = serialize_cache(header, sample_entries());
  std::mt19937 rng(271828);
  for (int round = 0; round < 5000; ++round) {
    auto bytes = original;
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) bytes[rng() % bytes.size()] = static_cast<std::uint8_t>(rng());
    if (rng() % 3 == 0) bytes.resize(rng() % (bytes.size() + 64), 0xEE);
    const auto result = parse_cache_bytes(bytes, &header);
    if (bytes == original) continue;
    EXPECT_NE(result.outcome, CacheLoadOutcome::Loaded) << "round " << round;
    EXPECT_FALSE(result.reason.empty());
  }
}

TEST(CacheFile, ExtraBytesAfterTheLastEntryAreCorrupt) {
  const CacheFileHeader header = sample_header();
  auto bytes = serialize_cache(header, sample_entries());
  bytes.insert(bytes.end() - 4, {0xAB, 0xCD});
  refresh_file_checksum(bytes);
  const auto result = parse_cache_bytes(bytes, &header);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
  EXPECT_EQ(result.reason, "2 unexpected bytes after the last entry");
}

TEST(CacheFile, BadMagic) {
  auto bytes = serialize_cache(sample_header(), sample_entries());
  bytes[3] = 'X';
  const auto result = parse_cache_bytes(bytes, nullptr);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
  EXPECT_EQ(result.reason, "bad magic");
  const std::vector<std::uint8_t> not_ours = {'\x7f', 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0};
  EXPECT_EQ(parse_cache_bytes(not_ours, nullptr).reason, "bad magic");
}

TEST(CacheFile, AbsurdLengthsAreRejectedBeforeAllocation) {
  const CacheFileHeader header = sample_header();
  const auto original = serialize_cache(header, sample_entries());
  const std::size_t e = kFirstEntryAt;
  // A 4 GiB payload claimed by a 244-byte file: the reason shows it was compared with the
  // bytes present, and the process is still here, so nothing of that size was allocated.
  auto bytes = original;
  write_le(bytes, e + 22, 8, 4ull << 30);
  auto result = parse_cache_bytes(bytes, &header);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
  EXPECT_EQ(result.reason, "truncated at byte " + std::to_string(kFileSize) +
                               " (entry 0 payload, 4294967296 bytes declared)");
  bytes = original;
  write_le(bytes, e + 22, 8, ~0ull);
  EXPECT_EQ(parse_cache_bytes(bytes, &header).reason,
            "truncated at byte " + std::to_string(kFileSize) +
                " (entry 0 payload, 18446744073709551615 bytes declared)");
  bytes = original;
  write_le(bytes, e, 4, 0xFFFFFFFFu);
  EXPECT_EQ(parse_cache_bytes(bytes, &header).reason,
            "truncated at byte " + std::to_string(kFileSize) +
                " (entry 0 key, 4294967295 bytes declared)");
  bytes = original;
  write_le(bytes, kCountAt, 4, 0xFFFFFFFFu);
  EXPECT_EQ(parse_cache_bytes(bytes, &header).reason,
            "entry count 4294967295 exceeds what " +
                std::to_string(kFileSize - kFirstEntryAt - 4) +
                " bytes can hold (24 bytes each at least)");
  bytes = original;
  write_le(bytes, 12, 4, 0xFFFFFFFFu);
  EXPECT_EQ(parse_cache_bytes(bytes, &header).reason,
            "truncated at byte " + std::to_string(kFileSize) +
                " (header, 4294967295 bytes declared)");
}

TEST(CacheFile, EntryChecksumMismatchNamesTheEntry) {
  const CacheFileHeader header = sample_header();
  auto bytes = serialize_cache(header, sample_entries());
  bytes[kFileSize - 4 - 1] ^= 0x10;   // last payload byte of entry 2
  refresh_file_checksum(bytes);
  const auto result = parse_cache_bytes(bytes, &header);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
  EXPECT_EQ(result.reason, "entry 2 ('program|gemm.cl|b2') checksum mismatch");
}

TEST(CacheFile, LongAndUnprintableKeysAreShortenedInReasons) {
  const CacheFileHeader header = sample_header();
  const std::string key = std::string("bad\nkey|") + std::string(60, 'k');
  std::vector<CacheEntry> entries = {{key, {1, 2}, 0}};
  auto bytes = serialize_cache(header, entries);
  bytes[bytes.size() - 5] ^= 0x01;
  refresh_file_checksum(bytes);
  EXPECT_EQ(parse_cache_bytes(bytes, &header).reason,
            "entry 0 ('bad\\x0akey|" + std::string(40, 'k') + "...') checksum mismatch");
}

TEST(CacheFile, RepeatedKeysAreCorruptAndNeverWritten) {
  const CacheFileHeader header = sample_header();
  std::vector<CacheEntry> entries = {{"key-a", {1}, 0}, {"key-b", {1}, 0}};
  EXPECT_THROW(serialize_cache(header, {{"same", {1}, 0}, {"same", {2}, 0}}), Error);
  auto bytes = serialize_cache(header, entries);
  const std::size_t second_key = kFirstEntryAt + (24 + 5 + 1) + 4;
  bytes[second_key + 4] = 'a';   // "key-b" -> "key-a"
  refresh_file_checksum(bytes);
  EXPECT_EQ(parse_cache_bytes(bytes, &header).reason,
            "entry 1 ('key-a') repeats the key of entry 0");
}

CacheLoadResult parse_against(const CacheFileHeader& written, const CacheFileHeader& expected) {
  return parse_cache_bytes(serialize_cache(written, sample_entries()), &expected);
}

TEST(CacheFile, EachIdentityFieldChangedIsAMismatchWithItsReason) {
  const CacheFileHeader expected = sample_header();
  CacheFileHeader found = expected;
  found.kind = "vulkan-pipeline-cache";
  auto result = parse_against(found, expected);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Mismatch);
  EXPECT_EQ(result.reason, "kind vulkan-pipeline-cache != opencl-programs");
  EXPECT_EQ(result.header.kind, "vulkan-pipeline-cache");

  found = expected;
  found.engine_version = "0.2.0";
  EXPECT_EQ(parse_against(found, expected).reason, "engine version 0.2.0 != 0.1.0");

  found = expected;
  found.format_version = 2;
  result = parse_against(found, expected);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Mismatch);
  EXPECT_EQ(result.reason, "format version 2 != 1");
  EXPECT_EQ(parse_cache_bytes(serialize_cache(found, {}), nullptr).reason,
            "format version 2 != 1");

  found = expected;
  found.identity[1].second = "580.1";
  result = parse_against(found, expected);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Mismatch);
  EXPECT_EQ(result.reason, "driver_version 580.1 != 575.3");

  found = expected;
  found.identity[0].second = "NVIDIA H100";
  EXPECT_EQ(parse_against(found, expected).reason, "device NVIDIA H100 != pocl-cpu");

  found = expected;
  found.identity.emplace_back("uuid", "1234");
  EXPECT_EQ(parse_against(found, expected).reason, "unexpected identity field 'uuid'");

  found = expected;
  found.identity.pop_back();
  EXPECT_EQ(parse_against(found, expected).reason, "identity field 'driver_version' missing");

  found = expected;
  std::swap(found.identity[0], found.identity[1]);
  EXPECT_EQ(parse_against(found, expected).reason,
            "identity field 0 is 'driver_version', expected 'device'");
}

TEST(CacheFile, EmptyEntryListRoundTrips) {
  const CacheFileHeader header = sample_header();
  const auto result = parse_cache_bytes(serialize_cache(header, {}), &header);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Loaded) << result.reason;
  EXPECT_TRUE(result.entries.empty());
}

// --- files on disk ---------------------------------------------------------------------

TEST(CacheFileOnDisk, MissingLoadedAndMismatch) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  const CacheFileHeader header = sample_header();
  EXPECT_EQ(read_cache_file(path, header).outcome, CacheLoadOutcome::Missing);
  write_bytes(path, serialize_cache(header, sample_entries()));
  auto result = read_cache_file(path, header);
  ASSERT_EQ(result.outcome, CacheLoadOutcome::Loaded) << result.reason;
  expect_same_entries(result.entries, sample_entries());
  CacheFileHeader other = header;
  other.identity[1].second = "580.1";
  result = read_cache_file(path, other);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Mismatch);
  EXPECT_EQ(result.reason, "driver_version 575.3 != 580.1");
}

// A sparse file costs no disk, so anyone who can write the directory can make one of any
// size: the reader reads what the lengths declare, never the file's size.
TEST(CacheFileOnDisk, SparseTailIsRefusedWithoutReadingIt) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  const CacheFileHeader header = sample_header();
  write_bytes(path, serialize_cache(header, sample_entries()));
  constexpr off_t kSparseSize = off_t{1} << 30;
  ASSERT_EQ(::truncate(path.c_str(), kSparseSize), 0);
  struct rusage before {};
  ::getrusage(RUSAGE_SELF, &before);
  const auto result = read_cache_file(path, header);
  struct rusage after {};
  ::getrusage(RUSAGE_SELF, &after);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
  EXPECT_EQ(result.reason, std::to_string(kSparseSize - static_cast<off_t>(kFileSize)) +
                               " unexpected bytes after the last entry");
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 16 << 10) << "KB of peak memory added";
}

// Files larger than one read-ahead step load whole and intact.
TEST(CacheFileOnDisk, LargeFileLoadsAcrossReadSteps) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  const CacheFileHeader header = sample_header();
  std::mt19937 rng(99);
  std::vector<CacheEntry> entries;
  for (int i = 0; i < 5; ++i) {
    entries.push_back({"entry" + std::to_string(i), random_bytes(rng, 100000 + 7 * i), i});
  }
  write_bytes(path, serialize_cache(header, entries));
  const auto result = read_cache_file(path, header);
  ASSERT_EQ(result.outcome, CacheLoadOutcome::Loaded) << result.reason;
  expect_same_entries(result.entries, entries);
}

TEST(CacheFileOnDisk, DirectoryIsNotARegularFile) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
  const auto result = read_cache_file(path, sample_header());
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
  EXPECT_EQ(result.reason, "not a regular file (directory)");
}

TEST(CacheFileOnDisk, FifoIsRefusedWithoutBlocking) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // Opening a FIFO for reading without O_NONBLOCK would wait for a writer forever; the
  // alarm turns such a hang into a failed test.
  ::alarm(10);
  const auto result = read_cache_file(path, sample_header());
  ::alarm(0);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
  EXPECT_EQ(result.reason, "not a regular file (fifo)");
}

TEST(CacheFileOnDisk, SymbolicLinkIsNotFollowed) {
  ScratchDirectory dir;
  const CacheFileHeader header = sample_header();
  write_bytes(dir / "real.bin", serialize_cache(header, sample_entries()));
  const std::string path = dir / "tandem_x.bin";
  ASSERT_EQ(::symlink((dir / "real.bin").c_str(), path.c_str()), 0);
  const auto result = read_cache_file(path, header);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
  EXPECT_EQ(result.reason, "not a regular file (symbolic link)");
}

TEST(CacheFileOnDisk, WritableByOthersIsUntrusted) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  const CacheFileHeader header = sample_header();
  write_bytes(path, serialize_cache(header, sample_entries()), 0666);
  auto result = read_cache_file(path, header);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Untrusted);
  EXPECT_EQ(result.reason, "writable by group or others (mode 0666)");
  EXPECT_TRUE(result.entries.empty());
  ::chmod(path.c_str(), 0620);
  EXPECT_EQ(read_cache_file(path, header).reason, "writable by group or others (mode 0620)");
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(read_cache_file(path, header).outcome, CacheLoadOutcome::Loaded);
}

TEST(CacheFileOnDisk, OwnedByAnotherUserIsUntrusted) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another uid needs root";
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  const CacheFileHeader header = sample_header();
  write_bytes(path, serialize_cache(header, sample_entries()));
  ASSERT_EQ(::chown(path.c_str(), 1001, 1001), 0);
  const auto result = read_cache_file(path, header);
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Untrusted);
  EXPECT_EQ(result.reason, "owned by uid 1001, not 0");
}

// Runs read_cache_file as an unprivileged uid in a child; returns "outcome|reason".
std::string read_as_nobody(const std::string& path, const CacheFileHeader& header) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    std::string answer = "setuid failed";
    if (::setgid(65534) == 0 && ::setuid(65534) == 0) {
      const auto result = read_cache_file(path, header);
      answer = std::to_string(static_cast<int>(result.outcome)) + "|" + result.reason;
    }
    const ssize_t ignored = ::write(fds[1], answer.data(), answer.size());
    (void)ignored;
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string answer;
  char buffer[256];
  for (ssize_t got; (got = ::read(fds[0], buffer, sizeof buffer)) > 0;) answer.append(buffer, got);
  ::close(fds[0]);
  ::waitpid(child, nullptr, 0);
  return answer;
}

TEST(CacheFileOnDisk, UnreadableFileIsCorrupt) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  const CacheFileHeader header = sample_header();
  write_bytes(path, serialize_cache(header, sample_entries()), 0000);
  const std::string corrupt = std::to_string(static_cast<int>(CacheLoadOutcome::Corrupt));
  if (::geteuid() != 0) {
    const auto result = read_cache_file(path, header);
    EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
    EXPECT_EQ(result.reason, "cannot open: Permission denied");
    return;
  }
  // Root reads a mode-000 file anyway, so read it as uid 65534: a root-owned file is
  // trusted, so the refusal comes from open() itself.
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  EXPECT_EQ(read_as_nobody(path, header), corrupt + "|cannot open: Permission denied");
}

TEST(CacheFileOnDisk, TruncatedFileOnDiskIsCorrupt) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  auto bytes = serialize_cache(sample_header(), sample_entries());
  bytes.resize(100);
  write_bytes(path, bytes);
  const auto result = read_cache_file(path, sample_header());
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Corrupt);
  EXPECT_EQ(result.reason, "truncated at byte 100 (header checksum, 4 bytes needed)");
}

TEST(CacheFileOnDisk, SetAsideMovesTheFileAndReplacesAnOlderOne) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  write_bytes(path, {1, 2, 3});
  write_bytes(path + ".corrupt", {9, 9});
  set_aside_cache_file(path);
  EXPECT_EQ(read_cache_file(path, sample_header()).outcome, CacheLoadOutcome::Missing);
  EXPECT_EQ(read_bytes(path + ".corrupt"), (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_NO_THROW(set_aside_cache_file(path));   // nothing there: nothing to do
}

}  // namespace
}  // namespace tandem
