#include "core/session.h"

#include <chrono>
#include <random>

#include "core/log.h"
#include "core/onnx/onnx_import.h"
#include "core/planner.h"
#include "core/stopwatch.h"

namespace tandem {

namespace {

std::vector<TensorInfo> infos_of(const std::vector<Tensor>& tensors) {
  std::vector<TensorInfo> infos;
  for (const Tensor& tensor : tensors) infos.push_back(tensor.info());
  return infos;
}

}  // namespace

Session::Session(Graph graph, Config config) : graph_(std::move(graph)), config_(std::move(config)) {}

Session Session::load(const std::string& model_path, Config config) {
  const auto start = std::chrono::steady_clock::now();
  Session session(import_onnx_file(model_path), std::move(config));
  session.timings_.load_ms = ms_since(start);
  return session;
}

void Session::compile_on(Backend& backend, const DeviceInfo& device,
                         const std::vector<TensorInfo>& inputs) {
  PlanOptions options;
  options.fuses = [&backend](const std::string& op, const std::string& activation) {
    return backend.fuses_activation(op, activation);
  };
  options.alignment = backend.buffer_alignment(device);
  const auto open_start = std::chrono::steady_clock::now();
  backend.open_device(device);
  timings_.device_init_ms = ms_since(open_start);
  const auto start = std::chrono::steady_clock::now();
  Plan plan = make_plan(graph_, inputs, options);
  CompileOptions compile_options{config_.cache, config_.tuning};
  executable_ = backend.compile(plan, device, compile_options);
  timings_.compile_ms = ms_since(start);
  plan_ = std::move(plan);
}

void Session::choose_backend(const std::vector<TensorInfo>& inputs) {
  // Plan once without a backend so that a bad model or bad inputs fail with their own
  // message, not as "no backend could run the model".
  const auto validation_start = std::chrono::steady_clock::now();
  make_plan(graph_, inputs, PlanOptions{});
  const double validation_ms = ms_since(validation_start);
  std::string reasons;
  for (const std::string& name : config_.backends) {
    try {
      const auto discovery_start = std::chrono::steady_clock::now();
      std::unique_ptr<Backend> backend = BackendRegistry::instance().create(name);
      const std::vector<DeviceInfo> devices = backend->devices();
      const double discovery_ms = ms_since(discovery_start);
      const DeviceInfo* device = config_.device.first_match(devices);
      check(device != nullptr, "no device matches " + (config_.device.empty()
                                                         ? std::string("(any)")
                                                         : config_.device.to_string()));
      compile_on(*backend, *device, inputs);
      timings_.device_init_ms += discovery_ms;
      timings_.compile_ms += validation_ms;
      backend_ = std::move(backend);
      backend_name_ = name;
      device_ = *device;
      log_debug("using backend " + name + " on " + device_.name);
      return;
    } catch (const Error& error) {
      log_info("backend " + name + " not used: " + error.what());
      reasons += (reasons.empty() ? "" : "; ") + name + ": " + error.what();
    }
  }
  fail("no backend could run the model (" + reasons + ")");
}

void Session::prepare(const std::vector<TensorInfo>& inputs) {
  if (executable_ && inputs == bound_inputs_) return;
  if (!backend_) {
    choose_backend(inputs);
  } else {
    log_info("input shapes changed; re-planning on " + backend_name_);
    compile_on(*backend_, device_, inputs);
  }
  bound_inputs_ = inputs;
}

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs) {
  prepare(infos_of(inputs));
  return executable_->run(inputs);
}

void Session::settle() {
  if (executable_) executable_->settle();
}

std::optional<double> Session::last_run_device_ms() const {
  return executable_ ? executable_->last_run_device_ms() : std::nullopt;
}

CacheReport Session::cache_report() const {
  return executable_ ? executable_->cache_report() : CacheReport{};
}

std::vector<Tensor> random_inputs(const Graph& graph, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<Tensor> inputs;
  for (ValueId id : graph.inputs()) {
    const Value& value = graph.value(id);
    Shape shape = value.dims;
    for (std::int64_t& dim : shape) dim = dim < 0 ? 1 : dim;
    check(value.dtype == DType::F32,
          "input '" + value.name + "' is " + dtype_name(value.dtype) + "; give it with --input");
    Tensor tensor(DType::F32, shape);
    for (float& x : tensor.data<float>()) x = uniform(engine);
    inputs.push_back(std::move(tensor));
  }
  return inputs;
}

}  // namespace tandem
