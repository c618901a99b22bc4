#pragma once
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace tandem::conformance {

// A backend that opens a FIFO at the cache path for reading blocks until a writer comes.
// After a grace period the watchdog opens the FIFO for writing and closes it again, which
// hands the reader an end-of-file, so the suite reports the hang instead of hanging. That
// open only succeeds while someone holds the FIFO open for reading, so a backend that is
// merely slow (a loaded machine) is not taken for a blocked one. Does nothing unless
// `path` is a FIFO when constructed.
class FifoWatchdog {
 public:
  explicit FifoWatchdog(const std::string& path,
                        std::chrono::milliseconds grace = std::chrono::seconds(10));
  ~FifoWatchdog() { stop(); }
  FifoWatchdog(const FifoWatchdog&) = delete;
  FifoWatchdog& operator=(const FifoWatchdog&) = delete;

  void stop();
  // Whether a reader was found holding the FIFO after the grace period.
  bool fired() const { return fired_; }

 private:
  void watch(const std::string& path, std::chrono::milliseconds grace);

  std::thread thread_;
  std::atomic<bool> done_{false};
  std::atomic<bool> fired_{false};
};

}  // namespace tandem::conformance
