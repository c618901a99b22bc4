#include "bench/model_bench.h"

#include <unistd.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "core/session.h"
#include "core/stopwatch.h"

namespace tandem::bench {
namespace {

// A fresh cache folder, removed with its contents when the scope ends.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    const auto base = std::filesystem::temp_directory_path();
    for (int attempt = 0;; ++attempt) {
      path_ = base / ("tandem-bench-" + std::to_string(::getpid()) + "-" + std::to_string(attempt));
      if (std::filesystem::create_directory(path_)) break;
    }
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  std::string string() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

Config config_for(const std::string& backend, const DeviceSelector& device,
                  const std::string& cache_dir) {
  Config config = Config::defaults();
  config.backends = {backend};
  config.device = device;
  config.cache.dir = cache_dir;
  config.cache.mode = CacheMode::ReadWrite;
  config.log = LogLevel::Warn;
  return config;
}

// compile + first run of a fresh session, by wall clock, as `tandem run` counts it: without
// the device set-up (instance, logical device), which no cache can shorten. That set-up is
// its own figure because it depends on the process's history: the Vulkan backend releases its
// instance with its last session, and a new one can cost tens of ms on a GPU driver.
FirstRun compile_and_first_run(Session& session, const std::vector<Tensor>& inputs) {
  const double start = now_ms();
  session.run(inputs);
  const double device_init_ms = session.timings().device_init_ms;
  return {wall_ms_since(start) - device_init_ms, device_init_ms};
}

}  // namespace

ModelTiming bench_model(const std::string& path, const std::string& backend,
                        const DeviceSelector& device, const MeasureOptions& options) {
  TemporaryFolder cache;
  ModelTiming timing;
  {
    Session cold = Session::load(path, config_for(backend, device, cache.string()));
    const std::vector<Tensor> inputs = random_inputs(cold.graph(), 1);
    timing.cold = compile_and_first_run(cold, inputs);
    timing.cold_status = cache_status_name(cold.cache_report().status);
  }
  Session warm = Session::load(path, config_for(backend, device, cache.string()));
  const std::vector<Tensor> inputs = random_inputs(warm.graph(), 1);
  timing.warm = compile_and_first_run(warm, inputs);
  timing.warm_status = cache_status_name(warm.cache_report().status);
  timing.device = warm.device().name;
  timing.planned_bytes = warm.plan().memory.arena_bytes;
  timing.lower_bound_bytes = warm.plan().memory.lower_bound_bytes;
  warm.settle();
  std::vector<double> device_ms;
  timing.steady = measure(
      [&] {
        const double start = now_ms();
        warm.run(inputs);
        const Sample sample{wall_ms_since(start), "wall"};
        if (const std::optional<double> ms = warm.last_run_device_ms()) device_ms.push_back(*ms);
        return sample;
      },
      options);
  // The warm-up run is among them; one run more or less barely moves a median.
  if (!device_ms.empty()) timing.steady_device_ms = median_of(device_ms);
  return timing;
}

}  // namespace tandem::bench
