// libFuzzer target: the .npy reader behind --input and the conformance cases (parse_npy).
// What it accepts must have exactly the bytes its shape and dtype need, and must read back
// the same from the bytes write_npy would produce for it.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/error.h"
#include "core/npy.h"
#include "fuzz/cache_fuzzing.h"

namespace {

void check_round_trip(const tandem::Tensor& tensor) {
  if (tensor.bytes() != tensor.info().bytes()) {
    tandem::fuzz::property_failed("tensor holds " + std::to_string(tensor.bytes()) +
                                  " bytes, its shape needs " + std::to_string(tensor.info().bytes()));
  }
  std::vector<std::uint8_t> bytes = tandem::npy_header_bytes(tensor.info());
  bytes.insert(bytes.end(), tensor.raw(), tensor.raw() + tensor.bytes());
  const tandem::Tensor again = tandem::parse_npy(bytes, "round trip");
  if (again.info() != tensor.info() ||
      (tensor.bytes() > 0 && std::memcmp(again.raw(), tensor.raw(), tensor.bytes()) != 0)) {
    tandem::fuzz::property_failed("a tensor does not read back from write_npy's bytes");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    check_round_trip(tandem::parse_npy({data, size}, "fuzz.npy"));
  } catch (const tandem::Error& error) {
    const std::string message = error.what();
    if (message.rfind("fuzz.npy", 0) != 0 || message.find('\n') != std::string::npos) {
      tandem::fuzz::property_failed("message is not one line naming the file: " + message);
    }
  }
  return 0;
}
