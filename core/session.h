#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/config.h"
#include "core/graph.h"
#include "core/plan.h"

namespace tandem {

struct SessionTimings {
  double load_ms = 0;       // ONNX import
  // Finding the backend's devices (instance, platforms) and Backend::open_device (context,
  // logical device, queues): set-up that no cache can shorten.
  double device_init_ms = 0;
  double compile_ms = 0;      // planning + backend compile (programs, pipelines, caches)
};

// A model bound to one backend and device. The backend is chosen in the config's order:
// the first whose devices include one matching the selector and that compiles the plan
// wins; each fallback is logged with its reason. A change of input shapes re-plans and
// recompiles on the same backend and device.
class Session {
 public:
  Session(Graph graph, Config config);
  static Session load(const std::string& model_path, Config config);

  const Graph& graph() const { return graph_; }
  // Inputs in graph().inputs() order. Compiles on the first call and on shape changes.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);
  void prepare(const std::vector<TensorInfo>& inputs);
  // Executable::settle() of the compiled model (nothing before the first run).
  void settle();

  const std::string& backend_name() const { return backend_name_; }
  const DeviceInfo& device() const { return device_; }
  const Plan& plan() const { return plan_; }
  CacheReport cache_report() const;
  // Executable::last_run_device_ms() of the last run: its kernels' device time, from the
  // first one's start to the last one's end; nullopt before the first run or where the
  // backend cannot time.
  std::optional<double> last_run_device_ms() const;
  const SessionTimings& timings() const { return timings_; }

 private:
  void choose_backend(const std::vector<TensorInfo>& inputs);
  void compile_on(Backend& backend, const DeviceInfo& device, const std::vector<TensorInfo>& inputs);

  Graph graph_;
  Config config_;
  std::unique_ptr<Backend> backend_;
  std::string backend_name_;
  DeviceInfo device_;
  Plan plan_;
  std::unique_ptr<Executable> executable_;
  std::vector<TensorInfo> bound_inputs_;
  SessionTimings timings_;
};

// Draws seeded inputs for every graph input: uniform in [-1, 1), dynamic dims set to 1.
std::vector<Tensor> random_inputs(const Graph& graph, std::uint64_t seed);

}  // namespace tandem
