#include "bench/device_peak.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <thread>

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

// What /proc/cpuinfo says of the cores: the highest "cpu MHz" (0 when unreadable), and the
// FP32 FLOP a core issues a cycle with two FMA units of the widest vectors its "flags" lines
// name (16, SSE, when unreadable).
struct CpuInfo {
  double mhz = 0;
  double flops_per_cycle = 16;
  std::string vectors = "SSE";
};

CpuInfo read_cpuinfo() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  CpuInfo info;
  std::string line;
  while (std::getline(cpuinfo, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    if (line.rfind("cpu MHz", 0) == 0) {
      info.mhz = std::max(info.mhz, std::stod(line.substr(colon + 1)));
    } else if (line.rfind("flags", 0) == 0) {
      const std::string flags = line.substr(colon) + " ";
      if (flags.find(" avx512f ") != std::string::npos) {
        info.flops_per_cycle = 64;
        info.vectors = "AVX-512";
      } else if (flags.find(" avx2 ") != std::string::npos &&
                 flags.find(" fma ") != std::string::npos) {
        info.flops_per_cycle = 32;
        info.vectors = "AVX2";
      }
    }
  }
  return info;
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
    const CpuInfo cpu = read_cpuinfo();
    const double ghz = cpu.mhz / 1000.0;
    if (ghz <= 0) return {};
    return {cores * ghz * cpu.flops_per_cycle,
            "estimate: " + std::to_string(cores) + " cores x " + std::to_string(ghz).substr(0, 4) +
                " GHz x " + std::to_string(static_cast<int>(cpu.flops_per_cycle)) + " (" +
                cpu.vectors + ")"};
  }
  return {};
}

}  // namespace tandem::bench
