#include "tools/commands.h"

namespace tandem::tools {
void add_cache_command(CLI::App& app) { app.add_subcommand("cache", "(not built yet)"); }
}  // namespace tandem::tools
