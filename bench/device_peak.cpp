#include "bench/device_peak.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <thread>
#include <utility>

namespace tandem::bench {
namespace {

bool contains(std::string text, std::string part) {
  auto lower = [](std::string& s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  };
  lower(text);
  lower(part);
  return text.find(part) != std::string::npos;
}

// The highest "cpu MHz" in /proc/cpuinfo, 0 when unreadable.
double cpu_mhz() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  double best = 0;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("cpu MHz", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon != std::string::npos) best = std::max(best, std::stod(line.substr(colon + 1)));
  }
  return best;
}

// FP32 FLOP a core issues a cycle with two FMA units (named by the vectors that set it): from
// the first "flags" line of /proc/cpuinfo; 16 (SSE) when unreadable.
std::pair<double, std::string> cpu_flops_per_cycle() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    const std::string flags = line + " ";
    if (flags.find(" avx512f ") != std::string::npos) return {64.0, "AVX-512"};
    if (flags.find(" avx2 ") != std::string::npos && flags.find(" fma ") != std::string::npos) {
      return {32.0, "AVX2"};
    }
    break;
  }
  return {16.0, "SSE"};
}

}  // namespace

Peak fp32_peak(const DeviceInfo& device, double override_gflops) {
  if (override_gflops > 0) return {override_gflops, "--peak-gflops"};
  // NVIDIA data sheets (non-tensor FP32, boost clock).
  if (contains(device.name, "H100")) {
    return contains(device.name, "PCIe") ? Peak{51200, "data sheet (H100 PCIe)"}
                                         : Peak{66900, "data sheet (H100 SXM)"};
  }
  if (contains(device.name, "H200")) return {66900, "data sheet (H200)"};
  if (device.type == "cpu") {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const double ghz = cpu_mhz() / 1000.0;
    if (ghz <= 0) return {};
    const auto [flops, vectors] = cpu_flops_per_cycle();
    return {cores * ghz * flops,
            "estimate: " + std::to_string(cores) + " cores x " + std::to_string(ghz).substr(0, 4) +
                " GHz x " + std::to_string(static_cast<int>(flops)) + " (" + vectors + ")"};
  }
  return {};
}

}  // namespace tandem::bench
