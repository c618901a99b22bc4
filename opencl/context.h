#pragma once
#include "opencl/cl_handles.h"
#include "opencl/device.h"

namespace tandem::opencl {

// A reference to the one context this process keeps per device. Creating a context costs
// over a second on the NVIDIA driver (it sets up a CUDA context), so executables share it;
// each holds its own reference and releases only that.
ClContext shared_context(const ClDevice& device);

}  // namespace tandem::opencl
