// update_cache_file: directory creation, merging under the lock, concurrent writers,
// atomicity when the write fails, and eviction of other files and of old entries.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <random>
#include <set>

#include "core/cache/cache_file.h"
#include "core/cache/test_scratch_directory.h"
#include "core/error.h"

namespace tandem {
namespace {

using testing::read_bytes;
using testing::ScratchDirectory;
using testing::write_bytes;

CacheFileHeader sample_header() {
  CacheFileHeader header;
  header.kind = "vulkan-pipeline-cache";
  header.engine_version = "0.1.0";
  header.identity = {{"vendor_id", "0x10005"}, {"driver_version", "23.2.1"}};
  return header;
}

CacheEntry random_entry(std::mt19937& rng, const std::string& key, std::size_t size,
                        std::int64_t last_used) {
  CacheEntry entry{key, std::vector<std::uint8_t>(size), last_used};
  for (auto& byte : entry.payload) byte = static_cast<std::uint8_t>(rng());
  return entry;
}

std::vector<CacheEntry> load(const std::string& path) {
  auto result = read_cache_file(path, sample_header());
  EXPECT_EQ(result.outcome, CacheLoadOutcome::Loaded) << result.reason;
  return result.entries;
}

std::set<std::string> keys_of(const std::vector<CacheEntry>& entries) {
  std::set<std::string> keys;
  for (const CacheEntry& entry : entries) keys.insert(entry.key);
  return keys;
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& item : std::filesystem::directory_iterator(dir)) {
    names.push_back(item.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

unsigned mode_of(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(CacheUpdate, CreatesTheDirectoryAndAPrivateFile) {
  ScratchDirectory dir;
  const std::string path = dir / "a/b/tandem_x.bin";
  std::mt19937 rng(1);
  const std::vector<CacheEntry> entries = {random_entry(rng, "k1", 100, 5)};
  update_cache_file(path, sample_header(), entries, {});
  EXPECT_EQ(mode_of(dir / "a"), 0700u);
  EXPECT_EQ(mode_of(dir / "a/b"), 0700u);
  EXPECT_EQ(mode_of(path), 0600u);
  const auto loaded = load(path);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].payload, entries[0].payload);
  EXPECT_EQ(loaded[0].last_used, 5);
  // Only the file and its lock remain: no temporary file is left behind.
  EXPECT_EQ(names_in(dir / "a/b"), (std::vector<std::string>{"tandem_x.bin", "tandem_x.bin.lock"}));
}

TEST(CacheUpdate, UnionByKeyWithOursWinning) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  std::mt19937 rng(2);
  const CacheEntry a = random_entry(rng, "a", 10, 1);
  const CacheEntry b_old = random_entry(rng, "b", 10, 2);
  const CacheEntry b_new = random_entry(rng, "b", 12, 3);
  const CacheEntry c = random_entry(rng, "c", 7, 4);
  update_cache_file(path, sample_header(), {a, b_old}, {});
  update_cache_file(path, sample_header(), {b_new, c}, {});
  const auto loaded = load(path);
  ASSERT_EQ(loaded.size(), 3u);
  EXPECT_EQ(loaded[0].key, "a");
  EXPECT_EQ(loaded[0].payload, a.payload);
  EXPECT_EQ(loaded[1].key, "b");
  EXPECT_EQ(loaded[1].payload, b_new.payload);
  EXPECT_EQ(loaded[1].last_used, 3);
  EXPECT_EQ(loaded[2].key, "c");
  EXPECT_EQ(loaded[2].payload, c.payload);
}

TEST(CacheUpdate, CustomMergeSeesWhatIsOnDisk) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  std::mt19937 rng(3);
  update_cache_file(path, sample_header(), {random_entry(rng, "old", 10, 1)}, {});
  CacheWriteOptions options;
  std::vector<std::string> seen;
  options.merge = [&](const std::vector<CacheEntry>& on_disk, const std::vector<CacheEntry>& ours) {
    for (const CacheEntry& entry : on_disk) seen.push_back(entry.key);
    return ours;   // e.g. a Vulkan pipeline cache blob replaces the old one whole
  };
  update_cache_file(path, sample_header(), {random_entry(rng, "new", 10, 2)}, options);
  EXPECT_EQ(seen, std::vector<std::string>{"old"});
  EXPECT_EQ(keys_of(load(path)), std::set<std::string>{"new"});
  options.merge = [](const std::vector<CacheEntry>&, const std::vector<CacheEntry>& ours) {
    return std::vector<CacheEntry>{ours[0], ours[0]};
  };
  EXPECT_THROW(update_cache_file(path, sample_header(), {random_entry(rng, "x", 1, 1)}, options),
               Error);
  EXPECT_EQ(keys_of(load(path)), std::set<std::string>{"new"});
}

TEST(CacheUpdate, CorruptOrForeignFileOnDiskIsReplaced) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  std::mt19937 rng(4);
  write_bytes(path, {'g', 'a', 'r', 'b', 'a', 'g', 'e'});
  update_cache_file(path, sample_header(), {random_entry(rng, "a", 10, 1)}, {});
  EXPECT_EQ(keys_of(load(path)), std::set<std::string>{"a"});
  CacheFileHeader other = sample_header();
  other.identity[1].second = "24.0.0";   // a driver update
  update_cache_file(path, other, {random_entry(rng, "b", 10, 1)}, {});
  const auto result = read_cache_file(path, other);
  ASSERT_EQ(result.outcome, CacheLoadOutcome::Loaded);
  EXPECT_EQ(keys_of(result.entries), std::set<std::string>{"b"});
}

