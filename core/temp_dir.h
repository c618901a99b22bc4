#pragma once
#include <string>

namespace tandem {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction,
// after restoring permissions a scenario may have taken away.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "tandem");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Removes a path of any kind (file, FIFO, directory tree), making directories writable
// first; never throws.
void remove_all_forcibly(const std::string& path);

}  // namespace tandem
