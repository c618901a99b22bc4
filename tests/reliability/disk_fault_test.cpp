// Disk full and permission faults (issue 7.4): a cache write that fails - file size limit
// (RLIMIT_FSIZE, the way a full disk stops a writer), a full tmpfs (ENOSPC), a directory the
// user may not write (EACCES), a read-only mount (EROFS) - costs one warning; the run still
// succeeds with the reference's outputs and the old cache file, and everything else in the
// cache directory, is left exactly as it was.
//
// The old file is a valid cache from an older engine version, so every backend wants to
// replace it (OpenCL recompiles its programs, Vulkan rewrites a stale pipeline cache).
#include <grp.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/cache/cache_file.h"
#include "tests/reliability/tandem_runs.h"

namespace tandem::reliability {
namespace {

namespace fs = std::filesystem;

// The model with the smallest output, so that its .npy fits under a file size limit that
// the cache file does not.
const char* const kModel = "gemm_softmax.onnx";
constexpr uid_t kNobody = 65534;
constexpr std::size_t kPaddingBytes = 3 << 20;

// Mounts made here stay in this process and its children: a namespace of its own, with
// propagation to the host's mounts turned off. Empty when that is not allowed here.
std::string private_mount_namespace() {
  static const std::string problem = []() -> std::string {
    if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare: ") + std::strerror(errno);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      return std::string("mount --make-rprivate /: ") + std::strerror(errno);
    }
    return "";
  }();
  return problem;
}

// Unmounts at the end of the test, whether it passed or not.
class MountedAt {
 public:
  explicit MountedAt(std::string path) : path_(std::move(path)) {}
  ~MountedAt() { ::umount2(path_.c_str(), MNT_DETACH); }
  MountedAt(const MountedAt&) = delete;
  MountedAt& operator=(const MountedAt&) = delete;

 private:
  std::string path_;
};

class DiskFaults : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!backend_has_device(GetParam())) GTEST_SKIP() << "no " << GetParam() << " device";
    reference_ = reference_outputs(test_model(kModel));
    fs::create_directories(cache_dir_);
    ::chmod(cache_dir_.c_str(), 0700);
  }

  ChildOptions options(const std::string& outputs) const {
    ChildOptions made = tandem_options(run_args(test_model(kModel), GetParam(), outputs), cache_dir_);
    use_pocl_kernel_cache(made, pocl_cache_.path());
    return made;
  }

  enum class OldCache {
    Stale,    // the file a first run wrote, relabelled as an older engine version's
    Padded,   // this engine's header, with only a kPaddingBytes entry no model asks for
  };

  // Runs once to learn the file's name and header, then replaces the file with the one
  // the faulty run finds and must leave alone. Returns its bytes.
  std::vector<std::uint8_t> plant_old_cache(OldCache kind = OldCache::Stale) {
    const TandemRun first = run_tandem_child(options(scratch_ / "first"));
    if (!first.child.exited_cleanly()) throw std::runtime_error(first.describe());
    cache_file_ = first.cache_path();
    CacheLoadResult current = parse_cache_bytes(read_file_bytes(cache_file_), nullptr);
    if (current.outcome != CacheLoadOutcome::Loaded) throw std::runtime_error(current.reason);
    if (kind == OldCache::Stale) {
      current.header.engine_version = "0.0.1-old";
    } else {
      current.entries = {{"reliability-test|padding", std::vector<std::uint8_t>(kPaddingBytes, 0x6b), 1}};
    }
    const std::vector<std::uint8_t> old = serialize_cache(current.header, current.entries);
    write_file_bytes(cache_file_, old);
    return old;
  }

  // The run succeeds with one warning, correct outputs, and nothing changed in the cache
  // directory.
  void expect_survives(const ChildOptions& faulty, const std::string& outputs,
                       const std::string& fault) {
    const auto before = snapshot_tree(cache_dir_);
    const TandemRun run = run_tandem_child(faulty);
    ASSERT_TRUE(run.child.exited_cleanly()) << fault << ": " << run.describe();
    EXPECT_EQ(run.warnings(), 1) << fault << ": " << run.child.err;
    EXPECT_NE(run.child.err.find(fs::path(cache_file_).filename().string()), std::string::npos)
        << fault << ": the warning should name the cache file: " << run.child.err;
    EXPECT_EQ(compare_outputs(reference_, outputs), "") << fault;
    EXPECT_EQ(snapshot_difference(before, snapshot_tree(cache_dir_)), "") << fault;
    std::printf("%s, %s: %s", GetParam().c_str(), fault.c_str(),
                run.child.err.substr(run.child.err.find("tandem: warning:")).c_str());
  }

  std::string reference_;
  ScratchDir scratch_;
  // One pocl kernel cache for the whole executable: only the first test compiles cold.
  static inline ScratchDir pocl_cache_;
  std::string cache_dir_ = scratch_ / "cache";
  std::string cache_file_;
};

