#pragma once
// Where lavapipe is installed, and the LD_PRELOAD for a tandem process that a test starts in
// sanitizer builds (empty otherwise).
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
#include <string>

#include <nlohmann/json.hpp>

#if defined(__SANITIZE_ADDRESS__)
extern "C" void __asan_init();
#endif

namespace tandem::testing {

// lavapipe's ICD manifest (/usr/share/vulkan/icd.d/lvp_icd.<arch>.json); empty if
// lavapipe is not installed.
inline std::string lavapipe_manifest() {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/share/vulkan/icd.d", error)) {
    if (entry.path().filename().string().rfind("lvp_icd.", 0) == 0) return entry.path().string();
  }
  return "";
}

// lavapipe's library, from its ICD manifest; empty if lavapipe is not installed.
inline std::string lavapipe_library() {
  const std::string manifest = lavapipe_manifest();
  if (manifest.empty()) return "";
  std::ifstream in(manifest);
  const nlohmann::json parsed = nlohmann::json::parse(in, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("ICD")) return "";
  return parsed["ICD"].value("library_path", "");
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
