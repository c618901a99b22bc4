// tandem report merge: combines conformance JSON reports from many machines into one
// HTML page (and optionally JUnit XML and re-written JSON).
#include <cstdio>
#include <memory>

#include "conformance/progress.h"
#include "conformance/report.h"
#include "tools/cli_support.h"
#include "tools/commands.h"

namespace tandem::tools {
namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string html;
  std::string junit;
  std::string json;
};

int run_merge(const MergeOptions& options) {
  const conformance::RunReport report = conformance::merge_json_reports(options.inputs);
  std::printf("%s", conformance::summary_table(report).c_str());
  if (!options.html.empty()) {
    conformance::write_html(report, options.html);
    std::printf("html: %s\n", options.html.c_str());
  }
  if (!options.junit.empty()) {
    conformance::write_junit(report, options.junit);
    std::printf("junit: %s\n", options.junit.c_str());
  }
  if (!options.json.empty()) {
    for (const std::string& path : conformance::write_json_reports(report, options.json)) {
      std::printf("json: %s\n", path.c_str());
    }
  }
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app) {
  CLI::App* report = app.add_subcommand("report", "Work with conformance reports");
  report->require_subcommand(1);
  auto options = std::make_shared<MergeOptions>();
  CLI::App* merge = report->add_subcommand(
      "merge", "Merge conformance JSON reports (from any number of machines) into one report");
  merge
      ->add_option("reports", options->inputs,
                   "JSON report files written by tandem conformance --json")
      ->required()
      ->check(CLI::ExistingFile);
  merge->add_option("--html", options->html, "write the merged HTML report to this file");
  merge->add_option("--junit", options->junit, "write the merged JUnit XML to this file");
  merge->add_option("--json", options->json,
                    "re-write the merged lanes as JSON (directory or prefix)");
  merge->callback([options] { run_guarded([options] { return run_merge(*options); }); });
}

}  // namespace tandem::tools
