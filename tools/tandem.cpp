// The tandem command line: parses arguments and calls the library; nothing else.
#include <cstdio>
#include <string>
#include <vector>

#include "core/printable.h"
#include "tools/commands.h"

namespace {

// CLI11 reports a missing subcommand or positional before a word it did not know, so
// "tandem frobnicate" would only say that a subcommand is required: name the word too.
std::string describe(const CLI::ParseError& error, const CLI::App& app) {
  const std::vector<std::string> extra = app.remaining(true);
  if (!dynamic_cast<const CLI::RequiredError*>(&error) || extra.empty()) return error.what();
  const char* kind = extra.front().rfind('-', 0) == 0 ? "unknown option" : "unknown subcommand or argument";
  return std::string(kind) + " '" + extra.front() + "' (" + error.what() + ")";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tandem: run ONNX models on OpenCL and Vulkan, and check them against a float64 reference"};
  app.require_subcommand(1);
  tandem::tools::add_devices_command(app);
  tandem::tools::add_run_command(app);
  tandem::tools::add_cache_command(app);
  tandem::tools::add_conformance_command(app);
  tandem::tools::add_report_command(app);
  // Not CLI11_PARSE: its errors lack our prefix and add a "Run with --help" line, and every
  // error of tandem is one line a script can match.
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& failed) {
    return failed.get_exit_code();   // run_guarded has printed the command's error
  } catch (const CLI::Success& help) {
    return app.exit(help);           // --help: usage on stdout, exit 0
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "tandem: error: %s\n", tandem::printable(describe(error, app), 1000).c_str());
    return error.get_exit_code();
  }
  return 0;
}
