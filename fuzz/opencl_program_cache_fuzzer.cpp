// libFuzzer target: the OpenCL backend's compiled-program cache file, parsed the way
// build_programs reads it (the container against program_cache_header of a pocl-like
// device), then every embedded program's key looked up in what loaded. The binaries
// themselves go to the driver only after their checksum, which this target does not reach.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz/cache_fuzzing.h"
#include "opencl/kernel_sources.h"
#include "opencl/program_cache.h"

namespace {

tandem::DeviceInfo pocl_like_device() {
  tandem::DeviceInfo device;
  device.backend = "opencl";
  device.name = "cpu-haswell-AMD EPYC 7B13 64-Core Processor";
  device.vendor = "AuthenticAMD";
  device.type = "cpu";
  device.driver_version = "3.1";
  device.identity = {{"platform_name", "Portable Computing Language"},
                     {"platform_vendor", "The pocl project"},
                     {"platform_version", "OpenCL 3.0 PoCL 3.1+debian"},
                     {"device_name", device.name},
                     {"device_vendor", device.vendor},
                     {"device_version", "OpenCL 3.0 PoCL HSTR: cpu-x86_64-pc-linux-gnu"},
                     {"driver_version", device.driver_version},
                     {"opencl_c_version", "OpenCL C 1.2 PoCL"},
                     {"address_bits", "64"}};
  return device;
}

const tandem::CacheFileHeader& expected_header() {
  static const tandem::CacheFileHeader header = [] {
    tandem::CacheFileHeader made = tandem::opencl::program_cache_header(pocl_like_device());
    made.engine_version = "fuzz";   // pinned, so committed seeds outlive version bumps
    return made;
  }();
  return header;
}

const std::vector<std::string>& program_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> made;
    for (int i = 0; i < tandem::opencl_kernels::kEmbeddedFileCount; ++i) {
      const std::string file = tandem::opencl_kernels::kEmbeddedFiles[i].name;
      if (file != "common.cl") made.push_back(tandem::opencl::embedded_program(file).cache_key());
    }
    return made;
  }();
  return keys;
}

void look_up_programs(const tandem::CacheLoadResult& loaded) {
  for (const std::string& key : program_keys()) {
    for (const tandem::CacheEntry& entry : loaded.entries) {
      if (entry.key == key && entry.payload.empty()) break;   // the driver would reject it
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("TANDEM_FUZZ_WRITE_SEEDS")) {
    std::vector<tandem::CacheEntry> all;
    for (const std::string& key : program_keys()) {
      all.push_back({key, tandem::fuzz::bytes_of("\x7f" "ELF binary for " + key), 1700000000});
    }
    tandem::fuzz::write_seed_files(dir, expected_header(),
                                   {{}, {all.front()}, all});
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using tandem::fuzz::checked_parse;
  const std::span<const std::uint8_t> input(data, size);
  look_up_programs(checked_parse(input, &expected_header()));
  look_up_programs(checked_parse(tandem::fuzz::with_checksums_repaired(input), &expected_header()));
  return 0;
}
