#pragma once
#include <functional>
#include <string>
#include <vector>

#include "conformance/case.h"
#include "conformance/case_execution.h"
#include "conformance/results.h"

namespace tandem::conformance {

// The small model every cache scenario compiles: Conv (3 -> 4 channels, 3x3, pad 1) with
// bias, Relu, then Add of a second input. Three programs/pipelines, seconds to build.
Case cache_model_case();

using CaseSelector = std::function<bool(const std::string& case_id)>;
using ResultSink = std::function<void(const CaseResult&)>;

// Runs the cache scenarios (docs/conformance.md, "Cache scenarios") for one backend and
// device, each in a fresh temporary cache directory with a fresh backend instance: cold
// then warm, stale entries, every identity field changed, engine and format version
// bumps, truncations at every header field boundary and at random offsets, flipped bits,
// empty/random/directory/FIFO/unreadable files, read-only directory and modes. Each ends
// with outputs checked against the reference, the status and reason the backend reported,
// and the file left valid (or untouched where nothing may be written). After the cold
// run, scenarios run on up to `jobs` threads (each has its own directory and backend);
// `sink` hears of each result as it finishes, from any of them. Results come back in
// scenario order. Never throws.
std::vector<CaseResult> run_cache_scenarios(const std::string& backend, const DeviceInfo& device,
                                            const PreparedCase& model, const CaseSelector& selected,
                                            const ResultSink& sink, int jobs = 1);

// About how many results run_cache_scenarios reports, for progress bars.
int cache_scenario_estimate();

}  // namespace tandem::conformance
