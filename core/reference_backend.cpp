#include "core/reference_backend.h"

#include "core/backend.h"
#include "core/op_registry.h"

namespace tandem {

static DType reference_dtype(DType dtype) { return is_float(dtype) ? DType::F64 : dtype; }

static Tensor to_reference(const Tensor& tensor) {
  return tensor.dtype() == reference_dtype(tensor.dtype()) ? tensor
                                                           : tensor.cast(reference_dtype(tensor.dtype()));
}

std::vector<Tensor> run_reference(const Plan& plan, const std::vector<Tensor>& inputs) {
  const Graph& graph = plan.graph;
  check(inputs.size() == graph.inputs().size(), "reference: wrong number of inputs");
  std::vector<Tensor> values(graph.value_count());
  for (std::size_t i = 0; i < graph.value_count(); ++i) {
    const Value& value = graph.value(static_cast<ValueId>(i));
    if (value.constant) values[i] = to_reference(*value.constant);
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    values[static_cast<std::size_t>(graph.inputs()[i])] = to_reference(inputs[i]);
  }
  for (const Node& node : graph.nodes()) {
    const OpSchema& schema = OpRegistry::instance().get(node);
    check(static_cast<bool>(schema.reference), node.label() + ": no reference kernel");
    std::vector<Tensor> outputs;
    for (ValueId id : node.outputs) {
      const TensorInfo& info = plan.info_of(id);
      outputs.emplace_back(reference_dtype(info.dtype), info.shape);
    }
    RefContext context{node, {}, outputs};
    for (ValueId id : node.inputs) {
      context.inputs.push_back(id == kNoValue ? nullptr : &values[static_cast<std::size_t>(id)]);
    }
    schema.reference(context);
    for (std::size_t o = 0; o < node.outputs.size(); ++o) {
      values[static_cast<std::size_t>(node.outputs[o])] = std::move(outputs[o]);
    }
  }
  std::vector<Tensor> results;
  for (ValueId id : graph.outputs()) results.push_back(values[static_cast<std::size_t>(id)]);
  return results;
}

namespace {

class ReferenceExecutable : public Executable {
 public:
  explicit ReferenceExecutable(Plan plan) : plan_(std::move(plan)) {}
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) override {
    std::vector<Tensor> outputs = run_reference(plan_, inputs);
    for (Tensor& output : outputs) {
      if (output.dtype() == DType::F64) output = output.cast(DType::F32);
    }
    return outputs;
  }
  CacheReport cache_report() const override { return {"", CacheStatus::Off, "nothing to compile"}; }

 private:
  Plan plan_;
};

// The float64 oracle as a backend, so `tandem run --backend reference` works like any other.
class ReferenceBackend : public Backend {
 public:
  std::string name() const override { return "reference"; }
  std::vector<DeviceInfo> devices() override {
    DeviceInfo device;
    device.backend = "reference";
    device.name = "float64 reference (host CPU)";
    device.vendor = "tandem";
    device.type = "cpu";
    device.driver_version = TANDEM_VERSION;
    device.identity = {{"engine_version", TANDEM_VERSION}};
    return {device};
  }
  std::unique_ptr<Executable> compile(const Plan& plan, const DeviceInfo&,
                                      const CompileOptions&) override {
    return std::make_unique<ReferenceExecutable>(plan);
  }
};

const BackendRegistration registration("reference", [] { return std::make_unique<ReferenceBackend>(); });

}  // namespace
}  // namespace tandem
