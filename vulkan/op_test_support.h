#pragma once
// Helpers of the vulkan tests: the validation layer on (TANDEM_VK_VALIDATION=1) with a fixture
// that fails a test on any validation message, single-node graphs on seeded random inputs, and
// the comparison with the float64 reference backend.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/ops/single_node_graph.h"

namespace tandem::vulkan::testing {

using op_test::constant;
using op_test::NodeInput;
using op_test::omitted;
using op_test::runtime;

// Every vulkan test derives from this: validation is on before the first instance exists,
// and TearDown fails the test if the layers reported anything.
class VulkanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  void TearDown() override;
};

Backend& test_backend();
// The Vulkan device the tests run on (core/device_test_support.h: TANDEM_DEVICE, else the
// first; lavapipe here).
const DeviceInfo& test_device();

// Uniform float32 values in [low, high) from a generator the test seeds.
Tensor random_tensor(std::mt19937& rng, const Shape& shape, float low = -1.0f, float high = 1.0f);

struct Mismatch {
  double max_abs_error = 0;
  double max_abs_reference = 0;
  std::int64_t worst_index = -1;
};
Mismatch compare(const Tensor& actual, const Tensor& reference);

// Plans the node (with the backend's fusions), runs it on vulkan (cache off) and on the
// reference, and checks every output: max |vulkan - reference| <= tolerance * (1 + max |ref|).
// Also checks the reference is not all zeros, so a shader that writes nothing fails.
void expect_matches_reference(const std::string& op_type, const Attributes& attributes,
                              const std::vector<NodeInput>& inputs, double tolerance,
                              int outputs = 1);

// For outputs whose elements are all small (a softmax over a long axis), where the check
// above would pass almost anything: every element within `relative` of its own magnitude,
// |vulkan - reference| <= relative * |reference|. Same plan, run and zero check.
void expect_matches_reference_elementwise(const std::string& op_type, const Attributes& attributes,
                                          const std::vector<NodeInput>& inputs, double relative);

// The plan of a graph and the outputs vulkan gives for it, with the given cache settings.
struct CompiledRun {
  std::vector<Tensor> outputs;
  CacheReport report;
};
CompiledRun compile_and_run(const Graph& graph, const std::vector<Tensor>& inputs,
                            const CacheConfig& cache);

Attributes attrs(std::initializer_list<std::pair<const char*, Attribute>> values);

}  // namespace tandem::vulkan::testing
