#pragma once
#include <string>
#include <thread>
#include <vector>

#include "core/cache/cache_file.h"

namespace tandem::opencl {

// Adds, beside each NVIDIA PTX entry just written to a compiled-program cache, its cubin
// (cuda_linker.h), linked on a thread of its own so that this process's first run is not
// kept waiting. The next process loads its programs from the cubins without the driver's
// JIT, for its first run, and rebuilds them from the PTX meanwhile (cubin_tier_up.h):
// kernels from these cubins ran slower than the driver's own JIT of the same PTX on the
// H100 (3x3 conv layers by 25-30%), because cuLink compiles PTX as relocatable code
// (ptxas -c) where the driver's JIT compiles the whole program.
//
// TANDEM_OPENCL_CUBINS=0 turns it off (to measure what it saves).
class CubinUpgrade {
 public:
  CubinUpgrade() = default;
  ~CubinUpgrade() { wait(); }
  CubinUpgrade(const CubinUpgrade&) = delete;
  CubinUpgrade& operator=(const CubinUpgrade&) = delete;

  // Starts on the PTX entries of `written` whose cubin `written` lacks (none: no thread),
  // after any earlier start ended.
  void start(const std::string& path, const CacheFileHeader& header,
             const CacheWriteOptions& options, const std::vector<CacheEntry>& written);
  // Returns once the cubins are written, or the upgrade has given up (with a warning).
  void wait();

 private:
  std::thread thread_;
};

// "cubin|conv.cl|..." for "program|conv.cl|...": where a program's cubin is kept, beside its
// PTX.
std::string cubin_key(const std::string& program_key);

// The register cap a program was built with: N of the -cl-nv-maxrregcount=N in its key's build
// options, or 0. ptxas must be given it again, for the PTX does not carry it.
int max_registers_of(const std::string& program_key);

// The cubins of the PTX entries of `entries` (under cubin_key, same last_used), each linked
// on a thread of its own; entries that are not PTX, or fail to link, are left out.
std::vector<CacheEntry> link_cubins(const std::vector<CacheEntry>& entries);

}  // namespace tandem::opencl
