#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "opencl/cl_handles.h"
#include "opencl/device.h"
#include "opencl/node_context.h"

namespace tandem::opencl {

// A warm start loads programs from their cubins, which skips the driver's JIT (under a
// millisecond each instead of 10-400 ms on the H100) but gives slower kernels
// (cubin_upgrade.h). After the first run, this rebuilds those programs from their cached PTX
// through the driver's JIT, on a thread of its own, and the executable swaps the new kernels
// into its dispatches between two runs. NVIDIA's driver holds launches back while it
// JIT-compiles, so the second run waits for the rebuild (606-699 ms on the H100); the first
// result still comes about a second sooner.
struct ProgramToRebuild {
  std::vector<std::uint8_t> ptx;
  std::string build_options;
};

class CubinTierUp {
 public:
  CubinTierUp() = default;
  ~CubinTierUp() { wait(); }
  CubinTierUp(const CubinTierUp&) = delete;
  CubinTierUp& operator=(const CubinTierUp&) = delete;

  // Keeps what start() rebuilds: `programs` by file, and the plan's launches and their
  // dispatches' group sizes, in dispatch order. `context` and every buffer the launches
  // bind must outlive this object.
  void prepare(cl_context context, const ClDevice& device,
               std::map<std::string, ProgramToRebuild> programs,
               std::vector<PendingDispatch> launches,
               std::vector<std::array<std::size_t, 3>> local_sizes);
  // Starts the rebuild on its thread, once (nothing prepared: nothing). Call it after the
  // first run: NVIDIA's driver held back that run's launches while it JIT-compiled.
  void start();
  // Once the rebuild has ended: moves its kernels into `dispatches` and its programs into
  // `programs`, and returns how many dispatches changed. While it runs: nothing, 0.
  int swap_if_ready(std::vector<Dispatch>& dispatches, std::map<std::string, ClProgram>& programs);
  // Blocks until the rebuild has ended; swap_if_ready then swaps.
  void wait();

 private:
  struct Work {
    cl_context context = nullptr;
    ClDevice device;
    std::map<std::string, ProgramToRebuild> programs;
    std::vector<PendingDispatch> launches;
    std::vector<std::array<std::size_t, 3>> local_sizes;
  };
  void rebuild(const Work& work);

  std::optional<Work> work_;  // prepared, not started
  std::thread thread_;
  std::atomic<bool> ready_{false};
  std::map<std::string, ClProgram> programs_;
  std::vector<std::optional<ClKernel>> kernels_;  // by dispatch; empty: keep the cubin's
};

}  // namespace tandem::opencl
