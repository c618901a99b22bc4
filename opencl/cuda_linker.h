#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tandem::opencl {

// NVIDIA's OpenCL gives a program's binary as PTX, which the driver JIT-compiles with ptxas
// at every load while its own cache is off: 10-400 ms a program on the H100, most of a warm
// start. The same driver also takes the cubin that ptxas makes of that PTX, and loads it in
// under a millisecond (driver 580.159.04). libcuda's linker (cuLink*) makes that cubin;
// libcuda is opened at run time, so tandem neither links against it nor needs it.

// The NN of NVIDIA PTX's ".target sm_NN", or 0 for any other binary (and for targets with
// a suffix, such as sm_90a, which the linker names differently).
int nvidia_ptx_target(const std::vector<std::uint8_t>& binary);

// The cubin of `ptx` for its own target, its registers capped at `max_registers` (0: no cap;
// the program's -cl-nv-maxrregcount, which the PTX does not carry); nullopt, with `why`, when
// libcuda is missing or makes no context, or ptxas fails. Thread-safe. The first call opens
// libcuda and creates a context on device 0 (130 ms on the H100), kept for the life of the
// process.
std::optional<std::vector<std::uint8_t>> link_cubin(const std::vector<std::uint8_t>& ptx,
                                                    int max_registers, std::string& why);

}  // namespace tandem::opencl
