#include "core/cache/file_lock.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <memory>
#include <chrono>
#include <thread>

#include "core/cache/test_scratch_directory.h"
#include "core/error.h"

namespace tandem {
namespace {

using testing::ScratchDirectory;

// flock locks belong to the open file, so a second FileLock waits even in the same process.
TEST(FileLock, SecondHolderWaitsForTheFirst) {
  ScratchDirectory dir;
  const std::string path = dir / "x.lock";
  std::atomic<bool> first_released{false};
  std::atomic<bool> second_saw_release{false};
  auto first = std::make_unique<FileLock>(path);
  std::thread second([&] {
    FileLock lock(path);
    second_saw_release = first_released.load();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  first_released = true;
  first.reset();
  second.join();
  EXPECT_TRUE(second_saw_release);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(FileLock, MissingDirectoryIsAnErrorNamingTheFile) {
  ScratchDirectory dir;
  const std::string path = dir / "missing/x.lock";
  try {
    FileLock lock(path);
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              path + ": cannot open lock file: No such file or directory");
  }
}

}  // namespace
}  // namespace tandem
