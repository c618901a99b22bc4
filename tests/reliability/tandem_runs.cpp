#include "tests/reliability/tandem_runs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "core/npy.h"
#include "tests/sanitized_child.h"

namespace tandem::reliability {

namespace fs = std::filesystem;

std::string tandem_exe() { return TANDEM_EXE; }

std::string source_path(const std::string& relative) {
  return std::string(TANDEM_SOURCE) + "/" + relative;
}

std::string test_model(const std::string& name) {
  return source_path("tests/reliability/models/" + name);
}

namespace {

// The CPU drivers CI pins (ci/env.sh), so a test never silently picks another one.
void pin_drivers(ChildOptions& options) {
  if (std::getenv("TANDEM_KEEP_DRIVERS")) return;
  const std::string lavapipe = testing::lavapipe_manifest();
  if (!lavapipe.empty()) options.environment.emplace_back("VK_ICD_FILENAMES", lavapipe);
  if (fs::exists("/etc/OpenCL/vendors/pocl.icd")) {
    options.environment.emplace_back("OCL_ICD_FILENAMES", "/etc/OpenCL/vendors/pocl.icd");
  }
}

std::string fnv_hex(const std::string& bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) hash = (hash ^ c) * 0x100000001b3ull;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::string describe_file(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return "gone";
  std::ostringstream text;
  text << "mode " << std::oct << (info.st_mode & 0177777) << std::dec << " uid " << info.st_uid
       << " size " << info.st_size;
  if (S_ISREG(info.st_mode)) {
    std::ifstream in(path, std::ios::binary);
    text << " fnv " << fnv_hex({std::istreambuf_iterator<char>(in), {}});
  }
  return text.str();
}

}  // namespace

ChildOptions tandem_options(const std::vector<std::string>& args, const std::string& cache_dir) {
  static const std::string exe = tandem_exe();
  ChildOptions options;
  options.args = {exe};
  options.args.insert(options.args.end(), args.begin(), args.end());
  pin_drivers(options);
  options.environment.emplace_back("POCL_KERNEL_CACHE", "0");
  std::string joined;
  for (const std::string& arg : args) joined += arg + " ";
  const std::string preload = testing::sanitizer_preload(joined);
  if (!preload.empty()) options.environment.emplace_back("LD_PRELOAD", preload);
  // Drivers' own disk caches (Mesa's shader cache) stay out of the user's home.
  static const ScratchDir driver_caches;
  options.environment.emplace_back("XDG_CACHE_HOME", driver_caches.path());
  options.environment.emplace_back("TANDEM_BACKEND", std::nullopt);
  options.environment.emplace_back("TANDEM_DEVICE", std::nullopt);
  options.environment.emplace_back(
      "TANDEM_CACHE_DIR", cache_dir.empty() ? std::nullopt : std::optional<std::string>(cache_dir));
  return options;
}

void use_pocl_kernel_cache(ChildOptions& options, const std::string& dir) {
  options.environment.emplace_back("POCL_KERNEL_CACHE", "1");
  options.environment.emplace_back("POCL_CACHE_DIR", dir);
}

bool backend_has_device(const std::string& backend) {
  static const nlohmann::json devices = [] {
    const ChildResult result = run_child(tandem_options({"devices", "--json"}, ""));
    try {
      return nlohmann::json::parse(result.out);
    } catch (const nlohmann::json::exception&) {
      return nlohmann::json();
    }
  }();
  if (!devices.contains("backends")) return false;
  for (const auto& entry : devices["backends"]) {
    if (entry.value("backend", "") == backend && entry.contains("devices") &&
        !entry["devices"].empty()) {
      return true;
    }
  }
  return false;
}

std::string TandemRun::cache_status() const {
  return report.is_object() ? report["cache"].value("status", "") : "";
}

std::string TandemRun::cache_path() const {
  return report.is_object() ? report["cache"].value("path", "") : "";
}

int TandemRun::warnings() const {
  int count = 0;
  for (std::size_t at = child.err.find("tandem: warning:"); at != std::string::npos;
       at = child.err.find("tandem: warning:", at + 1)) {
    ++count;
  }
  return count;
}

std::string TandemRun::describe() const {
  return child.how_it_ended() + ", cache " + cache_status() + ", stderr:\n" + child.err;
}

TandemRun parse_run(ChildResult child) {
  TandemRun run;
  run.child = std::move(child);
  if (run.child.exited_cleanly()) {
    try {
      run.report = nlohmann::json::parse(run.child.out);
    } catch (const nlohmann::json::exception&) {
      run.report = nullptr;
    }
  }
  return run;
}

std::vector<std::string> run_args(const std::string& model, const std::string& backend,
                                  const std::string& outputs_dir) {
  return {"run", model, "--backend", backend, "--seed", "3", "--repeat", "0", "--json",
          "--save-outputs", outputs_dir};
}

TandemRun run_tandem_child(const ChildOptions& options) { return parse_run(run_child(options)); }

std::string reference_outputs(const std::string& model) {
  static std::map<std::string, std::unique_ptr<ScratchDir>> computed;
  auto& dir = computed[model];
  if (!dir) {
    dir = std::make_unique<ScratchDir>();
    const TandemRun run =
        run_tandem_child(tandem_options(run_args(model, "reference", dir->path()), ""));
    if (!run.child.exited_cleanly()) {
      throw std::runtime_error("reference run of " + model + " failed: " + run.describe());
    }
  }
  return dir->path();
}

std::string compare_outputs(const std::string& expected_dir, const std::string& actual_dir) {
  std::string problems;
  for (const auto& entry : fs::directory_iterator(expected_dir)) {
    const std::string name = entry.path().filename().string();
    const std::string actual_path = actual_dir + "/" + name;
    if (!fs::exists(actual_path)) {
      problems += name + " missing; ";
      continue;
    }
    const Tensor expected = read_npy(entry.path().string());
    const Tensor actual = read_npy(actual_path);
    if (expected.shape() != actual.shape()) {
      problems += name + " shape " + shape_to_string(actual.shape()) + " != " +
                  shape_to_string(expected.shape()) + "; ";
      continue;
    }
    for (std::int64_t i = 0; i < expected.numel(); ++i) {
      const double e = expected.value_f64(i);
      const double a = actual.value_f64(i);
      if (!(std::abs(a - e) <= 1e-4 + 1e-4 * std::abs(e))) {
        problems += name + "[" + std::to_string(i) + "] = " + std::to_string(a) + ", expected " +
                    std::to_string(e) + "; ";
        break;
      }
    }
  }
  return problems;
}

ScratchDir::ScratchDir() {
  char pattern[] = "/tmp/tandem-reliability-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  // Tests take permissions away; give them back so everything can be removed.
  ::chmod(path_.c_str(), 0700);
  for (auto it = fs::recursive_directory_iterator(path_, ignored);
       it != fs::recursive_directory_iterator(); it.increment(ignored)) {
    if (it->is_directory(ignored) && !it->is_symlink(ignored)) {
      ::chmod(it->path().c_str(), 0700);
    }
  }
  fs::remove_all(path_, ignored);
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes,
                      unsigned mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
  }
  ::chmod(path.c_str(), mode);
}

std::map<std::string, std::string> snapshot_tree(const std::string& root) {
  std::map<std::string, std::string> files;
  files[root] = describe_file(root);
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    files[it->path().string()] = describe_file(it->path().string());
  }
  return files;
}

std::string snapshot_difference(const std::map<std::string, std::string>& before,
                                const std::map<std::string, std::string>& after) {
  std::string difference;
  for (const auto& [path, was] : before) {
    const auto now = after.find(path);
    if (now == after.end()) {
      difference += path + ": removed\n";
    } else if (now->second != was) {
      difference += path + ": " + was + " -> " + now->second + "\n";
    }
  }
  for (const auto& [path, now] : after) {
    if (!before.count(path)) difference += path + ": created (" + now + ")\n";
  }
  return difference;
}

}  // namespace tandem::reliability
