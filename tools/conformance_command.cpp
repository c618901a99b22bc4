// tandem conformance: runs the suite's cases (conformance/cases/*.yaml) and cache
// scenarios on every selected backend and device, against the float64 reference.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "conformance/case.h"
#include "conformance/progress.h"
#include "conformance/report.h"
#include "conformance/runner.h"
#include "tools/cli_support.h"
#include "tools/commands.h"

namespace tandem::tools {
namespace {

struct ConformanceOptions {
  std::string config;
  std::vector<std::string> backends;
  std::string device;
  std::string filter;
  std::string junit;
  std::string json;
  std::string html;
  // Lanes (backend x device) and reference results run in parallel up to this.
  int jobs = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  std::string cases_dir;
  std::string expectations_dir;
  std::string cache_dir;
  bool no_cache_scenarios = false;
  bool list = false;
  bool verbose = false;
};

void write_reports(const conformance::RunReport& report, const ConformanceOptions& options) {
  if (!options.junit.empty()) {
    conformance::write_junit(report, options.junit);
    std::printf("junit: %s\n", options.junit.c_str());
  }
  if (!options.json.empty()) {
    for (const std::string& path : conformance::write_json_reports(report, options.json)) {
      std::printf("json: %s\n", path.c_str());
    }
  }
  if (!options.html.empty()) {
    conformance::write_html(report, options.html);
    std::printf("html: %s\n", options.html.c_str());
  }
}

int run_conformance_command(const ConformanceOptions& options) {
  const Config config = load_config(options.config, options.backends, options.device);
  // Backends log every cache they set aside; the scenarios provoke that on purpose, and
  // every result carries its own reason, so only errors are shown unless asked.
  if (!options.verbose) set_log_level(std::max(config.log, LogLevel::Error));
  const std::string cases_dir =
      options.cases_dir.empty() ? conformance::default_cases_dir() : options.cases_dir;
  const std::vector<conformance::Case> cases = conformance::load_cases(cases_dir);
  if (options.list) {
    for (const conformance::Case* c : conformance::select_cases(cases, options.filter)) {
      std::printf("%s\t%s\t%s\n", c->id().c_str(), c->op_label.c_str(), c->source.c_str());
    }
    return 0;
  }
  conformance::RunnerOptions runner;
  runner.backends = config.backends;
  runner.device = config.device;  // empty unless given: every device
  runner.filter = options.filter;
  runner.jobs = options.jobs;
  runner.source_root = conformance::source_root();
  runner.expectations_dir = options.expectations_dir.empty()
                                ? conformance::default_expectations_dir()
                                : options.expectations_dir;
  runner.cache_dir = options.cache_dir;
  runner.cache_scenarios = !options.no_cache_scenarios;
  conformance::Progress progress(stderr, ::isatty(STDERR_FILENO) != 0);
  runner.progress = &progress;
  const conformance::RunReport report = conformance::run_conformance(cases, runner);
  progress.finish();
  std::printf("%s", conformance::summary_table(report).c_str());
  write_reports(report, options);
  return report.has_failures() ? 1 : 0;
}

}  // namespace

void add_conformance_command(CLI::App& app) {
  auto options = std::make_shared<ConformanceOptions>();
  CLI::App* command = app.add_subcommand(
      "conformance",
      "Run the conformance suite on every backend and device against the float64 reference");
  command->add_option("--config", options->config, "YAML config: backends, device, log level");
  command->add_option("--backend", options->backends,
                      "backend to test; repeat for several (default: the config's)");
  command->add_option(
      "--device", options->device,
      "device selector: gpu, cpu, index=1, vendor=nvidia, name=H100 (default: every device)");
  command->add_option("--filter", options->filter,
                      "regular expression searched in case ids, e.g. 'conv/' or '_13$'");
  command->add_option("--junit", options->junit, "write JUnit XML to this file");
  command->add_option(
      "--json", options->json,
      "write one JSON file per backend and device: into this directory, or with this prefix");
  command->add_option("--html", options->html, "write the self-contained HTML report to this file");
  command
      ->add_option(
          "--jobs", options->jobs,
          "threads for reference results and for backend/device lanes (default: CPUs, at most 4)")
      ->check(CLI::Range(1, 256));
  command->add_option("--cases", options->cases_dir,
                      "case directory (default: the source tree's conformance/cases)");
  command->add_option(
      "--expectations", options->expectations_dir,
      "skip-list directory with <backend>.yaml (default: conformance/expectations)");
  command->add_option(
      "--cache-dir", options->cache_dir,
      "kernel cache for the op cases (default: a fresh temporary directory per run)");
  command->add_flag("--no-cache-scenarios", options->no_cache_scenarios,
                    "skip the cache scenarios");
  command->add_flag("--list", options->list, "list the selected cases and exit");
  command->add_flag("--verbose", options->verbose,
                    "keep the config's log level (backends' cache warnings ...)");
  command->callback(
      [options] { run_guarded([options] { return run_conformance_command(*options); }); });
}

}  // namespace tandem::tools
