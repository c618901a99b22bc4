#pragma once
// The OpenCL baseline: CLBlast's SGEMM on the OpenCL device tandem uses (matched by name),
// on buffers of its own, timed by wall clock around each call and clFinish.
#include <memory>
#include <optional>
#include <string>

#include "bench/harness.h"

namespace tandem::bench {

class ClblastSgemm {
 public:
  // nullptr (with `why` set) when no OpenCL device has this name or CLBlast cannot run there.
  static std::unique_ptr<ClblastSgemm> open(const std::string& device_name, std::string& why);
  ~ClblastSgemm();
  ClblastSgemm(const ClblastSgemm&) = delete;
  ClblastSgemm& operator=(const ClblastSgemm&) = delete;

  // Row-major C[m, n] = A[m, k] x B[k, n] on seeded random operands. The first call of a
  // shape includes CLBlast's kernel compilation: first_call_ms reports it.
  Measurement run(std::int64_t m, std::int64_t n, std::int64_t k, const MeasureOptions& options,
                  double& first_call_ms);

 private:
  struct State;
  explicit ClblastSgemm(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tandem::bench
