#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/config.h"

namespace tandem::tools {

// Runs a subcommand's body. A tandem::Error (or any std::exception) becomes one line on
// stderr, "tandem: error: ...", and exit code 1; a non-zero return becomes that exit code.
void run_guarded(const std::function<int()>& body);

// The config a command runs with: the file (or defaults), then TANDEM_* variables, then
// the command line's --backend and --device, each overriding the one before.
Config load_config(const std::string& config_path, const std::vector<std::string>& backends,
                   const std::string& device);

}  // namespace tandem::tools
