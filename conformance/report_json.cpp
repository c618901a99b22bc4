#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "conformance/json_number.h"
#include "conformance/report.h"

namespace tandem::conformance {
namespace {

using nlohmann::json;

double read_number(const json& value, double fallback = 0.0) {
  if (value.is_number()) return value.get<double>();
  if (!value.is_string()) return fallback;
  const std::string text = value.get<std::string>();
  if (text == "nan") return std::nan("");
  if (text == "inf") return INFINITY;
  if (text == "-inf") return -INFINITY;
  return fallback;
}

std::string slug(const std::string& text) {
  std::string result;
  for (char c : text) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (keep)
      result += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!result.empty() && result.back() != '-')
      result += '-';
    if (result.size() >= 48) break;
  }
  while (!result.empty() && result.back() == '-') result.pop_back();
  return result.empty() ? "device" : result;
}

json device_json(const DeviceInfo& device) {
  json identity = json::array();
  for (const auto& [key, value] : device.identity) identity.push_back({key, value});
  return {{"backend", device.backend}, {"index", device.index},
          {"name", device.name},       {"vendor", device.vendor},
          {"type", device.type},       {"driver_version", device.driver_version},
          {"identity", identity}};
}

json result_json(const CaseResult& r) {
  const Comparison& c = r.comparison;
  json tolerance = {{"abs", json_number(r.tolerance.abs)},
                    {"rel", json_number(r.tolerance.rel)},
                    {"ulp", r.tolerance.ulp},
                    {"nan", nan_policy_name(r.tolerance.nan)},
                    {"ftz", r.tolerance.flush_denormals},
                    {"reason", r.tolerance.reason}};
  json result = {{"case", r.case_id},
                 {"family", r.family},
                 {"op", r.op},
                 {"status", outcome_name(r.outcome)},
                 {"reason", r.reason},
                 {"max_abs_err", json_number(c.max_abs_err)},
                 {"max_rel_err", json_number(c.max_rel_err)},
                 {"max_ulp", c.max_ulp},
                 {"tolerance_ratio", json_number(c.tolerance_ratio)},
                 {"mismatches", c.mismatches},
                 {"worst_output", c.worst_output},
                 {"worst_index", c.worst_index},
                 {"expected", json_number(c.worst_expected)},
                 {"actual", json_number(c.worst_actual)},
                 {"tolerance", tolerance},
                 {"duration_ms", json_number(r.duration_ms)}};
  if (!r.cache_status.empty()) result["cache_status"] = r.cache_status;
  return result;
}

std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::int64_t int_of(const json& object, const char* key, std::int64_t fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<std::int64_t>() : fallback;
}

DeviceInfo device_from(const json& d) {
  DeviceInfo device;
  device.backend = text_of(d, "backend");
  device.index = static_cast<int>(int_of(d, "index", 0));
  device.name = text_of(d, "name");
  device.vendor = text_of(d, "vendor");
  device.type = text_of(d, "type");
  device.driver_version = text_of(d, "driver_version");
  for (const json& field : d.value("identity", json::array())) {
    if (field.is_array() && field.size() == 2)
      device.identity.emplace_back(field[0].get<std::string>(), field[1].get<std::string>());
  }
  return device;
}

CaseResult result_from(const json& r) {
  CaseResult result;
  result.case_id = text_of(r, "case");
  result.family = text_of(r, "family");
  result.op = text_of(r, "op");
  result.outcome = outcome_from_name(text_of(r, "status"));
  result.reason = text_of(r, "reason");
  result.cache_status = text_of(r, "cache_status");
  Comparison& c = result.comparison;
  c.max_abs_err = read_number(r.value("max_abs_err", json()));
  c.max_rel_err = read_number(r.value("max_rel_err", json()));
  c.max_ulp = int_of(r, "max_ulp", 0);
  c.tolerance_ratio = read_number(r.value("tolerance_ratio", json()));
  c.mismatches = int_of(r, "mismatches", 0);
  c.worst_output = static_cast<int>(int_of(r, "worst_output", -1));
  c.worst_index = int_of(r, "worst_index", -1);
  c.worst_expected = read_number(r.value("expected", json()));
  c.worst_actual = read_number(r.value("actual", json()));
  c.passed = !is_failure(result.outcome);
  const json t = r.value("tolerance", json::object());
  result.tolerance.abs = read_number(t.value("abs", json()));
  result.tolerance.rel = read_number(t.value("rel", json()));
  result.tolerance.ulp = int_of(t, "ulp", -1);
  result.tolerance.nan = text_of(t, "nan") == "ignore" ? NanPolicy::Ignore : NanPolicy::Match;
  result.tolerance.flush_denormals = t.value("ftz", true);
  result.tolerance.reason = text_of(t, "reason");
  result.duration_ms = read_number(r.value("duration_ms", json()));
  return result;
}

