#include "conformance/report.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/temp_dir.h"

namespace tandem::conformance {
namespace {

namespace fs = std::filesystem;

CaseResult result(const std::string& id, Outcome outcome, double ratio,
                  const std::string& reason = "") {
  CaseResult r;
  r.case_id = id;
  r.family = id.substr(0, id.find('/'));
  r.op = "Relu";
  r.outcome = outcome;
  r.reason = reason;
  r.comparison.tolerance_ratio = ratio;
  r.comparison.max_abs_err = ratio * 1e-5;
  r.comparison.max_rel_err = ratio * 1e-4;
  r.comparison.max_ulp = static_cast<std::int64_t>(std::isfinite(ratio) ? ratio * 10 : 99);
  r.comparison.worst_output = 0;
  r.comparison.worst_index = 17;
  r.comparison.worst_expected = 0.25;
  r.comparison.worst_actual = std::isfinite(ratio) ? 0.25 + ratio * 1e-5 : std::nan("");
  r.comparison.passed = outcome == Outcome::Pass;
  r.tolerance.abs = 1e-5;
  r.tolerance.rel = 1e-4;
  r.tolerance.ulp = 4;
  r.tolerance.reason = "float32 rounding";
  r.duration_ms = 1.5;
  return r;
}

RunReport sample_report(const std::string& host) {
  LaneReport opencl;
  opencl.backend = "opencl";
  opencl.device = {"opencl",
                   0,
                   "pocl-cpu-haswell Intel(R) Xeon",
                   "GenuineIntel",
                   "cpu",
                   "3.1",
                   {{"platform", "Portable Computing Language"}, {"driver_version", "3.1"}}};
  opencl.host = host;
  opencl.started_at = "2024-01-02T03:04:05Z";
  opencl.duration_s = 12.5;
  opencl.results = {
      result("eltwise/Relu_13", Outcome::Pass, 0.0),
      result("eltwise/Sigmoid_257", Outcome::Pass, 0.4),
      result("conv/conv_c13", Outcome::Fail, INFINITY,
             "output 0: \"NaN\" <where> & 'inf'\nsecond line"),
      result("conv/conv_big", Outcome::Skip, 0.0, "node 'x' (Conv): group > 1 is not supported"),
      result("resize/cubic", Outcome::ExpectedFailure, 3.0, "expected failure (issue 12): off"),
      result("pool/max_3", Outcome::UnexpectedPass, 0.1, "listed but passes")};
  opencl.results[1].cache_status = "hit";
  LaneReport vulkan;
  vulkan.backend = "vulkan";
  vulkan.available = false;
  vulkan.note = "vulkan backend: not built yet";
  vulkan.host = host;
  RunReport report;
  report.tandem_version = "0.1.0";
  report.lanes = {opencl, vulkan};
  return report;
}

std::string slurp(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(JsonReport, OneFilePerLaneThatYamlCppReadsBack) {
  TempDir dir("tandem-report-test");
  const RunReport report = sample_report("ci-1");
  const std::vector<std::string> paths = write_json_reports(report, dir.path());
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(fs::path(paths[0]).filename(), "opencl-pocl-cpu-haswell-intel-r-xeon.json");
  EXPECT_EQ(fs::path(paths[1]).filename(), "vulkan-unavailable.json");
  const YAML::Node lane = YAML::LoadFile(paths[0]);
  EXPECT_EQ(lane["backend"].as<std::string>(), "opencl");
  EXPECT_EQ(lane["host"].as<std::string>(), "ci-1");
  EXPECT_EQ(lane["device"]["name"].as<std::string>(), "pocl-cpu-haswell Intel(R) Xeon");
  EXPECT_EQ(lane["device"]["identity"][0][0].as<std::string>(), "platform");
  EXPECT_EQ(lane["device"]["identity"][1][1].as<std::string>(), "3.1");
  EXPECT_EQ(lane["summary"]["pass"].as<int>(), 2);
  EXPECT_EQ(lane["summary"]["fail"].as<int>(), 1);
  EXPECT_EQ(lane["summary"]["xpass"].as<int>(), 1);
  const YAML::Node results = lane["results"];
  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(results[1]["case"].as<std::string>(), "eltwise/Sigmoid_257");
  EXPECT_NEAR(results[1]["tolerance_ratio"].as<double>(), 0.4, 1e-15);
  EXPECT_EQ(results[1]["max_ulp"].as<int>(), 4);
  EXPECT_EQ(results[1]["worst_index"].as<int>(), 17);
  EXPECT_EQ(results[1]["cache_status"].as<std::string>(), "hit");
  EXPECT_EQ(results[1]["tolerance"]["reason"].as<std::string>(), "float32 rounding");
  EXPECT_EQ(results[2]["status"].as<std::string>(), "fail");
  EXPECT_EQ(results[2]["tolerance_ratio"].as<std::string>(), "inf");
  EXPECT_EQ(results[2]["actual"].as<std::string>(), "nan");
  EXPECT_EQ(results[2]["reason"].as<std::string>(),
            "output 0: \"NaN\" <where> & 'inf'\nsecond line");
  const YAML::Node unavailable = YAML::LoadFile(paths[1]);
  EXPECT_FALSE(unavailable["available"].as<bool>());
  EXPECT_EQ(unavailable["note"].as<std::string>(), "vulkan backend: not built yet");
}

TEST(JsonReport, DevicesSharingANameGetNumberedFiles) {
  TempDir dir("tandem-report-test");
  RunReport report = sample_report("h");
  report.lanes.push_back(report.lanes[0]);
  const std::vector<std::string> paths = write_json_reports(report, dir.path() + "/");
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(fs::path(paths[2]).filename(), "opencl-pocl-cpu-haswell-intel-r-xeon-2.json");
  EXPECT_TRUE(fs::exists(paths[0]) && fs::exists(paths[2]));
}

TEST(JsonReport, PrefixTargetsNameFilesAfterThePrefix) {
  TempDir dir("tandem-report-test");
  const std::vector<std::string> paths =
      write_json_reports(sample_report("h"), dir.path() + "/run1");
  EXPECT_EQ(fs::path(paths[1]).filename(), "run1-vulkan-unavailable.json");
  EXPECT_TRUE(fs::exists(paths[0]));
}

TEST(JsonReport, MergeKeepsEveryMachineOnceAndRoundTripsNumbers) {
  TempDir dir("tandem-report-test");
  std::vector<std::string> paths =
      write_json_reports(sample_report("machine-a"), dir.path() + "/a");
  for (const std::string& path : write_json_reports(sample_report("machine-b"), dir.path() + "/b"))
    paths.push_back(path);
  paths.push_back(paths[0]);  // the same lane given twice counts once
  const RunReport merged = merge_json_reports(paths);
  ASSERT_EQ(merged.lanes.size(), 4u);
  EXPECT_EQ(merged.lanes[0].host, "machine-a");
  EXPECT_EQ(merged.lanes[2].host, "machine-b");
  EXPECT_EQ(merged.tandem_version, "0.1.0");
  const RunReport original = sample_report("machine-a");
  const LaneReport& lane = merged.lanes[0];
  ASSERT_EQ(lane.results.size(), original.lanes[0].results.size());
  for (std::size_t i = 0; i < lane.results.size(); ++i) {
    const CaseResult& a = lane.results[i];
    const CaseResult& b = original.lanes[0].results[i];
    EXPECT_EQ(a.case_id, b.case_id);
    EXPECT_EQ(a.outcome, b.outcome);
    EXPECT_EQ(a.reason, b.reason);
    EXPECT_EQ(a.comparison.max_ulp, b.comparison.max_ulp);
    EXPECT_EQ(a.comparison.tolerance_ratio, b.comparison.tolerance_ratio);
    EXPECT_EQ(a.tolerance.ulp, 4);
  }
  EXPECT_EQ(lane.device.identity, original.lanes[0].device.identity);
  EXPECT_EQ(lane.counts().xpass, 1);
  EXPECT_FALSE(merged.lanes[1].available);
}

TEST(JsonReport, MergeRejectsOtherFilesByName) {
  TempDir dir("tandem-report-test");
  write_text_file(dir.path() + "/other.json", "{\"format\": \"something-else\"}");
  write_text_file(dir.path() + "/broken.json", "{\"format\": ");
  for (const char* name : {"/other.json", "/broken.json", "/missing.json"}) {
    try {
      merge_json_reports({dir.path() + name});
      ADD_FAILURE() << name;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(name + 1), std::string::npos) << error.what();
    }
  }
}

bool have_python() { return fs::exists("/usr/bin/python3"); }

TEST(JunitReport, IsWellFormedXmlWithTheRightCounts) {
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 is not installed to check the XML";
  TempDir dir("tandem-report-test");
  const std::string xml = dir.path() + "/junit.xml";
  const std::string out = dir.path() + "/counts.txt";
  write_junit(sample_report("h"), xml);
  const std::string command =
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E; r = "
      "E.parse(sys.argv[1]).getroot(); "
      "s = r.findall('testsuite'); print(r.get('tests'), r.get('failures'), r.get('skipped'), "
      "len(s), "
      "len(s[0].findall('testcase')), len(s[0].findall('testcase/failure')), "
      "s[0].find('testcase/failure').get('message'))\" " +
      xml + " > " + out;
  ASSERT_EQ(std::system(command.c_str()), 0) << slurp(xml);
  EXPECT_EQ(slurp(out), "6 2 2 2 6 2 output 0: \"NaN\" <where> & 'inf'\nsecond line\n");
}

TEST(HtmlReport, SelfContainedWithTheDataInside) {
  const std::string html = render_html(sample_report("h"));
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("eltwise/Sigmoid_257"), std::string::npos);
  // The failing reason's "<where>" must not close or open markup inside the script.
  EXPECT_EQ(html.find("<where>"), std::string::npos);
  EXPECT_EQ(html.find("/*TANDEM_DATA*/"), std::string::npos);
}

// Renders a page in headless Chromium; returns the screenshot's size in bytes, or -1.
long screenshot(const std::string& html_path, const std::string& png_path) {
  const std::string command =
      "timeout 90 /usr/bin/chromium --headless --no-sandbox --disable-gpu "
      "--hide-scrollbars --window-size=1400,1000 --screenshot=" +
      png_path + " file://" + html_path + " > /dev/null 2>&1";
  if (std::system(command.c_str()) != 0 || !fs::exists(png_path)) return -1;
  return static_cast<long>(fs::file_size(png_path));
}

TEST(HtmlReport, RendersInHeadlessChromium) {
  if (!fs::exists("/usr/bin/chromium"))
    GTEST_SKIP() << "chromium is not installed (apt-get install -y chromium)";
  TempDir dir("tandem-report-test");
  const char* keep = std::getenv("TANDEM_KEEP_SCREENSHOT");
  const std::string out = keep && *keep ? keep : dir.path();
  write_html(sample_report("h"), out + "/report.html");
  write_text_file(out + "/blank.html", "<!DOCTYPE html><html><body></body></html>");
  const long blank = screenshot(out + "/blank.html", out + "/blank.png");
  const long report = screenshot(out + "/report.html", out + "/report.png");
  ASSERT_GT(blank, 0) << "chromium could not render a blank page";
  ASSERT_GT(report, 0);
  const std::string png = slurp(out + "/report.png").substr(0, 8);
  EXPECT_EQ(png, "\x89PNG\r\n\x1a\n");
  // A blank page compresses to almost nothing; tables, colours and text do not.
  EXPECT_GT(report, 4 * blank) << "report " << report << " bytes, blank " << blank;
}

}  // namespace
}  // namespace tandem::conformance
