#include "tools/commands.h"

namespace tandem::tools {
void add_run_command(CLI::App& app) { app.add_subcommand("run", "(not built yet)"); }
}  // namespace tandem::tools
