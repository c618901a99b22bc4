#include "conformance/case_values.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "core/op_registry.h"

namespace tandem::conformance {
namespace {

bool looks_integer(const std::string& text) {
  if (text.empty()) return false;
  std::size_t start = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (start == text.size()) return false;
  for (std::size_t i = start; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

bool is_number(const std::string& text) {
  bool known = false;
  special_value(text, known);
  if (known) return true;
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return !text.empty() && end && *end == '\0';
}

std::vector<std::int64_t> integers(const YAML::Node& node, const std::string& where) {
  check(node.IsSequence(), where + ": expected a list of integers");
  std::vector<std::int64_t> values;
  for (const YAML::Node& item : node) values.push_back(parse_integer(item, where));
  return values;
}

std::vector<double> numbers(const YAML::Node& node, const std::string& where) {
  check(node.IsSequence(), where + ": expected a list of numbers");
  std::vector<double> values;
  for (const YAML::Node& item : node) values.push_back(parse_number(item, where));
  return values;
}

Attribute convert(const YAML::Node& node, AttrKind kind, const std::string& where) {
  switch (kind) {
    case AttrKind::Int:
      return parse_integer(node, where);
    // ONNX float attributes are float32: a case's 0.2 means 0.2f, as an imported model's would.
    case AttrKind::Float:
      return static_cast<double>(static_cast<float>(parse_number(node, where)));
    case AttrKind::String:
      check(node.IsScalar(), where + ": expected a string");
      return node.Scalar();
    case AttrKind::Ints:
      return integers(node, where);
    case AttrKind::Floats: {
      std::vector<double> values = numbers(node, where);
      for (double& value : values) value = static_cast<double>(static_cast<float>(value));
      return values;
    }
    case AttrKind::Tensor:
      break;
  }
  throw Unsupported(where + ": tensor attributes cannot be written in a case");
}

// For ops the registry does not know (the case is then skipped, but it must still load).
AttrKind guess_kind(const YAML::Node& node) {
  if (node.IsScalar()) {
    if (looks_integer(node.Scalar())) return AttrKind::Int;
    return is_number(node.Scalar()) ? AttrKind::Float : AttrKind::String;
  }
  bool all_integer = true;
  for (const YAML::Node& item : node)
    all_integer &= item.IsScalar() && looks_integer(item.Scalar());
  return all_integer ? AttrKind::Ints : AttrKind::Floats;
}

}  // namespace

double special_value(const std::string& name, bool& known) {
  static const std::map<std::string, double> values = {
      {"nan", std::numeric_limits<double>::quiet_NaN()},
      {".nan", std::numeric_limits<double>::quiet_NaN()},
      {"inf", std::numeric_limits<double>::infinity()},
      {"+inf", std::numeric_limits<double>::infinity()},
      {".inf", std::numeric_limits<double>::infinity()},
      {"-inf", -std::numeric_limits<double>::infinity()},
      {"-.inf", -std::numeric_limits<double>::infinity()},
      {"-0", -0.0},
      {"zero", 0.0},
      // Half the smallest normal float32 (2^-127): a denormal on every float32 device.
      {"denormal", std::ldexp(1.0, -127)},
      {"-denormal", -std::ldexp(1.0, -127)},
      {"min_denormal", std::ldexp(1.0, -149)},
      {"large", 1e30},
      {"-large", -1e30},
      {"max", static_cast<double>(std::numeric_limits<float>::max())},
      {"-max", -static_cast<double>(std::numeric_limits<float>::max())},
  };
  auto it = values.find(name);
  known = it != values.end();
  return known ? it->second : 0.0;
}

double parse_number(const YAML::Node& node, const std::string& where) {
  check(node.IsScalar(), where + ": expected a number");
  const std::string text = node.Scalar();
  bool known = false;
  const double special = special_value(text, known);
  if (known) return special;
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  check(!text.empty() && end && *end == '\0', where + ": '" + text + "' is not a number");
  return value;
}

std::int64_t parse_integer(const YAML::Node& node, const std::string& where) {
  check(node.IsScalar() && looks_integer(node.Scalar()), where + ": expected an integer");
  errno = 0;
  const long long value = std::strtoll(node.Scalar().c_str(), nullptr, 10);
  check(errno == 0, where + ": '" + node.Scalar() + "' is out of range");
  return value;
}

Attributes parse_attributes(const std::string& op_type, const YAML::Node& map,
                            const std::string& where) {
  const OpSchema* schema = OpRegistry::instance().find(op_type);
  Attributes attributes;
  for (const auto& item : map) {
    const std::string name = item.first.Scalar();
    AttrKind kind = guess_kind(item.second);
    if (schema) {
      for (const AttrSpec& spec : schema->attributes) {
        if (spec.name == name) kind = spec.kind;
      }
    }
    attributes.set(name, convert(item.second, kind, where + "." + name));
  }
  return attributes;
}

}  // namespace tandem::conformance
