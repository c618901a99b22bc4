#pragma once
#include <string>
#include <vector>

#include "conformance/case.h"
#include "conformance/case_graph.h"
#include "conformance/results.h"
#include "core/backend.h"

namespace tandem::conformance {

// The reference side of a case, computed once per run and shared by every backend and
// device: the built graph, its inputs and the float64 outputs.
struct PreparedCase {
  const Case* spec = nullptr;
  BuiltCase built;
  std::vector<Tensor> expected;
  // The reference again with every float32 denormal input flushed to a zero of its sign,
  // when the tolerance allows flushing and an input holds a denormal; empty otherwise.
  // Devices may flush denormal operands (NVIDIA's Vulkan driver does), so sqrt(1e-39) may be
  // 0 there: each element may match either reference.
  std::vector<Tensor> expected_inputs_flushed;
  std::string skip_reason;  // the core cannot run it (op not implemented, model absent)
  std::string error;        // the case itself is broken: it fails everywhere
  double reference_ms = 0.0;
};

// Never throws: problems land in skip_reason or error.
PreparedCase prepare_case(const Case& c, const std::string& root);

// A CaseResult naming the case, with outcome Skip and no reason yet.
CaseResult blank_result(const Case& c);

// Plans the case for the backend (its fusions and alignment), compiles it for `device`,
// runs it and compares with the reference. Unsupported from the backend is a skip with its
// message; any other error is a failure. Never throws. `outputs` receives the device's
// outputs when given (for cross-backend parity).
CaseResult run_case(const PreparedCase& prepared, Backend& backend, const DeviceInfo& device,
                    const CompileOptions& options, std::vector<Tensor>* outputs = nullptr);

// The outputs of `backend` for `prepared` on `device`, or an exception: for callers that
// handle errors themselves (the cache scenarios).
std::vector<Tensor> compile_and_run(const PreparedCase& prepared, Backend& backend,
                                    const DeviceInfo& device, const CompileOptions& options,
                                    CacheReport* report = nullptr);

}  // namespace tandem::conformance
