#include "core/cache/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/cache/posix_file.h"
#include "core/error.h"
#include "core/log.h"

namespace tandem {

namespace {

// A temporary file that is unlinked unless it was renamed into place.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::string& final_path) {
    std::string pattern = temporary_file_prefix(final_path) + "XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) fail(final_path + ": cannot create a temporary file: " + errno_text(errno));
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    fd_ = UniqueFd(fd);
    path_ = name.data();
  }
  ~TemporaryFile() {
    fd_.reset();
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  int close() { return fd_.close_reporting_error(); }
  void renamed() { path_.clear(); }

 private:
  UniqueFd fd_;
  std::string path_;
};

void fsync_directory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // Durability only: the new file is already in place, so a failure here is not fatal.
  if (!fd.valid() || ::fsync(fd.get()) != 0) {
    log_warn(dir + ": fsync of the directory failed: " + errno_text(errno));
  }
}

}  // namespace

std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string temporary_file_prefix(const std::string& path) { return path + ".tmp."; }

void make_directories(const std::string& dir, mode_t mode) {
  if (dir.empty()) return;
  struct stat info {};
  if (::stat(dir.c_str(), &info) == 0) {
    check(S_ISDIR(info.st_mode), dir + ": exists but is a " + file_type_name(info.st_mode) +
                                     ", not a directory");
    return;
  }
  const std::string parent = parent_directory(dir);
  if (parent != dir) make_directories(parent, mode);
  if (::mkdir(dir.c_str(), mode) == 0) {
    // mkdir applies the umask; the mode asked for is the mode meant.
    ::chmod(dir.c_str(), mode);
  } else if (errno != EEXIST) {   // EEXIST: another process made it just now, which is fine
    fail(dir + ": cannot create directory: " + errno_text(errno));
  }
}

void write_file_atomically(const std::string& path,
                           std::initializer_list<std::span<const std::uint8_t>> parts,
                           mode_t mode) {
  TemporaryFile temporary(path);
  if (::fchmod(temporary.fd(), mode) != 0) {
    fail(path + ": cannot set the mode of " + temporary.path() + ": " + errno_text(errno));
  }
  for (std::span<const std::uint8_t> part : parts) {
    if (const int error = write_fully(temporary.fd(), part)) {
      fail(path + ": writing " + temporary.path() + " failed: " + errno_text(error));
    }
  }
  if (::fsync(temporary.fd()) != 0) {
    fail(path + ": fsync of " + temporary.path() + " failed: " + errno_text(errno));
  }
  if (const int error = temporary.close()) {
    fail(path + ": closing " + temporary.path() + " failed: " + errno_text(error));
  }
  if (::rename(temporary.path().c_str(), path.c_str()) != 0) {
    fail(path + ": cannot rename " + temporary.path() + " over it: " + errno_text(errno));
  }
  temporary.renamed();
  fsync_directory(parent_directory(path));
}

}  // namespace tandem
