#include "tests/reliability/bad_input.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "core/npy.h"
#include "tests/reliability/known_failures.h"

namespace tandem::reliability {

namespace fs = std::filesystem;

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::vector<std::uint8_t> random_bytes(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<std::uint8_t> bytes(count);
  for (std::uint8_t& byte : bytes) byte = static_cast<std::uint8_t>(random());
  return bytes;
}

// stderr without info and debug logs: what a user reads as the error.
std::vector<std::string> error_lines(const std::string& err) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("tandem: info:", 0) == 0 || line.rfind("tandem: debug:", 0) == 0) continue;
    lines.push_back(line);
  }
  return lines;
}

}  // namespace

BadInputWorkspace& BadInputWorkspace::instance() {
  static BadInputWorkspace workspace;
  return workspace;
}

BadInputWorkspace::BadInputWorkspace() {
  const std::string& d = scratch_.path();
  fs::copy_file(test_model("pool_add.onnx"), d + "/model.onnx");
  const std::vector<std::uint8_t> mobilenet = read_file_bytes(source_path("examples/mobilenet_tiny.onnx"));
  write_file_bytes(d + "/truncated.onnx", {mobilenet.begin(), mobilenet.begin() + mobilenet.size() / 2});
  write_file_bytes(d + "/garbage.bin", random_bytes(4096, 7));
  write_file_bytes(d + "/empty", {});
  write_file_bytes(d + "/existing_file", {'k', 'e', 'e', 'p'});
  fs::create_directories(d + "/dir");
  Tensor x(DType::F32, {1, 4, 8, 8});
  for (std::int64_t i = 0; i < x.numel(); ++i) x.data<float>()[static_cast<std::size_t>(i)] = 0.25f * static_cast<float>(i % 9);
  write_npy(d + "/x.npy", x);
  ::mkfifo((d + "/fifo").c_str(), 0600);
  // A valid cache the cases must leave alone; the GPU backend makes errors that come after
  // compiling reachable too.
  backend_ = backend_has_device("vulkan") ? "vulkan" : backend_has_device("opencl") ? "opencl" : "reference";
  cache_dir_ = d + "/cache";
  const TandemRun good = run_tandem_child(tandem_options(run_args(d + "/model.onnx", backend_, d + "/good"), cache_dir_));
  if (!good.child.exited_cleanly()) throw std::runtime_error("the good model fails: " + good.describe());
  good_peak_kb_ = good.child.max_rss_kb;
}

std::vector<std::string> BadInputWorkspace::expand(const std::vector<std::string>& args,
                                                   const std::string& file) const {
  std::vector<std::string> expanded;
  for (const std::string& arg : args) {
    std::string text = replace_all(arg, "{model}", dir() + "/model.onnx");
    text = replace_all(text, "{file}", file);
    text = replace_all(text, "{backend}", backend_);
    expanded.push_back(replace_all(text, "{dir}", dir()));
  }
  return expanded;
}

std::string BadInputWorkspace::problem_with(const BadInputCase& bad) const {
  const std::string file = dir() + "/case-" + bad.id;
  if (!bad.file_bytes.empty()) {
    const std::string bytes = replace_all(bad.file_bytes, "{dir}", dir());
    write_file_bytes(file, {bytes.begin(), bytes.end()});
  }
  ChildOptions options = tandem_options(expand(bad.args, file), cache_dir_);
  for (const auto& [name, value] : bad.environment) {
    options.environment.emplace_back(name, replace_all(value, "{dir}", dir()));
  }
  const auto before = snapshot_tree(dir());
  const ChildResult result = run_child(options, std::chrono::seconds(bad.timeout_seconds));
  const std::string changed = snapshot_difference(before, snapshot_tree(dir()));
  if (!bad.file_bytes.empty()) fs::remove(file);

  std::string problem;
  if (result.timed_out) return "hung for " + std::to_string(bad.timeout_seconds) + " s";
  if (result.signal != 0) problem += "killed by signal " + std::to_string(result.signal) + "; ";
  if (result.signal == 0 && result.exit_code == 0) problem += "exit 0: the bad input was accepted; ";
  const std::vector<std::string> lines = error_lines(result.err);
  if (lines.size() != 1) {
    problem += std::to_string(lines.size()) + " lines on stderr; ";
  } else if (lines[0].rfind("tandem: error: ", 0) != 0) {
    problem += "the line does not start with 'tandem: error: '; ";
  }
  if (result.err.find(bad.names) == std::string::npos) {
    problem += "the error does not name '" + bad.names + "'; ";
  }
  if (bad.max_extra_rss_kb > 0 && result.max_rss_kb > good_peak_kb_ + bad.max_extra_rss_kb) {
    problem += "peak memory " + std::to_string(result.max_rss_kb) + " KB, the good model's " +
               std::to_string(good_peak_kb_) + " KB; ";
  }
  if (!changed.empty()) problem += "changed on disk:\n" + changed;
  if (!problem.empty()) problem += "\nstderr: " + result.err;
  return problem;
}

void check_bad_input(const BadInputCase& bad) {
  const std::string problem = BadInputWorkspace::instance().problem_with(bad);
  if (bad.known_failure) {
    expect_or_known_failure(problem.empty(), bad.known_failure, problem);
  } else {
    EXPECT_EQ(problem, "") << bad.id;
  }
}

}  // namespace tandem::reliability
