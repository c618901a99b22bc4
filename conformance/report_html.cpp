#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "conformance/json_number.h"
#include "conformance/report.h"
#include "conformance/report_html_page.h"

namespace tandem::conformance {
namespace {

using nlohmann::json;

std::string now_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

// What the page's script reads: short keys, one object per lane.
json page_data(const RunReport& report) {
  json lanes = json::array();
  for (const LaneReport& lane : report.lanes) {
    const OutcomeCounts c = lane.counts();
    json identity = json::array();
    for (const auto& [key, value] : lane.device.identity) identity.push_back({key, value});
    json results = json::array();
    for (const CaseResult& r : lane.results) {
      const Comparison& cmp = r.comparison;
      results.push_back({{"case", r.case_id},
                         {"family", r.family},
                         {"op", r.op},
                         {"status", outcome_name(r.outcome)},
                         {"reason", r.reason},
                         {"ratio", json_number(cmp.tolerance_ratio)},
                         {"abs", json_number(cmp.max_abs_err)},
                         {"rel", json_number(cmp.max_rel_err)},
                         {"ulp", cmp.max_ulp},
                         {"output", cmp.worst_output},
                         {"index", cmp.worst_index},
                         {"expected", json_number(cmp.worst_expected)},
                         {"actual", json_number(cmp.worst_actual)},
                         {"tol", describe(r.tolerance)},
                         {"tol_reason", r.tolerance.reason},
                         {"cache_status", r.cache_status}});
    }
    lanes.push_back({{"label", lane.label()},
                     {"backend", lane.backend},
                     {"device", lane.device.name},
                     {"vendor", lane.device.vendor},
                     {"driver", lane.device.driver_version},
                     {"host", lane.host},
                     {"available", lane.available},
                     {"note", lane.note},
                     {"identity", identity},
                     {"counts",
                      {{"pass", c.pass},
                       {"fail", c.fail},
                       {"skip", c.skip},
                       {"xfail", c.xfail},
                       {"xpass", c.xpass}}},
                     {"results", results}});
  }
  return {{"tandem_version", report.tandem_version}, {"generated_at", now_utc()}, {"lanes", lanes}};
}

}  // namespace

std::string render_html(const RunReport& report) {
  std::string data = page_data(report).dump(-1, ' ', false, json::error_handler_t::replace);
  // "</script" or "<!--" inside a script element would end or confuse it. '<' only occurs
  // inside JSON strings, where \u003c means the same character.
  std::string escaped;
  for (char c : data) {
    if (c == '<')
      escaped += "\\u003c";
    else if (c == '>')
      escaped += "\\u003e";
    else
      escaped += c;
  }
  data.swap(escaped);
  std::string page = html_page_template();
  const std::string marker = "/*TANDEM_DATA*/";
  page.replace(page.find(marker), marker.size(), data);
  return page;
}

void write_html(const RunReport& report, const std::string& path) {
  write_text_file(path, render_html(report));
}

}  // namespace tandem::conformance
