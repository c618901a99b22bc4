#include "conformance/cache_scenario_run.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "conformance/fifo_watchdog.h"
#include "core/stopwatch.h"
#include "core/temp_dir.h"

namespace tandem::conformance {
namespace {

namespace fs = std::filesystem;

struct Attempt {
  CacheReport report;
  std::vector<Tensor> outputs;
  bool fifo_blocked = false;
};

// A fresh backend instance each time, so nothing survives in memory between runs.
Attempt compile_once(const CacheScenarioTarget& target, const std::string& dir, CacheMode mode,
                     const std::string& watched_path) {
  CompileOptions options;
  options.cache.dir = dir;
  options.cache.mode = mode;
  std::unique_ptr<Backend> backend = BackendRegistry::instance().create(target.backend);
  FifoWatchdog watchdog(watched_path);
  Attempt attempt;
  attempt.outputs =
      compile_and_run(*target.model, *backend, target.device, options, &attempt.report);
  watchdog.stop();
  attempt.fifo_blocked = watchdog.fired();
  return attempt;
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool bitwise_equal(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].info() != b[i].info() || std::memcmp(a[i].raw(), b[i].raw(), a[i].bytes()) != 0)
      return false;
  }
  return true;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : separator) + part;
  return text;
}

void check_outputs(CaseResult& result, const CacheScenarioTarget& target,
                   const std::vector<Tensor>& outputs, std::vector<std::string>& problems) {
  result.comparison = compare_outputs(target.model->expected, outputs, result.tolerance);
  if (!result.comparison.passed) problems.push_back("outputs: " + result.comparison.message);
}

void check_status(const CacheScenario& scenario, const std::vector<std::string>& allowed,
                  const CacheReport& report, std::vector<std::string>& problems) {
  const std::string status = cache_status_name(report.status);
  if (std::find(allowed.begin(), allowed.end(), status) == allowed.end()) {
    problems.push_back("status " + status + " (" + report.reason + "), expected " +
                       join(allowed, " or "));
  }
  if (status != "hit" && status != "miss" && status != "off" && report.reason.empty()) {
    problems.push_back("status " + status + " comes without a reason");
  }
  if (scenario.reason_mentions.empty()) return;
  for (const std::string& word : scenario.reason_mentions) {
    if (lowercase(report.reason).find(lowercase(word)) != std::string::npos) return;
  }
  problems.push_back("reason '" + report.reason +
                     "' names none of: " + join(scenario.reason_mentions, ", "));
}

void check_after(const CacheScenario& scenario, const std::string& path,
                 const CacheBaseline& baseline,
                 const std::optional<std::vector<std::uint8_t>>& before,
                 std::vector<std::string>& problems) {
  std::error_code error;
  if (scenario.after == AfterRun::NoFile) {
    if (fs::exists(fs::symlink_status(path, error)))
      problems.push_back("a cache file was written where none may be");
    return;
  }
  if (scenario.after == AfterRun::Untouched) {
    if (!before) return;
    struct stat info {};
    const bool regular = ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
    if (!regular || read_file_bytes(path) != *before) {
      problems.push_back("the cache file was changed where it must stay untouched");
    }
    return;
  }
  const CacheLoadResult loaded = read_cache_file(path, baseline.image.header);
  if (loaded.outcome != CacheLoadOutcome::Loaded) {
    problems.push_back(std::string("file afterwards: ") + load_outcome_name(loaded.outcome) + ": " +
                       loaded.reason);
  }
}

std::optional<std::vector<std::uint8_t>> regular_file_bytes(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  if (::access(path.c_str(), R_OK) != 0) return std::nullopt;
  return read_file_bytes(path);
}

void finish(CaseResult& result, const std::vector<std::string>& problems,
            const CacheReport& report) {
  result.outcome = problems.empty() ? Outcome::Pass : Outcome::Fail;
  result.reason = problems.empty()
                      ? result.cache_status + (report.reason.empty() ? "" : ": " + report.reason)
                      : join(problems, "; ");
}

// The statuses a scenario accepts, and what the container itself must say of the bytes.
std::vector<std::string> allowed_statuses(const CacheScenario& scenario,
                                          const CacheBaseline& baseline,
                                          std::vector<std::string>& problems) {
  if (!scenario.bytes) return scenario.statuses;
  const CacheLoadResult verdict = parse_cache_bytes(*scenario.bytes, &baseline.image.header);
  const auto& must = scenario.container_must;
  if (!must.empty() && std::find(must.begin(), must.end(), verdict.outcome) == must.end()) {
    problems.push_back(std::string("the container reads these bytes as ") +
                       load_outcome_name(verdict.outcome) +
                       (verdict.reason.empty() ? "" : " (" + verdict.reason + ")"));
  }
  if (!scenario.statuses.empty()) return scenario.statuses;
  return {expected_status(verdict.outcome)};
}

}  // namespace

