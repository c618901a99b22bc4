#include "bench/clblast_sgemm.h"

#include <clblast.h>

#include <random>
#include <vector>

#include "core/error.h"

namespace tandem::bench {
namespace {

std::string device_string(cl_device_id device, cl_device_info what) {
  std::size_t size = 0;
  clGetDeviceInfo(device, what, 0, nullptr, &size);
  std::string text(size, '\0');
  clGetDeviceInfo(device, what, size, text.data(), nullptr);
  while (!text.empty() && text.back() == '\0') text.pop_back();
  return text;
}

std::optional<cl_device_id> find_device(const std::string& name) {
  cl_uint platform_count = 0;
  if (clGetPlatformIDs(0, nullptr, &platform_count) != CL_SUCCESS) return std::nullopt;
  std::vector<cl_platform_id> platforms(platform_count);
  clGetPlatformIDs(platform_count, platforms.data(), nullptr);
  for (cl_platform_id platform : platforms) {
    cl_uint count = 0;
    if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &count) != CL_SUCCESS) continue;
    std::vector<cl_device_id> devices(count);
    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, devices.data(), nullptr);
    for (cl_device_id device : devices) {
      if (device_string(device, CL_DEVICE_NAME) == name) return device;
    }
  }
  return std::nullopt;
}

void check_cl(cl_int status, const std::string& what) {
  check(status == CL_SUCCESS, "clblast baseline: " + what + " failed (" + std::to_string(status) + ")");
}

struct MemRelease {
  void operator()(cl_mem mem) const { clReleaseMemObject(mem); }
};
using MemObject = std::unique_ptr<std::remove_pointer_t<cl_mem>, MemRelease>;

}  // namespace

struct ClblastSgemm::State {
  cl_device_id device = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;

  ~State() {
    if (queue != nullptr) clReleaseCommandQueue(queue);
    if (context != nullptr) clReleaseContext(context);
  }

  MemObject random_buffer(std::int64_t elements, std::mt19937& rng) {
    std::uniform_real_distribution<float> values(-1.0f, 1.0f);
    std::vector<float> host(static_cast<std::size_t>(elements));
    for (float& value : host) value = values(rng);
    cl_int status = CL_SUCCESS;
    cl_mem mem = clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                                host.size() * sizeof(float), host.data(), &status);
    check_cl(status, "clCreateBuffer");
    return MemObject(mem);
  }
};

ClblastSgemm::ClblastSgemm(std::unique_ptr<State> state) : state_(std::move(state)) {}
ClblastSgemm::~ClblastSgemm() = default;

std::unique_ptr<ClblastSgemm> ClblastSgemm::open(const std::string& device_name, std::string& why) {
  const std::optional<cl_device_id> device = find_device(device_name);
  if (!device) {
    why = "no OpenCL device named '" + device_name + "'";
    return nullptr;
  }
  auto state = std::make_unique<State>();
  state->device = *device;
  cl_int status = CL_SUCCESS;
  state->context = clCreateContext(nullptr, 1, &state->device, nullptr, nullptr, &status);
  check_cl(status, "clCreateContext");
  state->queue = clCreateCommandQueue(state->context, state->device, 0, &status);
  check_cl(status, "clCreateCommandQueue");
  return std::unique_ptr<ClblastSgemm>(new ClblastSgemm(std::move(state)));
}

Measurement ClblastSgemm::run(std::int64_t m, std::int64_t n, std::int64_t k,
                              const MeasureOptions& options, double& first_call_ms) {
  std::mt19937 rng(7);
  const MemObject a = state_->random_buffer(m * k, rng);
  const MemObject b = state_->random_buffer(k * n, rng);
  const MemObject c = state_->random_buffer(m * n, rng);
  const auto size = [](std::int64_t v) { return static_cast<std::size_t>(v); };
  // Wall clock from an idle queue to the finished product: CLBlast may run several kernels
  // (padding, transposes, the GEMM itself) and its event covers only the last of them.
  auto gemm_once = [&]() {
    check_cl(clFinish(state_->queue), "clFinish");
    const double start = now_ms();
    const clblast::StatusCode code = clblast::Gemm<float>(
        clblast::Layout::kRowMajor, clblast::Transpose::kNo, clblast::Transpose::kNo, size(m),
        size(n), size(k), 1.0f, a.get(), 0, size(k), b.get(), 0, size(n), 0.0f, c.get(), 0,
        size(n), &state_->queue);
    check(code == clblast::StatusCode::kSuccess,
          "clblast baseline: Gemm failed (" + std::to_string(static_cast<int>(code)) + ")");
    check_cl(clFinish(state_->queue), "clFinish");
    return Sample{wall_ms_since(start), "wall"};
  };
  const double start = now_ms();
  gemm_once();
  first_call_ms = wall_ms_since(start);
  MeasureOptions steady = options;
  steady.warmup = 0;  // the first call was the warm-up
  return measure(gemm_once, steady);
}

}  // namespace tandem::bench
