#include "opencl/cuda_linker.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace tandem::opencl {

namespace {

// The few libcuda entry points and constants used, as cuda.h declares them (CUDA's headers
// are not a build dependency).
using CuResult = int;
using CuDevice = int;
using CuContext = void*;
using CuLinkState = void*;
constexpr int kJitMaxRegisters = 0;         // CU_JIT_MAX_REGISTERS
constexpr int kJitErrorLogBuffer = 5;       // CU_JIT_ERROR_LOG_BUFFER
constexpr int kJitErrorLogBufferBytes = 6;  // CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
constexpr int kJitTarget = 9;               // CU_JIT_TARGET; CU_TARGET_COMPUTE_NN is NN
constexpr int kJitInputPtx = 1;             // CU_JIT_INPUT_PTX

struct CudaDriver {
  CuResult (*init)(unsigned) = nullptr;
  CuResult (*device_get)(CuDevice*, int) = nullptr;
  CuResult (*context_create)(CuContext*, unsigned, CuDevice) = nullptr;
  CuResult (*context_set_current)(CuContext) = nullptr;
  CuResult (*link_create)(unsigned, int*, void**, CuLinkState*) = nullptr;
  CuResult (*link_add_data)(CuLinkState, int, void*, std::size_t, const char*, unsigned, int*,
                            void**) = nullptr;
  CuResult (*link_complete)(CuLinkState, void**, std::size_t*) = nullptr;
  CuResult (*link_destroy)(CuLinkState) = nullptr;
  CuContext context = nullptr;
  std::string error;  // why libcuda cannot link; empty when it can
};

template <typename Function>
bool resolve(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  return function != nullptr;
}

bool resolve_all(void* library, CudaDriver& cuda) {
  return resolve(library, "cuInit", cuda.init) &&
         resolve(library, "cuDeviceGet", cuda.device_get) &&
         resolve(library, "cuCtxCreate_v2", cuda.context_create) &&
         resolve(library, "cuCtxSetCurrent", cuda.context_set_current) &&
         resolve(library, "cuLinkCreate_v2", cuda.link_create) &&
         resolve(library, "cuLinkAddData_v2", cuda.link_add_data) &&
         resolve(library, "cuLinkComplete", cuda.link_complete) &&
         resolve(library, "cuLinkDestroy", cuda.link_destroy);
}

// cuLinkCreate fails without a current context (CUDA_ERROR_INVALID_CONTEXT), even with the
// target given; any device will do, since the target comes from the PTX.
CudaDriver open_driver() {
  CudaDriver cuda;
  void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    cuda.error = "libcuda.so.1 not found";
    return cuda;
  }
  if (!resolve_all(library, cuda)) {
    cuda.error = "libcuda.so.1 lacks the cuLink entry points";
    return cuda;
  }
  CuDevice device = 0;
  CuResult status = cuda.init(0);
  if (status == 0) status = cuda.device_get(&device, 0);
  if (status == 0) status = cuda.context_create(&cuda.context, 0, device);
  if (status != 0) cuda.error = "libcuda made no context (CUresult " + std::to_string(status) + ")";
  return cuda;
}

// Never closed or destroyed: libcuda also runs NVIDIA's OpenCL driver, and a context torn
// down during exit would race that driver's own teardown.
const CudaDriver& cuda_driver() {
  static const CudaDriver cuda = open_driver();
  return cuda;
}

std::string first_line(const char* text) {
  const std::string_view view(text);
  return std::string(view.substr(0, view.find('\n')));
}

}  // namespace

int nvidia_ptx_target(const std::vector<std::uint8_t>& binary) {
  const std::string_view text(reinterpret_cast<const char*>(binary.data()),
                              std::min<std::size_t>(binary.size(), 4096));
  if (text.rfind("//", 0) != 0) return 0;
  const std::size_t at = text.find("\n.target sm_");
  if (at == std::string_view::npos) return 0;
  int target = 0;
  std::size_t i = at + std::strlen("\n.target sm_");
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
    target = target * 10 + text[i] - '0';
  const bool plain = i < text.size() && (text[i] == ',' || text[i] == '\n' || text[i] == ' ');
  return plain ? target : 0;
}

std::optional<std::vector<std::uint8_t>> link_cubin(const std::vector<std::uint8_t>& ptx,
                                                    int max_registers, std::string& why) {
  const int target = nvidia_ptx_target(ptx);
  if (target == 0) {
    why = "not NVIDIA PTX";
    return std::nullopt;
  }
  const CudaDriver& cuda = cuda_driver();
  if (!cuda.error.empty()) {
    why = cuda.error;
    return std::nullopt;
  }
  cuda.context_set_current(cuda.context);
  char log[2048] = "";
  int options[] = {kJitTarget, kJitErrorLogBuffer, kJitErrorLogBufferBytes, kJitMaxRegisters};
  void* values[] = {reinterpret_cast<void*>(static_cast<std::uintptr_t>(target)), log,
                    reinterpret_cast<void*>(sizeof log),
                    reinterpret_cast<void*>(static_cast<std::uintptr_t>(max_registers))};
  const unsigned option_count = max_registers > 0 ? 4 : 3;
  CuLinkState state = nullptr;
  if (CuResult status = cuda.link_create(option_count, options, values, &state); status != 0) {
    why = "cuLinkCreate failed (CUresult " + std::to_string(status) + ")";
    return std::nullopt;
  }
  std::vector<std::uint8_t> text(ptx);
  text.push_back(0);  // cuLinkAddData reads PTX as a C string
  CuResult status = cuda.link_add_data(state, kJitInputPtx, text.data(), text.size(), "program.ptx",
                                       0, nullptr, nullptr);
  void* cubin = nullptr;
  std::size_t size = 0;
  if (status == 0) status = cuda.link_complete(state, &cubin, &size);
  std::optional<std::vector<std::uint8_t>> result;
  if (status == 0) {
    const auto* bytes = static_cast<const std::uint8_t*>(cubin);
    result.emplace(bytes, bytes + size);  // the cubin belongs to the link state
  } else {
    why = "ptxas failed (CUresult " + std::to_string(status) + "): " + first_line(log);
  }
  cuda.link_destroy(state);
  return result;
}

}  // namespace tandem::opencl
