#pragma once
// What the reliability tests share: running the tandem binary as a child with a cache
// directory of its own, reading its --json report, checking its outputs against the
// float64 reference, and scratch directories, snapshots and byte helpers for the files.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/reliability/child_process.h"

namespace tandem::reliability {

std::string tandem_exe();
std::string source_path(const std::string& relative);   // under the source tree
std::string test_model(const std::string& name);         // tests/reliability/models/<name>

// The GPU backends whose `tandem devices` list has a device here ("opencl", "vulkan").
bool backend_has_device(const std::string& backend);

// Options for `tandem ARGS...` with the given cache directory (TANDEM_CACHE_DIR) and the
// drivers pinned the way ci/env.sh pins them.
ChildOptions tandem_options(const std::vector<std::string>& args, const std::string& cache_dir);

// Lets pocl keep compiled kernels in `dir` (ci/env.sh turns its cache off): compiling from
// source then takes 0.2 s instead of seconds, for tests that run tandem many times and are
// about tandem's own cache file, not the driver's compiler.
void use_pocl_kernel_cache(ChildOptions& options, const std::string& dir);

struct TandemRun {
  ChildResult child;
  nlohmann::json report;   // the --json report; null if there was none

  std::string cache_status() const;   // "" without a report
  std::string cache_path() const;
  int warnings() const;               // "tandem: warning:" lines on stderr
  std::string describe() const;       // how it ended, stderr, for assertion messages
};

TandemRun parse_run(ChildResult child);
// `tandem run MODEL --backend B --seed 3 --repeat 0 --json --save-outputs OUT`.
std::vector<std::string> run_args(const std::string& model, const std::string& backend,
                                  const std::string& outputs_dir);
TandemRun run_tandem_child(const ChildOptions& options);

// Where the reference backend's outputs for `model` (seed 3) live, computed once per
// test executable into a directory that lasts as long as it does.
std::string reference_outputs(const std::string& model);
// "" when every .npy in `actual_dir` matches the one of the same name in `expected_dir`
// within |a - e| <= 1e-4 + 1e-4 |e|; otherwise what differs.
std::string compare_outputs(const std::string& expected_dir, const std::string& actual_dir);

// A fresh directory under /tmp, removed (after making it writable again) at the end.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::vector<std::uint8_t> read_file_bytes(const std::string& path);
void write_file_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes,
                      unsigned mode = 0600);

// Every file and directory under `root`: type, mode, owner, size and a hash of the
// content, by path. Two equal snapshots mean nothing on disk changed.
std::map<std::string, std::string> snapshot_tree(const std::string& root);
// The differences between two snapshots, one per line; "" when equal.
std::string snapshot_difference(const std::map<std::string, std::string>& before,
                                const std::map<std::string, std::string>& after);

}  // namespace tandem::reliability
