#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "opencl/cl_handles.h"

namespace tandem::opencl {

// Compiles OpenCL C for one device. Throws Error naming `file` with the first line of the
// build log (the whole log goes to the debug log).
ClProgram build_from_source(cl_context context, cl_device_id device, const std::string& file,
                            std::string_view source, const std::string& options);

// Loads a driver binary and builds it. A binary can be rejected at create (pocl), at build
// (NVIDIA's PTX) or only when kernels are made from it, so all three are checked; on any
// failure the result is empty and `why` says what went wrong.
ClProgram build_from_binary(cl_context context, cl_device_id device,
                            const std::vector<std::uint8_t>& binary, const std::string& options,
                            std::string& why);

// The device binary of a built program (empty if the driver offers none).
std::vector<std::uint8_t> program_binary(cl_program program);

}  // namespace tandem::opencl
