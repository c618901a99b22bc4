// Untrusted cache files (issue 7.5): the cache directory is created private (0700); a cache
// file that another user owns, that group or others may write, or that is not a regular
// file is refused with one warning (as ssh refuses a loose key file) and the programs are
// compiled from source; lengths a file declares are checked against its size before any
// allocation, so a claimed 4 GiB costs no memory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/cache/cache_file.h"
#include "tests/reliability/known_failures.h"
#include "tests/reliability/tandem_runs.h"

namespace tandem::reliability {
namespace {

namespace fs = std::filesystem;

const char* const kModel = "pool_add.onnx";
// Generous: what a run costs beyond its normal peak must stay far below any claimed size.
constexpr long kMemoryAllowanceKb = 64 << 10;

class UntrustedCache : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!backend_has_device(GetParam())) GTEST_SKIP() << "no " << GetParam() << " device";
    reference_ = reference_outputs(test_model(kModel));
    const TandemRun first = run(scratch_ / "first");
    ASSERT_TRUE(first.child.exited_cleanly()) << first.describe();
    ASSERT_EQ(first.cache_status(), "miss") << first.describe();
    cache_file_ = first.cache_path();
    good_bytes_ = read_file_bytes(cache_file_);
    const TandemRun warm = run(scratch_ / "warm");
    ASSERT_EQ(warm.cache_status(), "hit") << warm.describe();
    normal_peak_kb_ = warm.child.max_rss_kb;
  }

  TandemRun run(const std::string& outputs, std::function<int()> before_exec = {}) const {
    ChildOptions options = tandem_options(run_args(test_model(kModel), GetParam(), outputs), cache_dir_);
    use_pocl_kernel_cache(options, pocl_cache_.path());
    options.before_exec = std::move(before_exec);
    return run_tandem_child(options);
  }

  // The planted file is refused with one warning naming it and `why`; the run compiles
  // from source, gives the reference's outputs and leaves a fresh private, valid file.
  void expect_refused(const std::string& why, const std::string& what) {
    const std::string outputs = scratch_ / "refused";
    fs::remove_all(outputs);
    const TandemRun refused = run(outputs);
    ASSERT_TRUE(refused.child.exited_cleanly()) << what << ": " << refused.describe();
    EXPECT_EQ(refused.cache_status(), "recovered") << what << ": " << refused.describe();
    EXPECT_EQ(refused.warnings(), 1) << what << ": " << refused.child.err;
    EXPECT_NE(refused.child.err.find(cache_file_), std::string::npos) << what << ": " << refused.child.err;
    EXPECT_NE(refused.child.err.find(why), std::string::npos) << what << ": " << refused.child.err;
    EXPECT_EQ(compare_outputs(reference_, outputs), "") << what;
    struct stat info {};
    ASSERT_EQ(::lstat(cache_file_.c_str(), &info), 0) << what << ": no cache file rewritten";
    EXPECT_TRUE(S_ISREG(info.st_mode)) << what;
    EXPECT_EQ(info.st_mode & 07777, 0600u) << what;
    EXPECT_EQ(info.st_uid, ::geteuid()) << what;
    EXPECT_EQ(parse_cache_bytes(read_file_bytes(cache_file_), nullptr).outcome, CacheLoadOutcome::Loaded)
        << what;
  }

  void plant(const std::vector<std::uint8_t>& bytes, unsigned mode = 0600) const {
    fs::remove(cache_file_);
    write_file_bytes(cache_file_, bytes, mode);
  }

  std::string reference_;
  ScratchDir scratch_;
  static inline ScratchDir pocl_cache_;
  std::string cache_dir_ = scratch_ / "cache";
  std::string cache_file_;
  std::vector<std::uint8_t> good_bytes_;
  long normal_peak_kb_ = 0;
};

TEST_P(UntrustedCache, DirectoryIsCreatedPrivateWhateverTheUmask) {
  const std::string nested = scratch_ / "new/deeper/cache";
  ChildOptions options = tandem_options(run_args(test_model(kModel), GetParam(), scratch_ / "out"), nested);
  use_pocl_kernel_cache(options, pocl_cache_.path());
  options.before_exec = [] {
    ::umask(0);
    return 0;
  };
  const TandemRun made = run_tandem_child(options);
  ASSERT_TRUE(made.child.exited_cleanly()) << made.describe();
  for (const std::string& dir : {scratch_ / "new", scratch_ / "new/deeper", nested}) {
    struct stat info {};
    ASSERT_EQ(::stat(dir.c_str(), &info), 0) << dir;
    EXPECT_EQ(info.st_mode & 07777, 0700u) << dir;
  }
  for (const auto& entry : fs::directory_iterator(nested)) {
    struct stat info {};
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 077, 0u) << entry.path() << " is open to group or others";
  }
}

TEST_P(UntrustedCache, FileWritableByGroupOrOthersIsRefused) {
  for (unsigned mode : {0620u, 0602u, 0666u}) {
    plant(good_bytes_, mode);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    expect_refused("writable by group or others", std::string("mode ") + octal);
  }
}

