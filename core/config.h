#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/log.h"

namespace tandem {

// Which device to use: any combination of type ("gpu", "cpu"), a vendor or name substring
// (case-insensitive), or an index within the backend. Empty = the first device.
struct DeviceSelector {
  std::string type;
  std::string vendor;
  std::string name;
  int index = -1;

  bool empty() const { return type.empty() && vendor.empty() && name.empty() && index < 0; }
  bool matches(const DeviceInfo& device) const;
  // The first of `devices` it matches, or nullptr.
  const DeviceInfo* first_match(const std::vector<DeviceInfo>& devices) const;
  std::string to_string() const;   // "type=gpu,vendor=nvidia"
  // "gpu", "cpu", "1", "index=1", "name=H100", "vendor=nvidia,type=gpu"; throws Error.
  static DeviceSelector parse(const std::string& text);
};

enum class Precision { FP32, FP16 };

struct Config {
  std::vector<std::string> backends = {"vulkan", "opencl", "reference"};
  DeviceSelector device;
  CacheConfig cache;          // dir defaults to $XDG_CACHE_HOME/tandem or ~/.cache/tandem
  Precision precision = Precision::FP32;
  bool tuning = false;        // `tuning: auto` turns it on
  LogLevel log = LogLevel::Info;

  static Config defaults();
  // Reads a YAML file over the defaults. Unknown keys, wrong types and bad values throw
  // Error naming the file, line and key: "cfg.yaml:3: cache.mode: 'rw' is not one of ...".
  static Config load(const std::string& path);
  static Config parse(const std::string& yaml_text, const std::string& source_name);
  // TANDEM_BACKEND (comma list), TANDEM_DEVICE (selector), TANDEM_CACHE_DIR override.
  void apply_environment();
};

// "~/x" → "$HOME/x".
std::string expand_home(const std::string& path);

// An on/off switch in the environment, with which tests and measurements force a backend's
// choice: nullopt when unset, true for "on", false for "off", an Error naming the variable
// for any other value.
std::optional<bool> environment_switch(const char* variable);

}  // namespace tandem
