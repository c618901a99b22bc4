#include "tools/commands.h"

namespace tandem::tools {
void add_conformance_command(CLI::App& app) { app.add_subcommand("conformance", "(not built yet)"); }
}  // namespace tandem::tools