// The limit leaves room for the outputs but not for the new cache file. pocl also writes
// each program's preprocessed source (about 1.1 MB) while it compiles, and LLVM aborts the
// process when that fails: on OpenCL the limit sits above that, and the new file outgrows
// it by keeping a padded old file's entry. The Vulkan backend rightly treats a file without
// its pipeline_cache entry as damaged, so there the old file is the stale one.
TEST_P(DiskFaults, FileSizeLimitStopsTheWrite) {
  const bool pocl = GetParam() == "opencl";
  const std::vector<std::uint8_t> old = plant_old_cache(pocl ? OldCache::Padded : OldCache::Stale);
  const std::string outputs = scratch_ / "out";
  const std::uintmax_t output_bytes = fs::file_size(scratch_ / "first/y.npy");
  const rlim_t limit = pocl ? (2 << 20) : static_cast<rlim_t>(output_bytes + old.size()) / 2;
  ASSERT_LT(output_bytes, limit);
  ASSERT_LT(limit, old.size());
  ChildOptions faulty = options(outputs);
  faulty.before_exec = [limit] {
    // Without SIG_IGN the first write past the limit would kill tandem with SIGXFSZ.
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit size{limit, limit};
    return ::setrlimit(RLIMIT_FSIZE, &size);
  };
  expect_survives(faulty, outputs, "RLIMIT_FSIZE " + std::to_string(limit) + " bytes");
}

TEST_P(DiskFaults, FullFileSystem) {
  if (const std::string problem = private_mount_namespace(); !problem.empty()) {
    GTEST_SKIP() << "cannot mount a small tmpfs here (" << problem << ")";
  }
  const std::vector<std::uint8_t> old = plant_old_cache();
  // A tmpfs just big enough for the old file and its lock, then filled to the last page.
  const std::string full = scratch_ / "full";
  fs::create_directories(full);
  const std::string size = "size=" + std::to_string(old.size() + (64 << 10));
  ASSERT_EQ(::mount("tmpfs", full.c_str(), "tmpfs", 0, size.c_str()), 0) << std::strerror(errno);
  const MountedAt unmount(full);
  fs::copy(cache_dir_, full, fs::copy_options::recursive);
  ::chmod(full.c_str(), 0700);
  std::vector<std::uint8_t> page(4096, 0);
  std::string filler = full + "/filler";
  {
    std::FILE* out = std::fopen(filler.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    while (std::fwrite(page.data(), 1, page.size(), out) == page.size() && std::fflush(out) == 0) {
    }
    std::fclose(out);
  }
  const std::string outputs = scratch_ / "out";
  ChildOptions faulty = options(outputs);
  for (auto& [name, value] : faulty.environment) {
    if (name == "TANDEM_CACHE_DIR") value = full;
  }
  cache_dir_ = full;
  expect_survives(faulty, outputs, "ENOSPC on a full tmpfs");
}

TEST_P(DiskFaults, DirectoryNotWritable) {
  plant_old_cache();
  const std::string outputs = scratch_ / "out";
  ChildOptions faulty = options(outputs);
  if (::geteuid() == 0) {
    // Root writes anywhere: the run becomes `nobody`, who owns the cache but may not add to
    // its directory. It gets a home of its own: pocl needs a writable directory to compile.
    ::chmod(scratch_.path().c_str(), 0711);
    const std::string home = scratch_ / "nobody";
    fs::create_directories(outputs);
    fs::create_directories(home);
    for (const std::string& path : {cache_dir_, outputs, home}) {
      ASSERT_EQ(::chown(path.c_str(), kNobody, kNobody), 0);
    }
    for (const auto& entry : fs::directory_iterator(cache_dir_)) {
      ASSERT_EQ(::chown(entry.path().c_str(), kNobody, kNobody), 0);
    }
    faulty.environment.emplace_back("HOME", home);
    faulty.environment.emplace_back("XDG_CACHE_HOME", home);
    faulty.environment.emplace_back("POCL_CACHE_DIR", home);
    faulty.before_exec = [] {
      if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0) return 1;
      return ::setuid(kNobody);
    };
  }
  ASSERT_EQ(::chmod(cache_dir_.c_str(), 0500), 0);
  expect_survives(faulty, outputs, "EACCES on the cache directory");
}

TEST_P(DiskFaults, ReadOnlyFileSystem) {
  if (const std::string problem = private_mount_namespace(); !problem.empty()) {
    GTEST_SKIP() << "cannot bind-mount read-only here (" << problem << ")";
  }
  plant_old_cache();
  ASSERT_EQ(::mount(cache_dir_.c_str(), cache_dir_.c_str(), nullptr, MS_BIND, nullptr), 0)
      << std::strerror(errno);
  const MountedAt unmount(cache_dir_);
  ASSERT_EQ(::mount(nullptr, cache_dir_.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), 0)
      << std::strerror(errno);
  const std::string outputs = scratch_ / "out";
  expect_survives(options(outputs), outputs, "EROFS on a read-only bind mount");
}

INSTANTIATE_TEST_SUITE_P(Backends, DiskFaults, ::testing::Values("opencl", "vulkan"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace tandem::reliability
