#include "vulkan/op_test_support.h"

#include <cmath>
#include <cstdlib>

#include "core/planner.h"
#include "core/reference_backend.h"
#include "vulkan/validation.h"

// Sanitizer builds: lavapipe and the validation layer keep allocations for the life of the
// process (never freed at exit); LeakSanitizer reads these suppressions from this hook.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libvulkan_lvp.so\nleak:libVkLayer_khronos_validation.so\n";
}

namespace tandem::vulkan::testing {

void VulkanTest::SetUpTestSuite() {
  // Synchronization validation too: it checks the barriers recorded between dispatches.
  // A caller's own setting wins ("1" for the core checks alone).
  setenv("TANDEM_VK_VALIDATION", "sync", 0);
}

void VulkanTest::TearDown() {
  const std::vector<std::string> messages = take_validation_messages();
  EXPECT_TRUE(messages.empty()) << messages.size() << " validation message(s), first: "
                                << (messages.empty() ? "" : messages.front());
}

// Never destroyed: the NVIDIA driver tears itself down in its own exit handlers, and a
// VkDevice destroyed after that (from a static destructor) crashes the process at exit.
Backend& test_backend() {
  setenv("TANDEM_VK_VALIDATION", "sync", 0);
  static Backend* backend = BackendRegistry::instance().create("vulkan").release();
  return *backend;
}

const DeviceInfo& test_device() {
  static const DeviceInfo device = [] {
    std::vector<DeviceInfo> devices = test_backend().devices();
    check(!devices.empty(), "no Vulkan device");
    return devices.front();
  }();
  return device;
}

Tensor random_tensor(std::mt19937& rng, const Shape& shape, float low, float high) {
  std::uniform_real_distribution<float> distribution(low, high);
  Tensor tensor(DType::F32, shape);
  for (float& value : tensor.data<float>()) value = distribution(rng);
  return tensor;
}

Mismatch compare(const Tensor& actual, const Tensor& reference) {
  Mismatch result;
  for (std::int64_t i = 0; i < reference.numel(); ++i) {
    const double expected = reference.value_f64(i);
    const double error = std::fabs(actual.value_f64(i) - expected);
    result.max_abs_reference = std::max(result.max_abs_reference, std::fabs(expected));
    if (error > result.max_abs_error || std::isnan(error)) {
      result.max_abs_error = std::isnan(error) ? INFINITY : error;
      result.worst_index = i;
    }
  }
  return result;
}

void expect_matches_reference(const std::string& op_type, const Attributes& attributes,
                              const std::vector<NodeInput>& inputs, double tolerance, int outputs) {
  const op_test::SingleNodeGraph single =
      op_test::make_single_node_graph(op_type, attributes, inputs, outputs);
  Backend& backend = test_backend();
  PlanOptions options;
  options.fuses = [&backend](const std::string& op, const std::string& activation) {
    return backend.fuses_activation(op, activation);
  };
  const Plan plan = make_plan(single.graph, single.runtime_infos(), options);
  CompileOptions compile_options;
  compile_options.cache.mode = CacheMode::Off;
  const std::vector<Tensor> actual =
      backend.compile(plan, test_device(), compile_options)->run(single.runtime_inputs);
  const std::vector<Tensor> reference = run_reference(plan, single.runtime_inputs);
  ASSERT_EQ(actual.size(), reference.size());
  for (std::size_t o = 0; o < actual.size(); ++o) {
    ASSERT_EQ(actual[o].shape(), reference[o].shape()) << op_type << " output " << o;
    const Mismatch mismatch = compare(actual[o], reference[o]);
    EXPECT_LE(mismatch.max_abs_error, tolerance * (1.0 + mismatch.max_abs_reference))
        << op_type << " output " << o << " " << shape_to_string(reference[o].shape())
        << ": worst at element " << mismatch.worst_index << " (max |ref| "
        << mismatch.max_abs_reference << ")";
    if (reference[o].numel() > 0) {
      EXPECT_GT(mismatch.max_abs_reference, 0.0)
          << op_type
          << ": reference output is all zeros; the test would not notice a shader "
             "that writes nothing";
    }
  }
}

CompiledRun compile_and_run(const Graph& graph, const std::vector<Tensor>& inputs,
                            const CacheConfig& cache) {
  std::vector<TensorInfo> infos;
  for (const Tensor& tensor : inputs) infos.push_back(tensor.info());
  Backend& backend = test_backend();
  PlanOptions options;
  options.fuses = [&backend](const std::string& op, const std::string& activation) {
    return backend.fuses_activation(op, activation);
  };
  const Plan plan = make_plan(graph, infos, options);
  CompileOptions compile_options;
  compile_options.cache = cache;
  std::unique_ptr<Executable> executable = backend.compile(plan, test_device(), compile_options);
  return {executable->run(inputs), executable->cache_report()};
}

Attributes attrs(std::initializer_list<std::pair<const char*, Attribute>> values) {
  Attributes attributes;
  for (const auto& [name, value] : values) attributes.set(name, value);
  return attributes;
}

}  // namespace tandem::vulkan::testing
