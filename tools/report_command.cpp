#include "tools/commands.h"

namespace tandem::tools {
void add_report_command(CLI::App& app) { app.add_subcommand("report", "(not built yet)"); }
}  // namespace tandem::tools
