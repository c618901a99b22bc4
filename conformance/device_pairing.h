#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/backend.h"

namespace tandem::conformance {

// Two devices of different backends judged to be the same physical device, so their
// outputs can be compared with each other (OpenCL and Vulkan on one GPU).
struct DevicePair {
  std::size_t first = 0;  // indices into the list given to pair_devices
  std::size_t second = 0;
  std::string reason;  // how they were matched, recorded in the report
};

// Pairs devices across backends (never two of one backend, never the reference): equal
// device-UUID identity fields pair outright; otherwise the vendors must agree (PCI vendor
// IDs and names mapped to one word: 0x10de and "NVIDIA Corporation" are both "nvidia"),
// the types must agree, and the names' word sets must overlap by at least half once
// vendor words and marketing noise are dropped. Each device pairs at most once per backend.
std::vector<DevicePair> pair_devices(const std::vector<DeviceInfo>& devices);

std::string canonical_vendor(const std::string& vendor);
// Jaccard similarity of the names' significant words, 0..1.
double name_similarity(const std::string& a, const std::string& b);

}  // namespace tandem::conformance
