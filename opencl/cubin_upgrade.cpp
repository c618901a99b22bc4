#include "opencl/cubin_upgrade.h"

#include <chrono>
#include <cstdlib>
#include <exception>
#include <optional>
#include <set>
#include <string_view>

#include "core/log.h"
#include "core/stopwatch.h"
#include "opencl/cuda_linker.h"

namespace tandem::opencl {

namespace {

bool upgrades_enabled() {
  const char* setting = std::getenv("TANDEM_OPENCL_CUBINS");
  return setting == nullptr || std::string(setting) != "0";
}

void upgrade(const std::string& path, const CacheFileHeader& header,
             const CacheWriteOptions& options, const std::vector<CacheEntry>& ptx) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<CacheEntry> cubins;
  try {
    cubins = link_cubins(ptx);
    if (!cubins.empty()) update_cache_file(path, header, cubins, options);
  } catch (const std::exception& error) {
    // The PTX stays in the file: the next process JIT-compiles it, nothing more.
    log_warn(std::string("opencl: cubins not saved: ") + error.what());
    return;
  }
  if (cubins.empty()) return;
  log_debug("opencl: added " + std::to_string(cubins.size()) + " cubins to " + path + " in " +
            std::to_string(static_cast<int>(ms_since(start))) + " ms");
}

}  // namespace

std::string cubin_key(const std::string& program_key) {
  const std::size_t bar = program_key.find('|');
  return "cubin" + (bar == std::string::npos ? "|" + program_key : program_key.substr(bar));
}

int max_registers_of(const std::string& program_key) {
  constexpr std::string_view kOption = " -cl-nv-maxrregcount=";
  const std::size_t at = program_key.find(kOption);
  if (at == std::string::npos) return 0;
  return std::atoi(program_key.c_str() + at + kOption.size());
}

std::vector<CacheEntry> link_cubins(const std::vector<CacheEntry>& entries) {
  // ptxas runs in parallel through cuLink: four links of one GEMM program took 300 ms on
  // four threads and 903 ms on one (H100 host, 16 cores).
  std::vector<std::optional<CacheEntry>> linked(entries.size());
  std::vector<std::thread> links;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (nvidia_ptx_target(entries[i].payload) == 0) continue;
    links.emplace_back([&entries, &linked, i] {
      std::string why;
      if (auto cubin = link_cubin(entries[i].payload, max_registers_of(entries[i].key), why)) {
        linked[i] = CacheEntry{cubin_key(entries[i].key), std::move(*cubin), entries[i].last_used};
      } else {
        log_debug("opencl: no cubin for " + entries[i].key + ": " + why);
      }
    });
  }
  for (std::thread& link : links) link.join();
  std::vector<CacheEntry> cubins;
  for (std::optional<CacheEntry>& entry : linked) {
    if (entry) cubins.push_back(std::move(*entry));
  }
  return cubins;
}

void CubinUpgrade::start(const std::string& path, const CacheFileHeader& header,
                         const CacheWriteOptions& options, const std::vector<CacheEntry>& written) {
  wait();
  if (!upgrades_enabled()) return;
  std::set<std::string> keys;
  for (const CacheEntry& entry : written) keys.insert(entry.key);
  std::vector<CacheEntry> ptx;
  for (const CacheEntry& entry : written) {
    // A program loaded from its cubin has both rewritten (fresh last_used): nothing to link.
    if (nvidia_ptx_target(entry.payload) != 0 && !keys.count(cubin_key(entry.key))) {
      ptx.push_back(entry);
    }
  }
  if (ptx.empty()) return;
  thread_ = std::thread(upgrade, path, header, options, std::move(ptx));
}

void CubinUpgrade::wait() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace tandem::opencl
