// update_cache_file: the read-merge-evict-write cycle under the directory's lock.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <numeric>
#include <unordered_map>

#include "core/cache/atomic_file.h"
#include "core/cache/cache_file.h"
#include "core/cache/cache_format.h"
#include "core/cache/file_lock.h"
#include "core/cache/posix_file.h"
#include "core/error.h"
#include "core/log.h"

namespace tandem {

namespace {

std::string file_name_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct DirectoryEntry {
  std::string path;
  struct stat info {};
};

// Regular files of `dir` whose names pass `wanted`; symbolic links and the like are skipped,
// so eviction can never be steered into deleting through a link.
template <typename Predicate>
std::vector<DirectoryEntry> regular_files(const std::string& dir, Predicate wanted) {
  std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), &::closedir);
  if (!handle) fail(dir + ": cannot list the cache directory: " + errno_text(errno));
  std::vector<DirectoryEntry> files;
  while (const dirent* item = ::readdir(handle.get())) {
    const std::string name = item->d_name;
    if (!wanted(name)) continue;
    DirectoryEntry file{dir + "/" + name};
    if (::lstat(file.path.c_str(), &file.info) == 0 && S_ISREG(file.info.st_mode)) {
      files.push_back(std::move(file));
    }
  }
  return files;
}

// Holding the lock means no writer of `path` is alive, so its temporary files are
// leftovers of one that was killed between mkstemp and rename.
void remove_stale_temporary_files(const std::string& path) {
  const std::string prefix = file_name_of(temporary_file_prefix(path));
  auto stale = regular_files(parent_directory(path),
                             [&](const std::string& name) { return starts_with(name, prefix); });
  for (const DirectoryEntry& file : stale) {
    log_debug(file.path + ": removing a temporary file left by an interrupted write");
    ::unlink(file.path.c_str());
  }
}

std::vector<CacheEntry> entries_on_disk(const std::string& path, const CacheFileHeader& header) {
  CacheLoadResult on_disk = read_cache_file(path, header);
  if (on_disk.outcome == CacheLoadOutcome::Loaded) return std::move(on_disk.entries);
  if (on_disk.outcome != CacheLoadOutcome::Missing) {
    log_debug(path + ": replacing the file on disk (" + on_disk.reason + ")");
  }
  return {};
}

std::vector<CacheEntry> union_by_key(const std::vector<CacheEntry>& on_disk,
                                     const std::vector<CacheEntry>& ours) {
  std::vector<CacheEntry> merged = on_disk;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < merged.size(); ++i) index.emplace(merged[i].key, i);
  for (const CacheEntry& entry : ours) {
    const auto [where, fresh] = index.emplace(entry.key, merged.size());
    if (fresh) {
      merged.push_back(entry);
    } else {
      merged[where->second] = entry;
    }
  }
  return merged;
}

// Deletes other tandem cache files in the directory, least recently modified first, until
// `own_bytes` plus what is left fits in `max_bytes`. Returns the bytes they still take.
std::int64_t evict_other_files(const std::string& path, std::int64_t own_bytes,
                               std::int64_t max_bytes) {
  const std::string own_name = file_name_of(path);
  auto others = regular_files(parent_directory(path), [&](const std::string& name) {
    return name != own_name && starts_with(name, "tandem_") && ends_with(name, ".bin");
  });
  std::int64_t others_bytes = 0;
  for (const DirectoryEntry& file : others) others_bytes += file.info.st_size;
  std::sort(others.begin(), others.end(), [](const DirectoryEntry& a, const DirectoryEntry& b) {
    const timespec& x = a.info.st_mtim;
    const timespec& y = b.info.st_mtim;
    if (x.tv_sec != y.tv_sec) return x.tv_sec < y.tv_sec;
    if (x.tv_nsec != y.tv_nsec) return x.tv_nsec < y.tv_nsec;
    return a.path < b.path;
  });
  for (const DirectoryEntry& file : others) {
    if (own_bytes + others_bytes <= max_bytes) break;
    if (::unlink(file.path.c_str()) != 0 && errno != ENOENT) {
      log_warn(file.path + ": cannot evict: " + errno_text(errno));
      continue;
    }
    log_info(file.path + ": evicted to keep the cache directory within " +
             std::to_string(max_bytes) + " bytes");
    others_bytes -= file.info.st_size;
  }
  return others_bytes;
}

// Drops the entries used longest ago until the file fits in `room` bytes.
void evict_entries(const std::string& path, const CacheFileHeader& header,
                   std::vector<CacheEntry>& entries, std::int64_t room) {
  auto size = static_cast<std::int64_t>(serialized_cache_bytes(header, entries));
  if (size <= room) return;
  std::vector<std::size_t> order(entries.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return entries[a].last_used < entries[b].last_used;
  });
  std::vector<bool> dropped(entries.size(), false);
  std::size_t count = 0;
  for (std::size_t i : order) {
    if (size <= room) break;
    size -= static_cast<std::int64_t>(serialized_entry_bytes(entries[i]));
    dropped[i] = true;
    ++count;
  }
  std::vector<CacheEntry> kept;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!dropped[i]) kept.push_back(std::move(entries[i]));
  }
  entries = std::move(kept);
  log_info(path + ": dropped " + std::to_string(count) +
           " least recently used entries to stay within the cache budget");
}

}  // namespace

void update_cache_file(const std::string& path, const CacheFileHeader& header,
                       const std::vector<CacheEntry>& entries, const CacheWriteOptions& options) {
  check(options.max_bytes > 0, path + ": cache budget must be positive, not " +
                                   std::to_string(options.max_bytes) + " bytes");
  make_directories(parent_directory(path), 0700);
  FileLock lock(path + ".lock");
  remove_stale_temporary_files(path);
  const std::vector<CacheEntry> on_disk = entries_on_disk(path, header);
  std::vector<CacheEntry> merged =
      options.merge ? options.merge(on_disk, entries) : union_by_key(on_disk, entries);
  const auto own_bytes = static_cast<std::int64_t>(serialized_cache_bytes(header, merged));
  const std::int64_t others_bytes = evict_other_files(path, own_bytes, options.max_bytes);
  evict_entries(path, header, merged, options.max_bytes - others_bytes);
  const std::vector<std::uint8_t> bytes = serialize_cache(header, merged);
  write_file_atomically(path, {std::span<const std::uint8_t>(bytes)}, 0600);
}

}  // namespace tandem
