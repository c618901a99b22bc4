#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "conformance/cache_tampering.h"
#include "conformance/case_execution.h"
#include "conformance/results.h"
#include "core/backend.h"

namespace tandem::conformance {

// What the file at the cache path must look like once the backend is done.
enum class AfterRun { ValidFile, Untouched, NoFile };

// One cache scenario: what is planted at the cache path, how the cache is configured, and
// what the backend must report.
struct CacheScenario {
  std::string name;                                    // "truncated_at_12"
  std::optional<std::vector<std::uint8_t>> bytes;      // written to the cache path first
  std::function<void(const std::string& path)> plant;  // then this (mkfifo, chmod ...)
  // What the container must make of `bytes`; the status the backend must report then
  // follows from it (loaded: hit, mismatch: invalidated, corrupt/untrusted: recovered).
  std::vector<CacheLoadOutcome> container_must;
  std::vector<std::string> statuses;         // acceptable statuses; empty: from the container
  std::vector<std::string> reason_mentions;  // one must appear in the reason (any case)
  CacheMode mode = CacheMode::ReadWrite;
  bool read_only_dir = false;
  bool identical_to_cold = false;  // outputs bit-identical to the cold run's
  AfterRun after = AfterRun::ValidFile;
  std::function<std::string(const std::string& path)> extra_check;  // a problem, or ""
  std::string skip_reason;
};

// What the cold run established: where the backend keeps its file and what it holds.
struct CacheBaseline {
  std::string file_name;
  CacheImage image;
  std::vector<Tensor> outputs;
};

struct CacheScenarioTarget {
  std::string backend;
  DeviceInfo device;
  const PreparedCase* model = nullptr;
};

// A result named cache/<name> for the model case, outcome Skip.
CaseResult scenario_result(const CacheScenarioTarget& target, const std::string& name);

// The cold run, in a fresh directory: status miss, correct outputs, a valid file. Fills
// `baseline` when it succeeds.
CaseResult run_cold_scenario(const CacheScenarioTarget& target,
                             std::optional<CacheBaseline>& baseline);
// Any other scenario, in its own fresh directory, against the cold run's baseline.
CaseResult run_cache_scenario(const CacheScenarioTarget& target, const CacheScenario& scenario,
                              const CacheBaseline& baseline);

const char* expected_status(CacheLoadOutcome outcome);

}  // namespace tandem::conformance
