// `tandem devices`: every device of every backend, with the identity fields caches key on.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/backend.h"
#include "tools/cli_support.h"
#include "tools/commands.h"

namespace tandem::tools {

namespace {

struct BackendDevices {
  std::string backend;
  std::vector<DeviceInfo> devices;
  std::string error;   // why the backend shows no devices
};

std::vector<BackendDevices> list_all() {
  std::vector<BackendDevices> result;
  for (const std::string& name : BackendRegistry::instance().names()) {
    BackendDevices entry{name, {}, {}};
    try {
      entry.devices = BackendRegistry::instance().create(name)->devices();
    } catch (const std::exception& error) {
      entry.error = error.what();
    }
    result.push_back(std::move(entry));
  }
  return result;
}

nlohmann::json to_json(const std::vector<BackendDevices>& all) {
  nlohmann::json backends = nlohmann::json::array();
  for (const BackendDevices& entry : all) {
    nlohmann::json devices = nlohmann::json::array();
    for (const DeviceInfo& device : entry.devices) {
      nlohmann::json identity = nlohmann::json::object();
      for (const auto& [key, value] : device.identity) identity[key] = value;
      devices.push_back({{"index", device.index}, {"name", device.name},
                         {"vendor", device.vendor}, {"type", device.type},
                         {"driver_version", device.driver_version}, {"identity", identity}});
    }
    nlohmann::json backend = {{"backend", entry.backend}, {"devices", devices}};
    if (!entry.error.empty()) backend["error"] = entry.error;
    backends.push_back(backend);
  }
  return {{"backends", backends}};
}

void print_text(const std::vector<BackendDevices>& all) {
  for (const BackendDevices& entry : all) {
    if (!entry.error.empty()) {
      std::printf("%s: unavailable (%s)\n", entry.backend.c_str(), entry.error.c_str());
      continue;
    }
    for (const DeviceInfo& device : entry.devices) {
      std::printf("%s #%d: %s [%s, %s, driver %s]\n", entry.backend.c_str(), device.index,
                  device.name.c_str(), device.type.c_str(), device.vendor.c_str(),
                  device.driver_version.c_str());
      for (const auto& [key, value] : device.identity) {
        std::printf("    %-24s %s\n", key.c_str(), value.c_str());
      }
    }
  }
}

}  // namespace

void add_devices_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("devices", "List every OpenCL and Vulkan device with its identity");
  auto json = std::make_shared<bool>(false);
  command->add_flag("--json", *json, "Print one JSON object");
  command->callback([json] {
    run_guarded([&] {
      const auto all = list_all();
      if (*json) {
        std::printf("%s\n", to_json(all).dump(2).c_str());
      } else {
        print_text(all);
      }
      return 0;
    });
  });
}

}  // namespace tandem::tools
