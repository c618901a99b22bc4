#pragma once
#include <string>

#include "core/embedded_file.h"

namespace tandem::opencl_kernels {
// Generated at build time from kernels/*.cl (cmake/EmbedFiles.cmake).
extern const tandem::EmbeddedFile kEmbeddedFiles[];
extern const int kEmbeddedFileCount;
}  // namespace tandem::opencl_kernels

namespace tandem::opencl {

// The embedded OpenCL C source named `file` ("conv.cl"); throws Error if there is none.
const EmbeddedFile& kernel_source(const std::string& file);

}  // namespace tandem::opencl
