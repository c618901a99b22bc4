#include "tools/cli_support.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>

#include "core/error.h"

namespace tandem::tools {

void run_guarded(const std::function<int()>& body) {
  int code = 0;
  try {
    code = body();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tandem: error: %s\n", error.what());
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
      fail("unknown backend '" + name + "' (known: " + list + ")");
    }
    config.backends = backends;
  }
  if (!device.empty()) config.device = DeviceSelector::parse(device);
  set_log_level(config.log);
  return config;
}

}  // namespace tandem::tools
