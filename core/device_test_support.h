#pragma once
// For the backends' op tests: which of a backend's devices they run on.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/error.h"

namespace tandem::testing {

// The first device that TANDEM_DEVICE selects (the selector sessions take: "gpu",
// "vendor=nvidia"), else the first device. Named on stderr, so that a test log says which
// driver ran it: where pocl sits beside a GPU, the loader may list pocl first, and test runs
// meant for the GPU's driver had run on pocl unnoticed (r170 in the H100 results).
inline DeviceInfo choose_test_device(const std::vector<DeviceInfo>& devices,
                                     const std::string& backend) {
  const char* text = std::getenv("TANDEM_DEVICE");
  const DeviceSelector selector = DeviceSelector::parse(text != nullptr ? text : "");
  const DeviceInfo* device = selector.first_match(devices);
  check(device != nullptr,
        "no " + backend + " device" +
            (selector.empty() ? "" : " matches TANDEM_DEVICE=" + selector.to_string()));
  std::fprintf(stderr, "[tandem] %s tests on %s (%s)\n", backend.c_str(), device->name.c_str(),
               device->driver_version.c_str());
  return *device;
}

}  // namespace tandem::testing
