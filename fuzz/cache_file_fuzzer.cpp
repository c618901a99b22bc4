// libFuzzer target: the cache-file container both backends share (core/cache), parsed with
// no expected header (as `tandem cache inspect` does) and against the header of the worked
// example in docs/cache-format.md, each on the input as it is and with its checksums
// repaired so that mutations reach the checks behind them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz/cache_fuzzing.h"

namespace {

const tandem::CacheFileHeader& documented_header() {
  static const tandem::CacheFileHeader header{
      "opencl-programs", 1, "0.1.0", {{"driver", "pocl 5.0"}}};
  return header;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("TANDEM_FUZZ_WRITE_SEEDS")) {
    using tandem::fuzz::bytes_of;
    tandem::fuzz::write_seed_files(
        dir, documented_header(),
        {{},
         {{"k1", {0xde, 0xad}, 1700000000}},
         {{"a", {}, 0}, {"b", bytes_of("payload"), -1}, {"c", std::vector<std::uint8_t>(300, 7), 5}}});
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using tandem::fuzz::checked_parse;
  const std::span<const std::uint8_t> input(data, size);
  checked_parse(input, nullptr);
  checked_parse(input, &documented_header());
  const std::vector<std::uint8_t> repaired = tandem::fuzz::with_checksums_repaired(input);
  checked_parse(repaired, nullptr);
  checked_parse(repaired, &documented_header());
  return 0;
}
