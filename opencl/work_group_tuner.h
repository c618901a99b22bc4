#pragma once
// Work-group tuning (config `tuning: auto`): for each tunable dispatch (the host chose its
// local size), a few candidate local sizes are timed with profiling events and the fastest
// is kept. Choices live in the compiled-program cache file as entries keyed like the
// binaries (docs/cache-format.md, "Tuning entries"), so the next run times nothing.
#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "core/cache/cache_file.h"
#include "opencl/cl_handles.h"
#include "opencl/device.h"
#include "opencl/node_context.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {

using LocalSize = std::array<std::size_t, 3>;

// "tuning|<kernel>|<program file>|<source hash>|<build options>|<global shape>": a choice
// is reused only for the same kernel source, options and problem shape, so a changed
// kernel invalidates its own entries and nothing else.
std::string tuning_key(const Dispatch& dispatch, const ProgramRequest& program);

// Payload text "64,1,1". Empty when the text is not three positive integers.
std::string local_size_text(const LocalSize& local);
bool parse_local_size(const std::string& text, LocalSize& local);

// CL_DEVICE_MAX_WORK_ITEM_SIZES (a device may report more than 3 dimensions; 3 are read).
LocalSize max_work_item_sizes(const ClDevice& device);
// The local sizes worth timing for `dispatch`: within the kernel's group limit and the
// device's work-item sizes, the host's default first.
std::vector<LocalSize> candidate_local_sizes(const Dispatch& dispatch, const LocalSize& items);

// Sets the local size (and the global, rounded up to whole groups) a dispatch runs with.
void apply_local_size(Dispatch& dispatch, const LocalSize& local);

struct TuningTally {
  int from_cache = 0;  // dispatches that took a stored choice
  int timed = 0;       // distinct kernel+shape keys timed here
  int rejected = 0;    // stored choices that did not fit the kernel's limits (re-tuned)
};

class WorkGroupTuner {
 public:
  // `queue` must have CL_QUEUE_PROFILING_ENABLE. `stored` holds the tuning entries the
  // cache files offered; entries of other keys are ignored.
  WorkGroupTuner(const ClDevice& device, cl_command_queue queue,
                 const std::vector<CacheEntry>& stored);

  // Gives `dispatch` the stored or the fastest local size. Timing launches the kernel with
  // its bound arguments: the caller clears the arena first, so nothing reads garbage.
  void tune(Dispatch& dispatch, const std::string& key);

  const TuningTally& tally() const { return tally_; }
  // Every choice this executable used, with a fresh last_used; empty when nothing was timed
  // (a run that only reused choices has nothing new to write).
  std::vector<CacheEntry> entries_to_write() const;

 private:
  bool valid_for(const Dispatch& dispatch, const LocalSize& local) const;
  LocalSize fastest(Dispatch& dispatch);
  double median_ms(Dispatch& dispatch, const LocalSize& local);

  cl_command_queue queue_;
  std::map<std::string, std::string> stored_;  // key -> payload text
  std::map<std::string, LocalSize> chosen_;    // key -> choice used here
  LocalSize max_item_sizes_;
  TuningTally tally_;
};

}  // namespace tandem::opencl
