#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/plan.h"
#include "core/tensor.h"

namespace tandem {

// One device as a backend sees it. `identity` lists, in order, the fields a cache keys on
// (platform and driver versions, UUIDs ...); `tandem devices` prints them.
struct DeviceInfo {
  std::string backend;
  int index = 0;            // position within the backend's devices()
  std::string name;
  std::string vendor;
  std::string type;         // "gpu", "cpu" or "other"
  std::string driver_version;
  std::vector<std::pair<std::string, std::string>> identity;
};

enum class CacheMode { ReadWrite, ReadOnly, Off };

struct CacheConfig {
  std::string dir;          // already expanded (~ and XDG resolved)
  CacheMode mode = CacheMode::ReadWrite;
  std::int64_t max_mb = 256;
  std::string shipped;      // prebuilt read-only cache file loaded first; empty = none
};

enum class CacheStatus { Hit, Miss, Partial, Invalidated, Recovered, ReadOnly, Off };
const char* cache_status_name(CacheStatus status);   // "hit", "miss", ...

struct CacheReport {
  std::string path;
  CacheStatus status = CacheStatus::Off;
  std::string reason;
};

struct CompileOptions {
  CacheConfig cache;
  bool tuning = false;
};

// A plan compiled for one device. Inputs and outputs follow the order of
// plan.graph.inputs() and plan.graph.outputs(), as F32 host tensors.
class Executable {
 public:
  virtual ~Executable() = default;
  virtual std::vector<Tensor> run(const std::vector<Tensor>& inputs) = 0;
  virtual CacheReport cache_report() const = 0;
  // Device time of the last run()'s kernels, from the first one's start to the last one's end
  // (timestamp queries, profiling events), without host copies; nullopt where the backend or
  // device cannot measure it.
  virtual std::optional<double> last_run_device_ms() const { return std::nullopt; }
  // Blocks until what the backend does in the background after a first run has ended (the
  // OpenCL backend on NVIDIA rebuilds the programs a warm start loaded from cubins), so that
  // runs after it are at steady speed. Benchmarks call it before timing steady runs.
  virtual void settle() {}
};

// The seam between the core and an API. A backend lists devices and compiles plans; how it
// implements each op is its own business (its op table is keyed by op_type). An op or
// attribute it does not cover is an Unsupported error at compile time, naming the node.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Throws Error when the API itself is unusable (no ICD, no loader).
  virtual std::vector<DeviceInfo> devices() = 0;
  // Whether compile() handles `activation` fused into `op_type` (see kFusedActivation).
  virtual bool fuses_activation(const std::string& op_type, const std::string& activation) const {
    return false;
  }
  // Byte alignment the arena offsets must respect on this device.
  virtual std::int64_t buffer_alignment(const DeviceInfo& device) const { return 256; }
  // Sets up what compiling needs on the device (a context, a logical device and queues)
  // ahead of compile(), so that compile times measure compiling alone. Set-up costs the same
  // with a warm cache as with a cold one (over a second on NVIDIA's OpenCL) and is paid once
  // per process.
  virtual void open_device(const DeviceInfo& /*device*/) {}
  virtual std::unique_ptr<Executable> compile(const Plan& plan, const DeviceInfo& device,
                                              const CompileOptions& options) = 0;
};

using BackendFactory = std::function<std::unique_ptr<Backend>()>;

class BackendRegistry {
 public:
  static BackendRegistry& instance();
  void add(const std::string& name, BackendFactory factory);
  // Throws Error("unknown backend 'x' (known: opencl, reference, vulkan)").
  std::unique_ptr<Backend> create(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::pair<std::string, BackendFactory>> factories_;
};

struct BackendRegistration {
  BackendRegistration(const std::string& name, BackendFactory factory) {
    BackendRegistry::instance().add(name, std::move(factory));
  }
};

}  // namespace tandem
