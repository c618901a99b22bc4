#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace tandem {

// Owns one POSIX file descriptor; closing is never forgotten on an error path.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();
  // close() whose failure matters (a write-back error can surface only here); 0 or errno.
  int close_reporting_error();

 private:
  int fd_ = -1;
};

// strerror(errno) as a std::string, for "path: what: why" messages.
std::string errno_text(int error_number);

// Writes every byte, retrying short writes and EINTR. Returns 0 or the errno that stopped it.
int write_fully(int fd, std::span<const std::uint8_t> bytes);
// Reads until `bytes` is full or end of file. Returns the count read; -errno on failure.
std::int64_t read_fully(int fd, std::span<std::uint8_t> bytes);

// "directory", "fifo", "symbolic link" ... for messages about a file of the wrong type.
const char* file_type_name(unsigned mode);

}  // namespace tandem
