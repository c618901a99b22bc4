#include "tools/cli_support.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>

#include "core/error.h"
#include "core/printable.h"

namespace tandem::tools {

void run_guarded(const std::function<int()>& body) {
  int code = 0;
  try {
    code = body();
  } catch (const std::exception& error) {
    // Messages quote paths, names and values given by the user or read from files: a
    // control character in them must not split the one line or drive the terminal.
    std::fprintf(stderr, "tandem: error: %s\n", printable(error.what(), 4096).c_str());
    code = 1;
  }
  if (code != 0) throw CLI::RuntimeError(code);
}

Config load_config(const std::string& config_path, const std::vector<std::string>& backends,
                   const std::string& device) {
  Config config = config_path.empty() ? Config::defaults() : Config::load(config_path);
  config.apply_environment();
  if (!backends.empty()) {
    const std::vector<std::string> known = BackendRegistry::instance().names();
    for (const std::string& name : backends) {
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      fail("unknown backend '" + printable(name) + "' (known: " + list + ")");
    }
    config.backends = backends;
  }
  if (!device.empty()) config.device = DeviceSelector::parse(device);
  set_log_level(config.log);
  return config;
}

CLI::Validator non_empty_value() {
  return CLI::Validator(
      [](std::string& text) { return text.empty() ? std::string("must not be empty") : std::string(); },
      "", "NON_EMPTY");
}

CLI::Validator unsigned_64_bit_value() {
  return CLI::Validator(
      [](std::string& text) {
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
          return "'" + printable(text) + "' is not a whole number from 0 to " +
                 std::to_string(UINT64_MAX);
        }
        return std::string();
      },
      "", "UINT64");
}

}  // namespace tandem::tools
