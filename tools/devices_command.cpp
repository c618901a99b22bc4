#include "tools/commands.h"

namespace tandem::tools {
void add_devices_command(CLI::App& app) { app.add_subcommand("devices", "(not built yet)"); }
}  // namespace tandem::tools
