#pragma once
// For the op tests: forces a GEMM tiling (TANDEM_OPENCL_GEMM_TILING, see gemm_tiling.h)
// while in scope, so the GPU configurations run on pocl too, and restores the variable.
#include <string>

#include "core/scoped_environment_test_support.h"

namespace tandem::opencl::testing {

class ScopedGemmTiling : public tandem::testing::ScopedEnvironment {
 public:
  explicit ScopedGemmTiling(const std::string& tiling)
      : ScopedEnvironment("TANDEM_OPENCL_GEMM_TILING", tiling) {}
};

}  // namespace tandem::opencl::testing
