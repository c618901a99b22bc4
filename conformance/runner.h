#pragma once
#include <functional>
#include <string>
#include <vector>

#include "conformance/case.h"
#include "conformance/results.h"
#include "core/config.h"

namespace tandem::conformance {

class Progress;

struct RunnerOptions {
  std::vector<std::string> backends = {"reference", "opencl", "vulkan"};
  DeviceSelector device;         // empty: every device of every backend
  std::string filter;            // ECMAScript regex searched in case ids ("conv/", "Relu_13$")
  int jobs = 1;                  // threads for reference results and for backend/device lanes
  std::string source_root;       // models are found relative to it
  std::string expectations_dir;  // <backend>.yaml skip lists
  std::string cache_dir;         // compiled-kernel cache for the op cases; empty: a fresh temp dir
  bool cache_scenarios = true;   // run the cache scenarios on opencl and vulkan
  Progress* progress = nullptr;  // optional
};

// Runs every case on every selected backend and device and returns one lane per backend
// and device (plus one per matched OpenCL/Vulkan pair of the same physical device). The
// reference result of each case is computed once and shared. A backend whose devices()
// throws is reported unavailable, never failed. Throws Error only for bad options.
RunReport run_conformance(const std::vector<Case>& cases, const RunnerOptions& options);

// The cases whose id matches `filter` (regex search; empty keeps all). Throws Error on a bad regex.
std::vector<const Case*> select_cases(const std::vector<Case>& cases, const std::string& filter);

}  // namespace tandem::conformance
