#pragma once
#include <string>
#include <vector>

#include "conformance/results.h"

namespace tandem::conformance {

// JUnit XML: one <testsuite> per backend and device, one <testcase> per case (classname
// "<backend>.<device>.<family>"); fail and xpass are <failure>, skip and xfail <skipped>.
std::string render_junit(const RunReport& report);
void write_junit(const RunReport& report, const std::string& path);

// JSON, one file per backend and device (docs/conformance.md, "Reports"). `target` is a
// directory (existing, or ending in '/') that receives <backend>-<device>.json files, or
// else a prefix: "out/run1" gives out/run1-<backend>-<device>.json. Returns the paths.
std::string render_lane_json(const LaneReport& lane, const std::string& tandem_version);
std::vector<std::string> write_json_reports(const RunReport& report, const std::string& target);
std::string json_file_name(const LaneReport& lane);  // "opencl-pocl-cpu-haswell.json"

// Reads lane files back (any mix of machines); lanes with the same host, backend and
// device identity are kept once, the later file winning. Throws Error naming the file.
LaneReport parse_lane_json(const std::string& text, const std::string& source_name,
                           std::string* tandem_version = nullptr);
RunReport merge_json_reports(const std::vector<std::string>& paths);

// One self-contained page (inline CSS and JS, no network): a matrix of op family x
// backend/device coloured by outcome and by worst error relative to tolerance, with
// drill-down to every case of a cell.
std::string render_html(const RunReport& report);
void write_html(const RunReport& report, const std::string& path);

// Writes `text` to `path` or throws Error naming it.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace tandem::conformance
