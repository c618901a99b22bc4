#pragma once
// LD_PRELOAD for a tandem process that a test starts, in sanitizer builds; empty otherwise.
//
// lavapipe keeps a 128-byte block from its first device enumeration in one of its globals,
// and the Vulkan loader unloads lavapipe at vkDestroyInstance: at exit the block looks
// leaked, and its stack names no library that ci/lsan.supp could match (the slow unwinder,
// which would reach the loader's frame, made a run 100 times slower). Preloading lavapipe
// keeps it mapped to the end, so LeakSanitizer finds the block through lavapipe's global,
// as in a process whose driver stays loaded. ASan's runtime must come first in the list.
// Not for runs on OpenCL: pocl runs the system linker, which would inherit the preload.
#include <dlfcn.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#if defined(__SANITIZE_ADDRESS__)
extern "C" void __asan_init();
#endif

namespace tandem::testing {

// lavapipe's library, from its ICD manifest; empty if lavapipe is not installed.
inline std::string lavapipe_library() {
  namespace fs = std::filesystem;
  const fs::path manifests = "/usr/share/vulkan/icd.d";
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(manifests, error)) {
    if (entry.path().filename().string().rfind("lvp_icd.", 0) != 0) continue;
    std::ifstream in(entry.path());
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    std::smatch match;
    if (std::regex_search(text, match, std::regex("\"library_path\"\\s*:\\s*\"([^\"]+)\""))) {
      return match[1];
    }
  }
  return "";
}

inline std::string sanitizer_preload(const std::string& arguments) {
#if defined(__SANITIZE_ADDRESS__)
  if (arguments.find("opencl") != std::string::npos) return "";
  static const std::string preload = [] {
    Dl_info runtime{};
    const std::string lavapipe = lavapipe_library();
    if (lavapipe.empty() || dladdr(reinterpret_cast<void*>(&__asan_init), &runtime) == 0) {
      return std::string();
    }
    return std::string(runtime.dli_fname) + " " + lavapipe;
  }();
  return preload;
#else
  return "";
#endif
}

}  // namespace tandem::testing
