#pragma once
// OpenCL 1.2 is the API level every driver we target offers (pocl, NVIDIA, Intel, AMD);
// newer entry points would cost portability for nothing this backend needs.
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include <string>
#include <utility>

namespace tandem::opencl {

// "CL_OUT_OF_RESOURCES (-5)".
std::string cl_error_name(cl_int status);
// Throws Error("<what>: CL_... (-n)") unless status is CL_SUCCESS.
void check_cl(cl_int status, const std::string& what);

// Owns one reference to an OpenCL object and releases it exactly once. Copying is
// deleted (a second owner would need clRetain*, which nothing here wants); moving
// transfers ownership so handles can live in vectors and maps.
template <typename Handle, cl_int (*Release)(Handle)>
class ClHandle {
 public:
  ClHandle() = default;
  explicit ClHandle(Handle handle) : handle_(handle) {}
  ~ClHandle() { reset(); }
  ClHandle(const ClHandle&) = delete;
  ClHandle& operator=(const ClHandle&) = delete;
  ClHandle(ClHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  ClHandle& operator=(ClHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }

  Handle get() const { return handle_; }
  explicit operator bool() const { return handle_ != nullptr; }
  void reset() {
    if (handle_) Release(handle_);
    handle_ = nullptr;
  }

 private:
  Handle handle_ = nullptr;
};

using ClContext = ClHandle<cl_context, clReleaseContext>;
using ClCommandQueue = ClHandle<cl_command_queue, clReleaseCommandQueue>;
using ClProgram = ClHandle<cl_program, clReleaseProgram>;
using ClKernel = ClHandle<cl_kernel, clReleaseKernel>;
using ClMem = ClHandle<cl_mem, clReleaseMemObject>;
using ClEvent = ClHandle<cl_event, clReleaseEvent>;

}  // namespace tandem::opencl
