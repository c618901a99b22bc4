#pragma once
#include <CLI/CLI.hpp>

namespace tandem::tools {

// Each subcommand lives in its own file and adds itself to the app. Callbacks never let a
// tandem::Error escape: they print one line and exit non-zero through CLI::RuntimeError.
void add_devices_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_cache_command(CLI::App& app);
void add_conformance_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace tandem::tools
