#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/backend.h"
#include "opencl/cl_handles.h"
#include "opencl/cubin_tier_up.h"
#include "opencl/cubin_upgrade.h"
#include "opencl/device.h"
#include "opencl/node_context.h"
#include "opencl/program_cache.h"
#include "opencl/work_group_tuner.h"

namespace tandem::opencl {

// A plan compiled for one OpenCL device: every node is a prepared dispatch (kernel object
// with its arguments bound) over one arena buffer, replayed in order by run() on an
// in-order queue. run() may be called from several threads; calls are serialised.
// The queue has profiling enabled, and the first and last kernels of a run carry events:
// last_run_device_ms() is the span from the first kernel's start to the last one's end, as
// Vulkan's two timestamps bracket its dispatches. Not an event per kernel: on the H100 each
// added about 8 us to the launch, which the GPU waited for; the example models ran in
// 0.48 and 0.60 ms with one per kernel, 0.22 and 0.26 ms without (r77).
class ClExecutable final : public Executable {
 public:
  // Throws Unsupported naming the node for an op, attribute or dtype not covered, before
  // anything is compiled.
  ClExecutable(const Plan& plan, const ClDevice& device, const CompileOptions& options);
  ~ClExecutable() override;
  ClExecutable(const ClExecutable&) = delete;
  ClExecutable& operator=(const ClExecutable&) = delete;

  std::vector<Tensor> run(const std::vector<Tensor>& inputs) override;
  CacheReport cache_report() const override { return cache_report_; }
  std::optional<double> last_run_device_ms() const override;
  void settle() override { wait_for_rebuilt_kernels(); }
  // What `tuning: auto` did at compile time (all zero when tuning is off).
  const TuningTally& tuning_tally() const { return tuning_tally_; }
  // Programs loaded from cubins are rebuilt from their PTX after the first run
  // (cubin_tier_up.h), and run() switches to those kernels once they exist; this waits for
  // them (starting the rebuild if need be) and switches now. Returns how many dispatches it
  // switched.
  int wait_for_rebuilt_kernels();

 private:
  void write_input(const Tensor& input, std::size_t index, std::vector<Tensor>& converted);
  Tensor read_output(std::size_t index);
  void enqueue(const Dispatch& dispatch, cl_event* event);
  void tune_work_groups(const CacheConfig& cache, const std::vector<CacheEntry>& stored);
  void record_device_time(cl_event first, cl_event last);
  // Writes the deferred binaries and starts linking cubins for NVIDIA's PTX among them and
  // for the PTX loaded without one.
  void save_binaries();
  void prepare_tier_up(std::map<std::string, std::vector<std::uint8_t>> ptx_by_file,
                       std::vector<PendingDispatch> launches);
  int use_rebuilt_kernels();  // with run_mutex_ held; dispatches switched

  Plan plan_;
  ClDevice device_;
  ClContext context_;
  ClCommandQueue queue_;
  std::map<std::string, ProgramRequest> requests_;  // by file
  OpCodeSet op_codes_;  // the unary and binary op codes the programs are built for
  std::map<std::string, ClProgram> programs_;
  DeviceGraph graph_;
  CacheReport cache_report_;
  TuningTally tuning_tally_;
  std::atomic<double> last_device_ms_{-1.0};
  CacheConfig cache_config_;
  DeferredBinaries deferred_;  // written after the first run (see BinarySave)
  std::vector<CacheEntry> ptx_without_cubin_;  // cubins added after the first run
  CubinUpgrade cubin_upgrade_;  // joined on destruction: the next process finds the cubins
  std::mutex run_mutex_;
  // Last, so that it is joined before the context and the buffers its launches bind go.
  CubinTierUp tier_up_;
};

// The checks ClExecutable makes before compiling: every op has an implementation and
// every computed value is float32. Throws Unsupported naming the node or value.
void check_plan_supported(const Plan& plan);

}  // namespace tandem::opencl
