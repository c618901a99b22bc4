#include "core/cache/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "core/error.h"

namespace tandem {

FileLock::FileLock(const std::string& lock_path)
    : fd_(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
  if (!fd_.valid()) fail(lock_path + ": cannot open lock file: " + errno_text(errno));
  while (::flock(fd_.get(), LOCK_EX) != 0) {
    if (errno != EINTR) fail(lock_path + ": cannot lock: " + errno_text(errno));
  }
}

}  // namespace tandem
