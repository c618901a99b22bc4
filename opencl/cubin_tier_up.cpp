#include "opencl/cubin_tier_up.h"

#include <chrono>
#include <exception>

#include "core/log.h"
#include "core/stopwatch.h"
#include "opencl/program.h"

namespace tandem::opencl {

void CubinTierUp::prepare(cl_context context, const ClDevice& device,
                          std::map<std::string, ProgramToRebuild> programs,
                          std::vector<PendingDispatch> launches,
                          std::vector<std::array<std::size_t, 3>> local_sizes) {
  if (programs.empty()) return;
  work_ = Work{context, device, std::move(programs), std::move(launches), std::move(local_sizes)};
}

void CubinTierUp::start() {
  if (!work_) return;
  thread_ = std::thread([this, work = std::move(*work_)] {
    try {
      rebuild(work);
    } catch (const std::exception& error) {
      // The cubins' kernels stay: slower, but right.
      log_warn(std::string("opencl: programs not rebuilt from PTX: ") + error.what());
      kernels_.clear();
    }
    ready_ = true;
  });
  work_.reset();
}

void CubinTierUp::rebuild(const Work& work) {
  const auto start = std::chrono::steady_clock::now();
  for (const auto& [file, program] : work.programs) {
    std::string why;
    if (ClProgram built = build_from_binary(work.context, work.device.device, program.ptx,
                                            program.build_options, why)) {
      programs_.emplace(file, std::move(built));
    } else {
      log_warn("opencl: cached PTX for " + file + " " + why + "; keeping its cubin");
    }
  }
  kernels_.resize(work.launches.size());
  int swapped = 0;
  for (std::size_t i = 0; i < work.launches.size(); ++i) {
    const auto program = programs_.find(work.launches[i].program);
    if (program == programs_.end()) continue;
    // The JIT's kernel may take more registers than the cubin's, hence fewer work items.
    const auto& local = work.local_sizes[i];
    try {
      Dispatch rebuilt = prepare_dispatch(work.launches[i], program->second.get(), work.device);
      if (local[0] * local[1] * local[2] > rebuilt.group_limit) continue;
      kernels_[i] = std::move(rebuilt.kernel);
      ++swapped;
    } catch (const Unsupported&) {
      continue;  // its fixed group does not fit the JIT's kernel: keep the cubin's
    }
  }
  log_debug("opencl: rebuilt " + std::to_string(programs_.size()) + " programs from PTX for " +
            std::to_string(swapped) + " dispatches in " +
            std::to_string(static_cast<int>(ms_since(start))) + " ms");
}

int CubinTierUp::swap_if_ready(std::vector<Dispatch>& dispatches,
                               std::map<std::string, ClProgram>& programs) {
  if (!ready_) return 0;
  wait();
  int swapped = 0;
  for (std::size_t i = 0; i < kernels_.size() && i < dispatches.size(); ++i) {
    if (!kernels_[i]) continue;
    dispatches[i].kernel = std::move(*kernels_[i]);
    ++swapped;
  }
  for (auto& [file, program] : programs_) programs[file] = std::move(program);
  kernels_.clear();
  programs_.clear();
  return swapped;
}

void CubinTierUp::wait() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace tandem::opencl
