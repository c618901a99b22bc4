#include "opencl/context.h"

#include <map>
#include <mutex>

namespace tandem::opencl {

static ClContext create_context(const ClDevice& device) {
  const cl_context_properties properties[] = {
      CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(device.platform), 0};
  cl_int status = CL_SUCCESS;
  ClContext context(clCreateContext(properties, 1, &device.device, nullptr, nullptr, &status));
  check_cl(status, "opencl: creating a context on '" + device.info.name + "'");
  return context;
}

ClContext shared_context(const ClDevice& device) {
  static std::mutex mutex;
  // Never destroyed: releasing contexts from static destructors races the drivers' own
  // teardown at exit. The process keeps one reference per device until it ends.
  static auto* contexts = new std::map<cl_device_id, ClContext>();
  std::lock_guard lock(mutex);
  auto found = contexts->find(device.device);
  if (found == contexts->end())
    found = contexts->emplace(device.device, create_context(device)).first;
  check_cl(clRetainContext(found->second.get()), "opencl: retaining the context");
  return ClContext(found->second.get());
}

}  // namespace tandem::opencl
