#pragma once
#include <CLI/CLI.hpp>
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

// Option checks CLI11 lacks. An empty value given on purpose ("--backend ''") is an error,
// not the option left out; a seed is a whole number that fits 64 bits, not "-1" wrapped.
CLI::Validator non_empty_value();
CLI::Validator unsigned_64_bit_value();

}  // namespace tandem::tools
