#include "opencl/work_group_tuner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/error.h"
#include "core/log.h"
#include "core/stopwatch.h"

namespace tandem::opencl {

namespace {

// Candidates per dimension count. 1D kernels are one work item per element; the 2D and 3D
// shapes keep a row of at least 4 items so that neighbouring items read neighbouring data.
const std::vector<LocalSize>& shapes_for(cl_uint dims) {
  static const std::vector<LocalSize> kShapes[3] = {
      {{32, 1, 1}, {64, 1, 1}, {128, 1, 1}, {256, 1, 1}},
      {{16, 8, 1}, {8, 8, 1}, {32, 4, 1}, {16, 16, 1}, {64, 1, 1}, {32, 8, 1}},
      {{8, 4, 4}, {4, 4, 4}, {16, 4, 2}, {32, 2, 2}, {8, 8, 2}}};
  return kShapes[std::clamp<cl_uint>(dims, 1, 3) - 1];
}

std::size_t product(const LocalSize& local) { return local[0] * local[1] * local[2]; }

std::size_t next_power_of_two(std::size_t value) {
  std::size_t power = 1;
  while (power < value) power *= 2;
  return power;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double event_ms(cl_event event, const std::string& label) {
  cl_ulong start = 0;
  cl_ulong end = 0;
  check_cl(
      clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof start, &start, nullptr),
      label + ": reading a profiling event");
  check_cl(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof end, &end, nullptr),
           label + ": reading a profiling event");
  return end > start ? static_cast<double>(end - start) * 1e-6 : 0.0;
}

}  // namespace

std::string tuning_key(const Dispatch& dispatch, const ProgramRequest& program) {
  std::string shape = std::to_string(dispatch.dims) + ":";
  for (cl_uint d = 0; d < 3; ++d) {
    shape += (d ? "x" : "") + std::to_string(d < dispatch.dims ? dispatch.requested[d] : 1);
  }
  // program.cache_key() is "program|<file>|<source hash>|<options>".
  const std::string program_key = program.cache_key();
  return "tuning|" + dispatch.kernel_name + "|" + program_key.substr(program_key.find('|') + 1) +
         "|" + shape;
}

std::string local_size_text(const LocalSize& local) {
  return std::to_string(local[0]) + "," + std::to_string(local[1]) + "," + std::to_string(local[2]);
}

bool parse_local_size(const std::string& text, LocalSize& local) {
  unsigned long long values[3] = {0, 0, 0};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%llu,%llu,%llu%n", &values[0], &values[1], &values[2],
                  &consumed) != 3 ||
      static_cast<std::size_t>(consumed) != text.size()) {
    return false;
  }
  for (int d = 0; d < 3; ++d) {
    if (values[d] == 0 || values[d] > (1u << 20)) return false;
    local[d] = static_cast<std::size_t>(values[d]);
  }
  return true;
}

void apply_local_size(Dispatch& dispatch, const LocalSize& local) {
  for (cl_uint d = 0; d < 3; ++d) {
    const std::size_t size = d < dispatch.dims ? local[d] : 1;
    const std::size_t wanted = d < dispatch.dims ? dispatch.requested[d] : 1;
    dispatch.local[d] = size;
    dispatch.global[d] = (wanted + size - 1) / size * size;
  }
}

LocalSize max_work_item_sizes(const ClDevice& device) {
  const std::string what = "opencl: querying the work-item sizes of '" + device.info.name + "'";
  std::size_t bytes = 0;
  check_cl(clGetDeviceInfo(device.device, CL_DEVICE_MAX_WORK_ITEM_SIZES, 0, nullptr, &bytes), what);
  std::vector<std::size_t> sizes(std::max<std::size_t>(bytes / sizeof(std::size_t), 3), 1);
  check_cl(
      clGetDeviceInfo(device.device, CL_DEVICE_MAX_WORK_ITEM_SIZES, bytes, sizes.data(), nullptr),
      what);
  return {sizes[0], sizes[1], sizes[2]};
}

