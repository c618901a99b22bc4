#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/backend.h"
#include "opencl/cl_handles.h"
#include "opencl/device.h"
#include "opencl/node_context.h"

namespace tandem::opencl {

// A plan compiled for one OpenCL device: every node is a prepared dispatch (kernel object
// with its arguments bound) over one arena buffer, replayed in order by run() on an
// in-order queue. run() may be called from several threads; calls are serialised.
class ClExecutable final : public Executable {
 public:
  // Throws Unsupported naming the node for an op, attribute or dtype not covered, before
  // anything is compiled.
  ClExecutable(const Plan& plan, const ClDevice& device, const CompileOptions& options);

  std::vector<Tensor> run(const std::vector<Tensor>& inputs) override;
  CacheReport cache_report() const override { return cache_report_; }

 private:
  void write_input(const Tensor& input, std::size_t index);
  Tensor read_output(std::size_t index);
  void enqueue(const Dispatch& dispatch);

  Plan plan_;
  ClDevice device_;
  ClContext context_;
  ClCommandQueue queue_;
  std::map<std::string, ClProgram> programs_;
  DeviceGraph graph_;
  CacheReport cache_report_;
  std::mutex run_mutex_;
};

// The checks ClExecutable makes before compiling: every op has an implementation and
// every computed value is float32. Throws Unsupported naming the node or value.
void check_plan_supported(const Plan& plan);

}  // namespace tandem::opencl
