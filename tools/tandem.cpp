// The tandem command line: parses arguments and calls the library; nothing else.
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"tandem: run ONNX models on OpenCL and Vulkan, and check them against a float64 reference"};
  app.require_subcommand(1);
  tandem::tools::add_devices_command(app);
  tandem::tools::add_run_command(app);
  tandem::tools::add_cache_command(app);
  tandem::tools::add_conformance_command(app);
  tandem::tools::add_report_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
