// libFuzzer target: the YAML config (Config::parse) and the device selector syntax of
// --device and TANDEM_DEVICE. Every rejection must be a tandem::Error whose single line
// starts with the file name, as the command line prints it. (The TANDEM_* variables are
// left to tests/reliability: glibc keeps every value setenv was given, so fuzzing them
// here would only measure that.)
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/config.h"
#include "core/error.h"
#include "fuzz/cache_fuzzing.h"

namespace {

void expect_one_line(const tandem::Error& error, const std::string& prefix) {
  const std::string message = error.what();
  if (message.rfind(prefix, 0) != 0) {
    tandem::fuzz::property_failed("message does not start with '" + prefix + "': " + message);
  }
  if (message.find('\n') != std::string::npos) {
    tandem::fuzz::property_failed("message is not one line: " + message);
  }
}

void parse_config(const std::string& text) {
  try {
    tandem::Config::parse(text, "fuzz.yaml");
  } catch (const tandem::Error& error) {
    expect_one_line(error, "fuzz.yaml:");
  }
}

void parse_selector(const std::string& line) {
  try {
    const tandem::DeviceSelector selector = tandem::DeviceSelector::parse(line);
    // What to_string prints must parse back to the same selector.
    const tandem::DeviceSelector again = tandem::DeviceSelector::parse(selector.to_string());
    if (again.to_string() != selector.to_string()) {
      tandem::fuzz::property_failed("selector '" + line + "' does not round-trip");
    }
  } catch (const tandem::Error& error) {
    expect_one_line(error, "");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  parse_config(text);
  const std::string first_line = text.substr(0, text.find_first_of("\n\0", 0, 2));
  parse_selector(first_line);
  return 0;
}