std::string lane_key(const LaneReport& lane) {
  std::string key = lane.host + "|" + lane.backend + "|" + lane.device.name;
  for (const auto& [field, value] : lane.device.identity) key += "|" + field + "=" + value;
  return key;
}

}  // namespace

std::string json_file_name(const LaneReport& lane) {
  return lane.backend + "-" + (lane.available ? slug(lane.device.name) : "unavailable") + ".json";
}

std::string render_lane_json(const LaneReport& lane, const std::string& tandem_version) {
  const OutcomeCounts counts = lane.counts();
  json results = json::array();
  for (const CaseResult& r : lane.results) results.push_back(result_json(r));
  json document = {{"format", "tandem-conformance-1"},
                   {"tandem_version", tandem_version},
                   {"host", lane.host},
                   {"started_at", lane.started_at},
                   {"duration_s", json_number(lane.duration_s)},
                   {"backend", lane.backend},
                   {"available", lane.available},
                   {"note", lane.note},
                   {"device", device_json(lane.device)},
                   {"summary",
                    {{"pass", counts.pass},
                     {"fail", counts.fail},
                     {"skip", counts.skip},
                     {"xfail", counts.xfail},
                     {"xpass", counts.xpass}}},
                   {"results", results}};
  return document.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::vector<std::string> write_json_reports(const RunReport& report, const std::string& target) {
  namespace fs = std::filesystem;
  std::error_code error;
  const bool directory =
      fs::is_directory(target, error) || (!target.empty() && target.back() == '/');
  if (directory) fs::create_directories(target, error);
  std::vector<std::string> paths;
  std::map<std::string, int> used;
  for (const LaneReport& lane : report.lanes) {
    // Two devices may share a name (two ICDs for one GPU): number the later ones.
    std::string name = json_file_name(lane);
    if (const int seen = used[name]++; seen > 0) {
      name = name.substr(0, name.size() - 5) + "-" + std::to_string(seen + 1) + ".json";
    }
    const std::string path = directory ? (fs::path(target) / name).string() : target + "-" + name;
    write_text_file(path, render_lane_json(lane, report.tandem_version));
    paths.push_back(path);
  }
  return paths;
}

LaneReport parse_lane_json(const std::string& text, const std::string& source_name,
                           std::string* tandem_version) {
  try {
    const json document = json::parse(text);
    check(text_of(document, "format") == "tandem-conformance-1",
          "not a tandem conformance report (format '" + text_of(document, "format") + "')");
    LaneReport lane;
    lane.backend = text_of(document, "backend");
    lane.available = document.value("available", true);
    lane.note = text_of(document, "note");
    lane.host = text_of(document, "host");
    lane.started_at = text_of(document, "started_at");
    lane.duration_s = read_number(document.value("duration_s", json()));
    lane.device = device_from(document.value("device", json::object()));
    for (const json& r : document.value("results", json::array()))
      lane.results.push_back(result_from(r));
    if (tandem_version) *tandem_version = text_of(document, "tandem_version");
    return lane;
  } catch (const json::exception& error) {
    fail(source_name + ": " + error.what());
  } catch (const Error& error) {
    fail(source_name + ": " + error.what());
  }
}

RunReport merge_json_reports(const std::vector<std::string>& paths) {
  RunReport merged;
  std::map<std::string, std::size_t> index_of;
  for (const std::string& path : paths) {
    std::ifstream file(path);
    check(file.good(), "cannot read report '" + path + "'");
    std::stringstream text;
    text << file.rdbuf();
    std::string version;
    LaneReport lane = parse_lane_json(text.str(), path, &version);
    if (merged.tandem_version.empty())
      merged.tandem_version = version;
    else if (merged.tandem_version != version &&
             merged.tandem_version.find(version) == std::string::npos) {
      merged.tandem_version += ", " + version;
    }
    const auto [it, inserted] = index_of.emplace(lane_key(lane), merged.lanes.size());
    if (inserted)
      merged.lanes.push_back(std::move(lane));
    else
      merged.lanes[it->second] = std::move(lane);
  }
  return merged;
}

void write_text_file(const std::string& path, const std::string& text) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  check(file.good(), "cannot write '" + path + "'");
  file << text;
  file.close();
  check(!file.fail(), "cannot write '" + path + "'");
}

}  // namespace tandem::conformance
