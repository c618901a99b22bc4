#include "vulkan/op_test_support.h"

#include <cmath>
#include <cstdlib>

#include "core/device_test_support.h"
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
    return tandem::testing::choose_test_device(test_backend().devices(), "vulkan");
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

namespace {

struct BothRuns {
  std::vector<Tensor> actual;
  std::vector<Tensor> reference;
};

// One node planned (with the backend's fusions) and run on vulkan (cache off) and the reference.
BothRuns run_on_both(const std::string& op_type, const Attributes& attributes,
                     const std::vector<NodeInput>& inputs, int outputs) {
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
  BothRuns runs;
  runs.actual = backend.compile(plan, test_device(), compile_options)->run(single.runtime_inputs);
  runs.reference = run_reference(plan, single.runtime_inputs);
  return runs;
}

}  // namespace

void expect_matches_reference_elementwise(const std::string& op_type, const Attributes& attributes,
                                          const std::vector<NodeInput>& inputs, double relative) {
  const BothRuns runs = run_on_both(op_type, attributes, inputs, 1);
  ASSERT_EQ(runs.actual.size(), 1u);
  const Tensor& actual = runs.actual[0];
  const Tensor& reference = runs.reference[0];
  ASSERT_EQ(actual.shape(), reference.shape()) << op_type;
  double worst_ratio = 0;
  std::int64_t worst_index = -1;
  double max_abs_reference = 0;
  for (std::int64_t i = 0; i < reference.numel(); ++i) {
    const double expected = reference.value_f64(i);
    const double error = std::fabs(actual.value_f64(i) - expected);
    max_abs_reference = std::max(max_abs_reference, std::fabs(expected));
    // Exact matches count as 0 (even at 0); any error on a 0 is inf, a NaN anywhere fails.
    const double ratio = error == 0 ? 0.0 : error / std::fabs(expected);
    if (!(ratio <= worst_ratio)) {
      worst_ratio = std::isnan(ratio) ? INFINITY : ratio;
      worst_index = i;
    }
  }
  EXPECT_LE(worst_ratio, relative)
      << op_type << " " << shape_to_string(reference.shape()) << ": worst at element "
      << worst_index << ": " << (worst_index < 0 ? 0.0 : actual.value_f64(worst_index)) << " vs "
      << (worst_index < 0 ? 0.0 : reference.value_f64(worst_index));
  if (reference.numel() > 0) {
    EXPECT_GT(max_abs_reference, 0.0) << op_type << ": all zeros";
  }
}

void expect_matches_reference(const std::string& op_type, const Attributes& attributes,
                              const std::vector<NodeInput>& inputs, double tolerance, int outputs) {
  const BothRuns runs = run_on_both(op_type, attributes, inputs, outputs);
  const std::vector<Tensor>& actual = runs.actual;
  const std::vector<Tensor>& reference = runs.reference;
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
