#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tandem {

// A kernel source or SPIR-V module compiled into the library. `hash` is the first
// 64 bits of the SHA-256 of the bytes, so caches key on content, not on file names.
struct EmbeddedFile {
  const char* name;
  const unsigned char* bytes;
  std::size_t size;
  std::uint64_t hash;

  std::string_view text() const { return {reinterpret_cast<const char*>(bytes), size}; }
};

}  // namespace tandem
