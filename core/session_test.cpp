// The session binds dynamic dimensions when inputs arrive and re-plans when they change.
#include "core/session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>

namespace tandem {
namespace {

std::string example(const std::string& name) {
  const char* root = std::getenv("TANDEM_SOURCE_DIR");
  return std::string(root ? root : ".") + "/examples/" + name;
}

Config reference_only() {
  Config config = Config::defaults();
  config.backends = {"reference"};
  config.cache.mode = CacheMode::Off;
  return config;
}

Tensor random_batch(std::int64_t batch, std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Tensor tensor(DType::F32, {batch, 3, 32, 32});
  for (float& x : tensor.data<float>()) x = normal(engine);
  return tensor;
}

TEST(Session, RebindsDynamicBatchAndReplans) {
  Session session = Session::load(example("mobilenet_tiny.onnx"), reference_only());
  const Tensor three = random_batch(3, 5);
  const std::vector<Tensor> batched = session.run({three});
  ASSERT_EQ(batched[0].shape(), (Shape{3, 10}));
  // Each row of the batch must equal a run of that image alone, after a re-plan.
  for (std::int64_t image = 0; image < 3; ++image) {
    Tensor one(DType::F32, {1, 3, 32, 32});
    const auto per_image = static_cast<std::ptrdiff_t>(one.numel());
    std::copy_n(three.data<float>().begin() + image * per_image, per_image, one.data<float>().begin());
    const std::vector<Tensor> single = session.run({one});
    ASSERT_EQ(single[0].shape(), (Shape{1, 10}));
    double max_probability = 0;
    for (std::int64_t k = 0; k < 10; ++k) {
      const float expected = single[0].data<float>()[static_cast<std::size_t>(k)];
      max_probability = std::max<double>(max_probability, expected);
      EXPECT_NEAR(batched[0].data<float>()[static_cast<std::size_t>(image * 10 + k)], expected, 1e-6);
    }
    EXPECT_LT(max_probability, 1.0);   // not a degenerate one-hot: the comparison means something
    EXPECT_GT(max_probability, 0.1);
  }
}

TEST(Session, RejectsWrongRankWithInputName) {
  Session session = Session::load(example("mobilenet_tiny.onnx"), reference_only());
  try {
    session.run({Tensor(DType::F32, {3, 32, 32})});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("input"), std::string::npos) << error.what();
  }
}

TEST(Session, FallsBackToTheNextBackend) {
  Config config = reference_only();
  config.backends = {"opencl", "reference"};
  config.device = DeviceSelector::parse("name=no-such-device-anywhere");
  Session session = Session::load(example("mobilenet_tiny.onnx"), config);
  // No OpenCL device has that name; the reference's device does not either, so both fail.
  EXPECT_THROW(session.run({random_batch(1, 1)}), Error);

  config.device = DeviceSelector{};
  config.backends = {"no-such-backend-is-skipped-by-name", "reference"};
  Session fallback = Session::load(example("mobilenet_tiny.onnx"), config);
  fallback.run({random_batch(1, 2)});
  EXPECT_EQ(fallback.backend_name(), "reference");
}

}  // namespace
}  // namespace tandem
