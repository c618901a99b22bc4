#pragma once
#include <string>
#include <thread>
#include <vector>

#include "core/cache/cache_file.h"

namespace tandem::opencl {

// Replaces the NVIDIA PTX among the entries just written to a compiled-program cache with
// their cubins (cuda_linker.h), on a thread of its own, so that the next process loads its
// programs without the driver's JIT and this one's first run is not kept waiting. The PTX
// stays in the file until its cubin is written, so an interrupted upgrade loses nothing.
//
// Off unless TANDEM_OPENCL_CUBINS=1. On the H100 (driver 580.159.04) it cut warm compile +
// first run from 0.58-0.78 s to 34-79 ms for the example CNN, but kernels loaded from these
// cubins ran slower than the driver's own JIT of the same PTX: 3x3 conv layers by 25-30%,
// a conv-heavy model by 20% (docs/performance.md). cuLink compiles PTX as relocatable code
// (ptxas -c) where the driver's JIT compiles the whole program, and steady speed comes first.
class CubinUpgrade {
 public:
  CubinUpgrade() = default;
  ~CubinUpgrade() { wait(); }
  CubinUpgrade(const CubinUpgrade&) = delete;
  CubinUpgrade& operator=(const CubinUpgrade&) = delete;

  // Starts on the PTX entries of `written` (none: no thread), after any earlier start ended.
  void start(const std::string& path, const CacheFileHeader& header,
             const CacheWriteOptions& options, const std::vector<CacheEntry>& written);
  // Returns once the cubins are written, or the upgrade has given up (with a warning).
  void wait();

 private:
  std::thread thread_;
};

// The cubins of the PTX entries of `entries` (same keys and last_used), each linked on a
// thread of its own; entries that are not PTX, or fail to link, are left out.
std::vector<CacheEntry> link_cubins(const std::vector<CacheEntry>& entries);

}  // namespace tandem::opencl