TEST(CacheUpdate, LeftoverTemporaryFilesAreRemoved) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  write_bytes(path + ".tmp.a1b2c3", {1, 2, 3});
  write_bytes(dir / "tandem_y.bin.tmp.a1b2c3", {1, 2, 3});   // another file's: not ours
  std::mt19937 rng(5);
  update_cache_file(path, sample_header(), {random_entry(rng, "a", 10, 1)}, {});
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"tandem_x.bin", "tandem_x.bin.lock",
                                                            "tandem_y.bin.tmp.a1b2c3"}));
}

// Children released together through a pipe, each writing its own keys many times.
TEST(CacheUpdate, ConcurrentWritersKeepEveryonesEntries) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  constexpr int kWriters = 4;
  constexpr int kRounds = 8;
  int gate[2];
  ASSERT_EQ(::pipe(gate), 0);
  std::vector<pid_t> children;
  for (int writer = 0; writer < kWriters; ++writer) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(gate[1]);
      char go;
      if (::read(gate[0], &go, 1) != 0) ::_exit(3);   // blocks until the parent closes
      std::mt19937 rng(100 + writer);
      try {
        for (int round = 0; round < kRounds; ++round) {
          const std::string key = "w" + std::to_string(writer) + "r" + std::to_string(round);
          update_cache_file(path, sample_header(), {random_entry(rng, key, 2000, round)}, {});
        }
      } catch (const Error&) {
        ::_exit(2);
      }
      ::_exit(0);
    }
    children.push_back(child);
  }
  ::close(gate[0]);
  ::close(gate[1]);   // every child's read() returns 0 now: all start at once
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  const auto loaded = load(path);
  std::set<std::string> expected;
  for (int writer = 0; writer < kWriters; ++writer) {
    for (int round = 0; round < kRounds; ++round) {
      expected.insert("w" + std::to_string(writer) + "r" + std::to_string(round));
    }
  }
  EXPECT_EQ(keys_of(loaded), expected);
}

