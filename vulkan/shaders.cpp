#include "vulkan/shaders.h"

#include "core/error.h"
#include "vulkan/device.h"

namespace tandem::vulkan {
namespace {

// The module named `module` ("eltwise" -> eltwise.spv), or nullptr.
const EmbeddedFile* embedded_shader(const std::string& module) {
  const std::string file = module + ".spv";
  for (int i = 0; i < vulkan_shaders::kEmbeddedFileCount; ++i) {
    if (file == vulkan_shaders::kEmbeddedFiles[i].name) return &vulkan_shaders::kEmbeddedFiles[i];
  }
  return nullptr;
}

}  // namespace

const EmbeddedFile& find_shader(const std::string& family, bool subgroup_reductions) {
  if (subgroup_reductions) {
    if (const EmbeddedFile* subgroup = embedded_shader(family + "_subgroup")) return *subgroup;
  }
  const EmbeddedFile* module = embedded_shader(family);
  check(module != nullptr, "vulkan: no embedded shader '" + family + ".spv'");
  return *module;
}

std::uint64_t spirv_bundle_hash() {
  std::uint64_t hash = fnv1a64(nullptr, 0);
  for (int i = 0; i < vulkan_shaders::kEmbeddedFileCount; ++i) {
    const EmbeddedFile& file = vulkan_shaders::kEmbeddedFiles[i];
    hash = fnv1a64(file.name, std::char_traits<char>::length(file.name), hash);
    hash = fnv1a64(&file.hash, sizeof file.hash, hash);
  }
  return hash;
}

}  // namespace tandem::vulkan
