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
    return {cores * ghz * 32.0, "estimate: " + std::to_string(cores) + " cores x " +
                                    std::to_string(ghz).substr(0, 4) + " GHz x 32"};
  }
  return {};
}

}  // namespace tandem::bench
