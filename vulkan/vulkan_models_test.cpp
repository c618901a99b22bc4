// The example models end to end on the device (with the backend's fusions) against the
// float64 reference of the unfused graph, replayed with fresh inputs.
#include <cstdlib>
#include <random>

#include "core/onnx/onnx_import.h"
#include "core/planner.h"
#include "core/reference_backend.h"
#include "vulkan/op_test_support.h"

namespace tandem::vulkan::testing {
namespace {

class ModelsTest : public VulkanTest {};

// Ten-odd layers of float32 arithmetic (convolutions of up to 144 terms, matmuls of 64,
// layer norms, softmax) against float64: errors compound to ~1e-5 of the outputs' scale;
// 1e-4 leaves a margin without hiding a wrong kernel (those miss by O(1)).
constexpr double kTolerance = 1e-4;

// The source tree: TANDEM_SOURCE_DIR when set (ctest sets it; so can a copy run elsewhere),
// else where this test was built from.
std::string source_dir() {
  const char* dir = std::getenv("TANDEM_SOURCE_DIR");
  return dir != nullptr && *dir != '\0' ? dir : TANDEM_SOURCE_DIR;
}

void expect_model_matches(const std::string& file, const Shape& input_shape, int replays) {
  const Graph graph = import_onnx_file(source_dir() + "/examples/" + file);
  Backend& backend = test_backend();
  PlanOptions fused;
  fused.fuses = [&](const std::string& op, const std::string& act) {
    return backend.fuses_activation(op, act);
  };
  const std::vector<TensorInfo> infos{{DType::F32, input_shape}};
  const Plan device_plan = make_plan(graph, infos, fused);
  const Plan reference_plan = make_plan(graph, infos, {});
  CompileOptions options;
  options.cache.mode = CacheMode::Off;
  std::unique_ptr<Executable> executable = backend.compile(device_plan, test_device(), options);
  std::mt19937 rng(91);
  for (int replay = 0; replay < replays; ++replay) {
    SCOPED_TRACE(file + " replay " + std::to_string(replay));
    const std::vector<Tensor> inputs{random_tensor(rng, input_shape)};
    const std::vector<Tensor> actual = executable->run(inputs);
    const std::vector<Tensor> reference = run_reference(reference_plan, inputs);
    ASSERT_EQ(actual.size(), reference.size());
    for (std::size_t o = 0; o < actual.size(); ++o) {
      ASSERT_EQ(actual[o].shape(), reference[o].shape());
      const Mismatch mismatch = compare(actual[o], reference[o]);
      EXPECT_LE(mismatch.max_abs_error, kTolerance * (1 + mismatch.max_abs_reference))
          << "worst element " << mismatch.worst_index;
      EXPECT_GT(mismatch.max_abs_reference, 0.0);
    }
  }
}

TEST_F(ModelsTest, MobileNetTiny) {
  expect_model_matches("mobilenet_tiny.onnx", {2, 3, 32, 32}, 2);
}

TEST_F(ModelsTest, TransformerBlock) {
  expect_model_matches("transformer_block.onnx", {1, 16, 64}, 2);
}

}  // namespace
}  // namespace tandem::vulkan::testing
