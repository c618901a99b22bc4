#include <cstdio>

#include "conformance/report.h"

namespace tandem::conformance {
namespace {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        // XML 1.0 allows no other control characters, not even as references.
        if (c >= 0x20 || c == '\r')
          out += static_cast<char>(c);
        else
          out += '?';
    }
  }
  return out;
}

std::string seconds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

std::string class_name(const LaneReport& lane, const CaseResult& result) {
  std::string device;
  for (char c : lane.device.name) device += (c == '.' || c == ' ') ? '_' : c;
  return lane.backend + "." + device + "." + result.family;
}

std::string test_case(const LaneReport& lane, const CaseResult& r) {
  const std::string name = r.case_id.substr(r.case_id.find('/') + 1);
  std::string xml = "    <testcase classname=\"" + xml_escape(class_name(lane, r)) + "\" name=\"" +
                    xml_escape(name) + "\" time=\"" + seconds(r.duration_ms / 1000.0) + "\"";
  switch (r.outcome) {
    case Outcome::Pass:
      return xml + "/>\n";
    case Outcome::Fail:
    case Outcome::UnexpectedPass:
      xml += ">\n      <failure type=\"" + std::string(outcome_name(r.outcome)) + "\" message=\"" +
             xml_escape(r.reason) + "\"/>\n";
      break;
    case Outcome::Skip:
    case Outcome::ExpectedFailure:
      xml += ">\n      <skipped message=\"" +
             xml_escape(std::string(outcome_name(r.outcome)) + ": " + r.reason) + "\"/>\n";
      break;
  }
  return xml + "    </testcase>\n";
}

}  // namespace

std::string render_junit(const RunReport& report) {
  int tests = 0;
  int failures = 0;
  int skipped = 0;
  std::string suites;
  for (const LaneReport& lane : report.lanes) {
    const OutcomeCounts c = lane.counts();
    tests += c.total();
    failures += c.failures();
    skipped += c.skip + c.xfail;
    suites += "  <testsuite name=\"" + xml_escape(lane.label()) + "\" tests=\"" +
              std::to_string(c.total()) + "\" failures=\"" + std::to_string(c.failures()) +
              "\" errors=\"0\" skipped=\"" + std::to_string(c.skip + c.xfail) + "\" time=\"" +
              seconds(lane.duration_s) + "\" hostname=\"" + xml_escape(lane.host) +
              "\" timestamp=\"" + xml_escape(lane.started_at) + "\">\n";
    suites += "    <properties>\n      <property name=\"device\" value=\"" +
              xml_escape(lane.device.name) + "\"/>\n      <property name=\"vendor\" value=\"" +
              xml_escape(lane.device.vendor) + "\"/>\n      <property name=\"note\" value=\"" +
              xml_escape(lane.note) + "\"/>\n";
    for (const auto& [key, value] : lane.device.identity) {
      suites += "      <property name=\"identity." + xml_escape(key) + "\" value=\"" +
                xml_escape(value) + "\"/>\n";
    }
    suites += "    </properties>\n";
    for (const CaseResult& r : lane.results) suites += test_case(lane, r);
    suites += "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tandem conformance\" "
         "tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\">\n" + suites +
         "</testsuites>\n";
}

void write_junit(const RunReport& report, const std::string& path) {
  write_text_file(path, render_junit(report));
}

}  // namespace tandem::conformance
