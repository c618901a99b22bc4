#pragma once
// The SPIR-V modules compiled from shaders/*.comp at build time and embedded in the library.
#include <cstdint>
#include <string>

#include "core/embedded_file.h"

namespace tandem::vulkan_shaders {
extern const tandem::EmbeddedFile kEmbeddedFiles[];
extern const int kEmbeddedFileCount;
}  // namespace tandem::vulkan_shaders

namespace tandem::vulkan {

// The module for shaders/<family>.comp; with `subgroup_reductions`, its build with subgroup
// arithmetic where there is one (<family>_subgroup.spv). Throws Error if absent.
const EmbeddedFile& find_shader(const std::string& family, bool subgroup_reductions = false);

// One hash over every embedded module, so a changed shader invalidates the pipeline cache.
std::uint64_t spirv_bundle_hash();

}  // namespace tandem::vulkan
