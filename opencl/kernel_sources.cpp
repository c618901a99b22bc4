#include "opencl/kernel_sources.h"

#include "core/error.h"

namespace tandem::opencl {

const EmbeddedFile& kernel_source(const std::string& file) {
  for (int i = 0; i < opencl_kernels::kEmbeddedFileCount; ++i) {
    if (file == opencl_kernels::kEmbeddedFiles[i].name) return opencl_kernels::kEmbeddedFiles[i];
  }
  fail("opencl: no embedded kernel source '" + file + "'");
}

}  // namespace tandem::opencl
