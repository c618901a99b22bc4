#pragma once
#include <string>

#include "core/cache/posix_file.h"

namespace tandem {

// An exclusive advisory lock (flock) on `lock_path`, created with mode 0600 if missing,
// held until destruction. flock rather than fcntl locks: fcntl locks belong to the process
// and vanish when any descriptor of the file is closed, and cannot exclude a second thread
// of the same process; flock locks belong to the open file, so two threads or two
// processes that each construct a FileLock exclude each other. The lock file is never
// deleted: removing it while another process waits on it would let a third process lock a
// new file of the same name and both would think they hold the lock.
class FileLock {
 public:
  explicit FileLock(const std::string& lock_path);
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  UniqueFd fd_;
};

}  // namespace tandem
