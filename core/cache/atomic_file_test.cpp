// The atomic-write helpers shared by the cache container and the .npy writer.
#include "core/cache/atomic_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "core/cache/test_scratch_directory.h"
#include "core/error.h"

namespace tandem {
namespace {

using testing::read_bytes;
using testing::ScratchDirectory;
using Bytes = std::vector<std::uint8_t>;

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& item : std::filesystem::directory_iterator(dir)) {
    names.push_back(item.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicFile, ParentDirectory) {
  EXPECT_EQ(parent_directory("a/b/c.bin"), "a/b");
  EXPECT_EQ(parent_directory("c.bin"), ".");
  EXPECT_EQ(parent_directory("/c.bin"), "/");
  EXPECT_EQ(parent_directory("/x/c.bin"), "/x");
}

TEST(AtomicFile, MakeDirectoriesCreatesEachLevelWithTheMode) {
  ScratchDirectory dir;
  make_directories(dir / "a/b/c", 0700);
  for (const char* level : {"a", "a/b", "a/b/c"}) {
    struct stat info {};
    ASSERT_EQ(::stat((dir / level).c_str(), &info), 0) << level;
    EXPECT_TRUE(S_ISDIR(info.st_mode));
    EXPECT_EQ(info.st_mode & 0777, 0700u) << level;
  }
  EXPECT_NO_THROW(make_directories(dir / "a/b", 0700));   // already there
  testing::write_bytes(dir / "file", {1});
  try {
    make_directories(dir / "file/sub", 0700);
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              dir / "file" + ": exists but is a regular file, not a directory");
  }
}

TEST(AtomicFile, WritesThePartsAndReplacesTheOldFileWhole) {
  ScratchDirectory dir;
  const std::string path = dir / "out.bin";
  write_file_atomically(path, {Bytes{1, 2, 3}}, 0600);
  // A reader that opened the old file keeps seeing the old bytes: the new file is a new
  // inode renamed over the name, never the old one rewritten in place.
  const int old_fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(old_fd, 0);
  const Bytes head = {9, 8}, tail = {7, 6, 5, 4};
  write_file_atomically(path, {head, tail}, 0640);
  EXPECT_EQ(read_bytes(path), (Bytes{9, 8, 7, 6, 5, 4}));
  std::uint8_t old[8];
  EXPECT_EQ(::pread(old_fd, old, sizeof old, 0), 3);
  EXPECT_EQ(old[0], 1);
  ::close(old_fd);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, FailureInAMissingDirectoryNamesThePath) {
  ScratchDirectory dir;
  const std::string path = dir / "missing/out.bin";
  try {
    write_file_atomically(path, {Bytes{1}}, 0600);
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              path + ": cannot create a temporary file: No such file or directory");
  }
}

TEST(AtomicFile, AWriteThatFailsPartWayLeavesTheOldFileAndNoTemporary) {
  ScratchDirectory dir;
  const std::string path = dir / "out.bin";
  write_file_atomically(path, {Bytes(100, 0x33)}, 0600);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{1000, 1000};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      write_file_atomically(path, {Bytes(600, 1), Bytes(600, 2)}, 0600);
    } catch (const Error& error) {
      const std::string message = error.what();
      ::_exit(message.find("File too large") != std::string::npos ? 0 : 4);
    }
    ::_exit(5);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(read_bytes(path), Bytes(100, 0x33));
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out.bin"});
}

}  // namespace
}  // namespace tandem
