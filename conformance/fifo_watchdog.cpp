#include "conformance/fifo_watchdog.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tandem::conformance {

FifoWatchdog::FifoWatchdog(const std::string& path, std::chrono::milliseconds grace) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || !S_ISFIFO(info.st_mode)) return;
  thread_ = std::thread([this, path, grace] { watch(path, grace); });
}

void FifoWatchdog::stop() {
  done_ = true;
  if (thread_.joinable()) thread_.join();
}

void FifoWatchdog::watch(const std::string& path, std::chrono::milliseconds grace) {
  const auto tick = std::chrono::milliseconds(20);
  for (auto waited = std::chrono::milliseconds(0); waited < grace; waited += tick) {
    if (done_) return;
    std::this_thread::sleep_for(tick);
  }
  while (!done_) {
    // The backend may have renamed the FIFO aside before it opened it.
    for (const std::string& candidate : {path, path + ".corrupt"}) {
      const int fd = ::open(candidate.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd < 0) continue;
      fired_ = true;
      ::close(fd);
    }
    std::this_thread::sleep_for(tick);
  }
}

}  // namespace tandem::conformance