std::vector<LocalSize> candidate_local_sizes(const Dispatch& dispatch, const LocalSize& items) {
  const LocalSize current{dispatch.local[0], dispatch.local[1], dispatch.local[2]};
  std::vector<LocalSize> candidates = {current};
  for (const LocalSize& shape : shapes_for(dispatch.dims)) {
    bool fits = product(shape) <= dispatch.group_limit;
    for (cl_uint d = 0; d < dispatch.dims; ++d) {
      // A group much wider than the problem only adds idle items.
      fits = fits && shape[d] <= items[d] &&
             shape[d] <= std::max<std::size_t>(next_power_of_two(dispatch.requested[d]), 8);
    }
    if (fits && std::find(candidates.begin(), candidates.end(), shape) == candidates.end()) {
      candidates.push_back(shape);
    }
  }
  return candidates;
}

WorkGroupTuner::WorkGroupTuner(const ClDevice& device, cl_command_queue queue,
                               const std::vector<CacheEntry>& stored)
    : queue_(queue), max_item_sizes_(max_work_item_sizes(device)) {
  for (const CacheEntry& entry : stored) {
    stored_.emplace(entry.key, std::string(entry.payload.begin(), entry.payload.end()));
  }
}

bool WorkGroupTuner::valid_for(const Dispatch& dispatch, const LocalSize& local) const {
  if (product(local) > dispatch.group_limit) return false;
  for (cl_uint d = 0; d < 3; ++d) {
    if (d >= dispatch.dims ? local[d] != 1 : local[d] > max_item_sizes_[d]) return false;
  }
  return true;
}

void WorkGroupTuner::tune(Dispatch& dispatch, const std::string& key) {
  if (!dispatch.tunable) return;
  auto known = chosen_.find(key);
  if (known != chosen_.end()) {
    apply_local_size(dispatch, known->second);
    return;
  }
  auto stored = stored_.find(key);
  if (stored != stored_.end()) {
    LocalSize local{1, 1, 1};
    if (parse_local_size(stored->second, local) && valid_for(dispatch, local)) {
      apply_local_size(dispatch, local);
      chosen_.emplace(key, local);
      ++tally_.from_cache;
      return;
    }
    // A damaged or foreign choice costs a re-tune, never a wrong launch.
    log_info("opencl: tuning entry '" + key + "' (" + stored->second + ") does not fit " +
             dispatch.label + "; timing again");
    ++tally_.rejected;
  }
  const LocalSize best = fastest(dispatch);
  apply_local_size(dispatch, best);
  chosen_.emplace(key, best);
  ++tally_.timed;
}

LocalSize WorkGroupTuner::fastest(Dispatch& dispatch) {
  LocalSize best{dispatch.local[0], dispatch.local[1], dispatch.local[2]};
  double best_ms = -1;
  std::string timings;
  for (const LocalSize& local : candidate_local_sizes(dispatch, max_item_sizes_)) {
    const double ms = median_ms(dispatch, local);
    timings += " " + local_size_text(local) + "=" + std::to_string(ms);
    if (best_ms < 0 || ms < best_ms) {
      best_ms = ms;
      best = local;
    }
  }
  log_debug("opencl: tuned " + dispatch.label + ":" + timings + " ms; keeping " +
            local_size_text(best));
  return best;
}

// One warm-up launch (a CPU driver may compile a work-group function per local size on
// the first), then the median of three timed ones.
double WorkGroupTuner::median_ms(Dispatch& dispatch, const LocalSize& local) {
  apply_local_size(dispatch, local);
  constexpr int kTimed = 3;
  std::vector<double> times;
  for (int launch = 0; launch <= kTimed; ++launch) {
    cl_event raw = nullptr;
    check_cl(
        clEnqueueNDRangeKernel(queue_, dispatch.kernel.get(), dispatch.dims, nullptr,
                               dispatch.global.data(), dispatch.local.data(), 0, nullptr, &raw),
        dispatch.label + " (tuning " + local_size_text(local) + ")");
    ClEvent event(raw);
    check_cl(clWaitForEvents(1, &raw), dispatch.label + ": waiting for a tuning launch");
    if (launch > 0) times.push_back(event_ms(raw, dispatch.label));
  }
  return median_of(times);
}

std::vector<CacheEntry> WorkGroupTuner::entries_to_write() const {
  std::vector<CacheEntry> entries;
  if (tally_.timed == 0) return entries;
  const std::int64_t now = now_seconds();
  for (const auto& [key, local] : chosen_) {
    const std::string text = local_size_text(local);
    entries.push_back({key, std::vector<std::uint8_t>(text.begin(), text.end()), now});
  }
  return entries;
}

}  // namespace tandem::opencl