TEST_P(UntrustedCache, FileOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
  plant(good_bytes_);
  ASSERT_EQ(::chown(cache_file_.c_str(), 4242, 4242), 0);
  expect_refused("owned by uid 4242", "owner uid 4242");
}

TEST_P(UntrustedCache, SymbolicLinkIsRefusedAndNotWrittenThrough) {
  const std::string elsewhere = scratch_ / "elsewhere.bin";
  write_file_bytes(elsewhere, good_bytes_);
  fs::remove(cache_file_);
  fs::create_symlink(elsewhere, cache_file_);
  expect_refused("symbolic link", "symbolic link");
  EXPECT_TRUE(read_file_bytes(elsewhere) == good_bytes_) << "the link's target was changed";
}

TEST_P(UntrustedCache, FifoIsNeverOpened) {
  fs::remove(cache_file_);
  ASSERT_EQ(::mkfifo(cache_file_.c_str(), 0600), 0);
  // A reader that opened it would block for ever; run() would time out.
  expect_refused("fifo", "fifo");
}

// The file's first lengths claim 4 GiB: the header length, then (in a second file) the
// first entry's payload length. Either is refused as truncated, at no memory cost.
TEST_P(UntrustedCache, ClaimedFourGibibytesCostNoMemory) {
  const CacheLoadResult good = parse_cache_bytes(good_bytes_, nullptr);
  ASSERT_EQ(good.outcome, CacheLoadOutcome::Loaded);
  std::vector<std::uint8_t> huge_header = good_bytes_;
  for (int i = 12; i < 16; ++i) huge_header[static_cast<std::size_t>(i)] = 0xff;
  std::vector<std::uint8_t> huge_payload =
      serialize_cache(good.header, {{good.entries.front().key, {1, 2, 3, 4}, 1}});
  // From the end: file checksum, 4 payload bytes, the entry's 24 fixed bytes and its key.
  const std::size_t key_bytes = good.entries.front().key.size();
  const std::size_t entry_at = huge_payload.size() - 4 - 4 - 24 - key_bytes;
  const std::size_t length_at = entry_at + 4 + key_bytes;   // after key length and key
  const std::uint64_t claimed = 4ull << 30;
  for (int i = 0; i < 8; ++i) {
    huge_payload[length_at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(claimed >> (8 * i));
  }
  const std::string good_copy = scratch_ / "good.bin";
  write_file_bytes(good_copy, good_bytes_);
  const long verify_peak_kb = run_child(tandem_options({"cache", "verify", good_copy}, "")).max_rss_kb;
  for (const auto& [name, bytes] : {std::pair{"header length", huge_header},
                                    std::pair{"payload length", huge_payload}}) {
    plant(bytes);
    const TandemRun refused = run(scratch_ / "refused");
    ASSERT_TRUE(refused.child.exited_cleanly()) << name << ": " << refused.describe();
    EXPECT_EQ(refused.cache_status(), "recovered") << name;
    EXPECT_NE(refused.child.err.find("truncated"), std::string::npos) << name << ": " << refused.child.err;
    EXPECT_LT(refused.child.max_rss_kb, normal_peak_kb_ + kMemoryAllowanceKb)
        << name << ": peak " << refused.child.max_rss_kb << " KB, normally " << normal_peak_kb_;
    std::printf("%s, 4 GiB %s: peak %ld KB (normal run %ld KB)\n", GetParam().c_str(), name,
                refused.child.max_rss_kb, normal_peak_kb_);
    const ChildResult verify = run_child(tandem_options({"cache", "verify", cache_file_ + ".corrupt"}, ""));
    EXPECT_EQ(verify.exit_code, 1) << verify.err;
    EXPECT_LT(verify.max_rss_kb, verify_peak_kb + kMemoryAllowanceKb) << "tandem cache verify";
    std::printf("%s, 4 GiB %s: tandem cache verify peak %ld KB (on the good file %ld KB)\n",
                GetParam().c_str(), name, verify.max_rss_kb, verify_peak_kb);
  }
}

// A sparse file takes no disk, so anyone who can write the directory can make one of any
// size. Its size alone must not decide what a run allocates.
TEST_P(UntrustedCache, SparseFileCostsNoMemory) {
  plant(good_bytes_);
  ASSERT_EQ(::truncate(cache_file_.c_str(), 256 << 20), 0);
  const TandemRun refused = run(scratch_ / "refused");
  ASSERT_TRUE(refused.child.exited_cleanly()) << refused.describe();
  EXPECT_EQ(refused.cache_status(), "recovered");
  std::printf("%s, sparse 256 MiB file: peak %ld KB (normal run %ld KB), %.1f s\n",
              GetParam().c_str(), refused.child.max_rss_kb, normal_peak_kb_, refused.child.seconds);
  const bool cheap = refused.child.max_rss_kb < normal_peak_kb_ + kMemoryAllowanceKb;
  expect_or_known_failure(cheap, "sparse-cache-file-read-whole");
}

INSTANTIATE_TEST_SUITE_P(Backends, UntrustedCache, ::testing::Values("opencl", "vulkan"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace tandem::reliability
