#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/backend.h"
#include "opencl/cl_handles.h"

namespace tandem::opencl {

// What the kernels and work-group choices need to know about a device.
struct DeviceLimits {
  std::size_t max_work_group_size = 1;
  std::uint64_t local_mem_bytes = 0;
  std::uint64_t max_alloc_bytes = 0;
  std::uint32_t mem_base_align_bytes = 128;
  // CL_DEVICE_MAX_COMPUTE_UNITS; on Intel GPUs the sub-slices (Xe-cores), not the execution
  // units that Intel counts there.
  std::uint32_t compute_units = 1;
  // NVIDIA's (cl_nv_device_attribute_query): the 32-bit registers a compute unit's work-groups
  // share, when its compiler also takes -cl-nv-maxrregcount (cl_nv_compiler_options); 0
  // elsewhere. The driver reports a work-group's limit, the whole register file of a
  // multiprocessor on the H100 (65536); where it is less, the caps come out lower, not wrong.
  std::uint32_t registers_per_unit = 0;
};

// One OpenCL device with the platform it belongs to. `info.identity` holds, in a fixed
// order, every field a compiled binary depends on: a change in any of them makes cached
// programs stale (see docs and FIELD-NOTES "OpenCL program binaries").
struct ClDevice {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  DeviceInfo info;
  DeviceLimits limits;
};

// Every device of every platform the ICD loader knows, in a stable order. Throws Error
// when the loader finds no platform at all; a platform whose devices cannot be listed is
// skipped with a warning.
std::vector<ClDevice> enumerate_devices();

// The device `wanted` names (by index, checked against its name).
ClDevice find_device(const DeviceInfo& wanted);

// A string-valued clGetDeviceInfo query, without its trailing NUL.
std::string device_string(cl_device_id device, cl_device_info param);

}  // namespace tandem::opencl