const char* expected_status(CacheLoadOutcome outcome) {
  switch (outcome) {
    case CacheLoadOutcome::Loaded:
      return "hit";
    case CacheLoadOutcome::Missing:
      return "miss";
    case CacheLoadOutcome::Mismatch:
      return "invalidated";
    case CacheLoadOutcome::Corrupt:
    case CacheLoadOutcome::Untrusted:
      return "recovered";
  }
  return "?";
}

CaseResult scenario_result(const CacheScenarioTarget& target, const std::string& name) {
  CaseResult result = blank_result(*target.model->spec);
  result.case_id = "cache/" + name;
  result.family = "cache";
  return result;
}

CaseResult run_cold_scenario(const CacheScenarioTarget& target,
                             std::optional<CacheBaseline>& baseline) {
  CaseResult result = scenario_result(target, "cold");
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> problems;
  CacheReport report;
  try {
    TempDir dir("tandem-cache-scenario");
    Attempt attempt = compile_once(target, dir.path(), CacheMode::ReadWrite, "");
    report = attempt.report;
    result.cache_status = cache_status_name(report.status);
    check_outputs(result, target, attempt.outputs, problems);
    if (report.status != CacheStatus::Miss)
      problems.push_back("status " + result.cache_status + ", expected miss");
    const fs::path path(report.path);
    if (report.path.empty() || path.parent_path() != fs::path(dir.path())) {
      problems.push_back("cache path '" + report.path + "' is not in the cache directory '" +
                         dir.path() + "'");
    } else {
      CacheImage image = parse_cache_image(read_file_bytes(report.path), report.path);
      baseline =
          CacheBaseline{path.filename().string(), std::move(image), std::move(attempt.outputs)};
      const CacheLoadResult loaded = read_cache_file(report.path, baseline->image.header);
      if (loaded.outcome != CacheLoadOutcome::Loaded) {
        problems.push_back(std::string("file afterwards: ") + load_outcome_name(loaded.outcome) +
                           ": " + loaded.reason);
      }
    }
  } catch (const Unsupported& error) {
    result.reason = error.what();
    return result;
  } catch (const std::exception& error) {
    problems.push_back(error.what());
  }
  if (!problems.empty()) baseline.reset();
  result.duration_ms = ms_since(start);
  finish(result, problems, report);
  return result;
}

CaseResult run_cache_scenario(const CacheScenarioTarget& target, const CacheScenario& scenario,
                              const CacheBaseline& baseline) {
  CaseResult result = scenario_result(target, scenario.name);
  if (!scenario.skip_reason.empty()) {
    result.reason = scenario.skip_reason;
    return result;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> problems;
  CacheReport report;
  try {
    TempDir dir("tandem-cache-scenario");
    const std::string path = dir.path() + "/" + baseline.file_name;
    const std::vector<std::string> allowed = allowed_statuses(scenario, baseline, problems);
    if (scenario.bytes) write_file_bytes(path, *scenario.bytes);
    if (scenario.plant) scenario.plant(path);
    const std::optional<std::vector<std::uint8_t>> before = regular_file_bytes(path);
    if (scenario.read_only_dir) ::chmod(dir.path().c_str(), 0555);
    Attempt attempt = compile_once(target, dir.path(), scenario.mode, path);
    ::chmod(dir.path().c_str(), 0700);
    report = attempt.report;
    result.cache_status = cache_status_name(report.status);
    if (attempt.fifo_blocked)
      problems.push_back("blocked opening the FIFO at the cache path (released after 10 s)");
    check_outputs(result, target, attempt.outputs, problems);
    if (scenario.identical_to_cold && !bitwise_equal(attempt.outputs, baseline.outputs)) {
      problems.push_back("outputs differ from the cold run's");
    }
    check_status(scenario, allowed, report, problems);
    if (scenario.after != AfterRun::NoFile && report.path != path) {
      problems.push_back("cache path '" + report.path + "', expected '" + path + "'");
    }
    check_after(scenario, path, baseline, before, problems);
    if (scenario.extra_check) {
      const std::string problem = scenario.extra_check(path);
      if (!problem.empty()) problems.push_back(problem);
    }
  } catch (const Unsupported& error) {
    result.reason = error.what();
    return result;
  } catch (const std::exception& error) {
    problems.push_back(error.what());
  }
  result.duration_ms = ms_since(start);
  finish(result, problems, report);
  return result;
}

}  // namespace tandem::conformance
