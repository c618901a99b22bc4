#include "core/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/error.h"

namespace tandem {

TempDir::TempDir(const std::string& prefix) {
  std::error_code error;
  std::string base = std::filesystem::temp_directory_path(error).string();
  if (error || base.empty()) base = "/tmp";
  std::string pattern = base + "/" + prefix + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  check(::mkdtemp(buffer.data()) != nullptr,
        "cannot create a temporary directory like '" + pattern + "'");
  path_ = buffer.data();
}

TempDir::~TempDir() { remove_all_forcibly(path_); }

void remove_all_forcibly(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::symlink_status(path, error);
  if (error || !fs::exists(status)) return;
  if (fs::is_directory(status)) {
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, error);
    std::vector<std::string> children;
    for (const auto& entry : fs::directory_iterator(path, error))
      children.push_back(entry.path().string());
    for (const std::string& child : children) remove_all_forcibly(child);
  }
  fs::remove(path, error);
}

}  // namespace tandem
