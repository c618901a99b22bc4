#include "conformance/expectations.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace tandem::conformance {
namespace {

std::regex compile_pattern(const std::string& pattern, std::regex::flag_type flags,
                           const std::string& where) {
  try {
    return std::regex(pattern, flags);
  } catch (const std::regex_error& error) {
    fail(where + ": invalid regular expression '" + pattern + "': " + error.what());
  }
}

std::vector<ExpectationRule> parse_rules(const YAML::Node& list, const std::string& where) {
  std::vector<ExpectationRule> rules;
  if (!list) return rules;
  check(list.IsSequence(), where + ": expected a list of {case, reason, device}");
  for (const YAML::Node& item : list) {
    const std::string at = where + ":" + std::to_string(item.Mark().line + 1);
    check(item.IsMap() && item["case"] && item["reason"],
          at + ": each entry needs case and reason");
    for (const auto& key : item) {
      const std::string name = key.first.Scalar();
      check(name == "case" || name == "reason" || name == "device",
            at + ": unknown key '" + name + "'");
    }
    ExpectationRule rule;
    rule.case_pattern = item["case"].Scalar();
    rule.reason = item["reason"].Scalar();
    check(!rule.reason.empty(), at + ": the reason must not be empty");
    if (item["device"]) rule.device_pattern = item["device"].Scalar();
    rule.case_regex = compile_pattern(rule.case_pattern, std::regex::ECMAScript, at);
    rule.device_regex =
        compile_pattern(rule.device_pattern, std::regex::ECMAScript | std::regex::icase, at);
    rules.push_back(std::move(rule));
  }
  return rules;
}

const ExpectationRule* find(const std::vector<ExpectationRule>& rules, const std::string& case_id,
                            const std::string& device) {
  for (const ExpectationRule& rule : rules) {
    if (rule.matches(case_id, device)) return &rule;
  }
  return nullptr;
}

}  // namespace

bool ExpectationRule::matches(const std::string& case_id, const std::string& device_name) const {
  if (!std::regex_match(case_id, case_regex)) return false;
  return device_pattern.empty() || std::regex_search(device_name, device_regex);
}

const ExpectationRule* Expectations::find_unsupported(const std::string& case_id,
                                                      const std::string& device) const {
  return find(unsupported, case_id, device);
}

const ExpectationRule* Expectations::find_expected_failure(const std::string& case_id,
                                                           const std::string& device) const {
  return find(expected_failures, case_id, device);
}

Expectations parse_expectations(const std::string& yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    fail(source_name + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  Expectations expectations;
  if (root.IsNull()) return expectations;
  check(root.IsMap(), source_name + ": expected a map with unsupported and expected_failure");
  for (const auto& key : root) {
    const std::string name = key.first.Scalar();
    check(name == "unsupported" || name == "expected_failure",
          source_name + ": unknown key '" + name + "'");
  }
  expectations.unsupported = parse_rules(root["unsupported"], source_name);
  expectations.expected_failures = parse_rules(root["expected_failure"], source_name);
  return expectations;
}

Expectations load_expectations(const std::string& dir, const std::string& backend) {
  const std::string path = dir + "/" + backend + ".yaml";
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return {};
  std::ifstream file(path);
  check(file.good(), "cannot read expectations file '" + path + "'");
  std::stringstream text;
  text << file.rdbuf();
  return parse_expectations(text.str(), path);
}

}  // namespace tandem::conformance