// RLIMIT_FSIZE makes the write fail part-way (EFBIG) in a child, as a full disk would.
TEST(CacheUpdate, AFailedWriteLeavesTheOldFileIntact) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_x.bin";
  std::mt19937 rng(6);
  const CacheEntry original = random_entry(rng, "original", 300, 1);
  update_cache_file(path, sample_header(), {original}, {});
  const auto before = read_bytes(path);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);   // get EFBIG from write() instead of being killed
    const rlimit limit{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    std::mt19937 child_rng(7);
    try {
      update_cache_file(path, sample_header(), {random_entry(child_rng, "big", 100000, 2)}, {});
    } catch (const Error& error) {
      const bool names_path = std::string(error.what()).find(path) != std::string::npos;
      ::_exit(names_path ? 0 : 4);
    }
    ::_exit(5);   // the write should not have succeeded
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"tandem_x.bin", "tandem_x.bin.lock"}));
}

void write_other_file(const std::string& path, std::size_t size, std::time_t mtime) {
  write_bytes(path, std::vector<std::uint8_t>(size, 0x5A));
  const timespec times[2] = {{mtime, 0}, {mtime, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

TEST(CacheUpdate, EvictsOtherCacheFilesOldestFirst) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_ours.bin";
  write_other_file(dir / "tandem_old.bin", 10000, 1000000);
  write_other_file(dir / "tandem_middle.bin", 10000, 2000000);
  write_other_file(dir / "tandem_new.bin", 10000, 3000000);
  write_other_file(dir / "notes.txt", 50000, 500);             // not a cache file
  write_other_file(dir / "tandem_keep.bin.corrupt", 50000, 500);
  std::mt19937 rng(8);
  // Our file is a little over 5000 bytes: with a 26000-byte budget two others fit.
  CacheWriteOptions options;
  options.max_bytes = 26000;
  update_cache_file(path, sample_header(), {random_entry(rng, "a", 5000, 1)}, options);
  EXPECT_EQ(names_in(dir.path()),
            (std::vector<std::string>{"notes.txt", "tandem_keep.bin.corrupt",
                                      "tandem_middle.bin", "tandem_new.bin", "tandem_ours.bin",
                                      "tandem_ours.bin.lock"}));
  options.max_bytes = 16000;
  update_cache_file(path, sample_header(), {}, options);
  EXPECT_EQ(names_in(dir.path()),
            (std::vector<std::string>{"notes.txt", "tandem_keep.bin.corrupt", "tandem_new.bin",
                                      "tandem_ours.bin", "tandem_ours.bin.lock"}));
  EXPECT_EQ(keys_of(load(path)), std::set<std::string>{"a"});
}

TEST(CacheUpdate, DropsLeastRecentlyUsedEntriesWhenOthersAreGone) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem_ours.bin";
  write_other_file(dir / "tandem_other.bin", 3000, 1000000);
  std::mt19937 rng(9);
  const std::vector<CacheEntry> entries = {
      random_entry(rng, "used-40", 1000, 40), random_entry(rng, "used-10", 1000, 10),
      random_entry(rng, "used-30", 1000, 30), random_entry(rng, "used-20", 1000, 20)};
  CacheWriteOptions options;
  options.max_bytes = 2500;   // room for two 1000-byte entries and the header, nothing else
  update_cache_file(path, sample_header(), entries, options);
  EXPECT_EQ(names_in(dir.path()),
            (std::vector<std::string>{"tandem_ours.bin", "tandem_ours.bin.lock"}));
  const auto loaded = load(path);
  EXPECT_EQ(keys_of(loaded), (std::set<std::string>{"used-40", "used-30"}));
  EXPECT_LE(std::filesystem::file_size(path), 2500u);
  // Order on disk is the merge order, not the eviction order.
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].key, "used-40");
  EXPECT_EQ(loaded[1].key, "used-30");
}

TEST(CacheUpdate, RejectsANonPositiveBudgetAndANonDirectoryParent) {
  ScratchDirectory dir;
  CacheWriteOptions options;
  options.max_bytes = 0;
  EXPECT_THROW(update_cache_file(dir / "tandem_x.bin", sample_header(), {}, options), Error);
  write_bytes(dir / "file", {1});
  try {
    update_cache_file(dir / "file/tandem_x.bin", sample_header(), {}, {});
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), dir / "file" + ": exists but is a regular file, "
                                                         "not a directory");
  }
}

}  // namespace
}  // namespace tandem
