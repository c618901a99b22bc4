#pragma once
// For the op tests: forces a GEMM tiling (TANDEM_OPENCL_GEMM_TILING, see gemm_tiling.h)
// while in scope, so the GPU configurations run on pocl too, and restores the variable.
#include <cstdlib>
#include <optional>
#include <string>

namespace tandem::opencl::testing {

class ScopedGemmTiling {
 public:
  explicit ScopedGemmTiling(const std::string& tiling) {
    if (const char* old = std::getenv(kVariable)) saved_ = old;
    setenv(kVariable, tiling.c_str(), 1);
  }
  ~ScopedGemmTiling() {
    if (saved_) {
      setenv(kVariable, saved_->c_str(), 1);
    } else {
      unsetenv(kVariable);
    }
  }
  ScopedGemmTiling(const ScopedGemmTiling&) = delete;
  ScopedGemmTiling& operator=(const ScopedGemmTiling&) = delete;

 private:
  static constexpr const char* kVariable = "TANDEM_OPENCL_GEMM_TILING";
  std::optional<std::string> saved_;
};

}  // namespace tandem::opencl::testing
