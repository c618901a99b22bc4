#include "conformance/case_grid.h"

#include <optional>
#include <utility>

#include "core/error.h"

namespace tandem::conformance {
namespace {

using Variables = std::vector<std::pair<std::string, YAML::Node>>;

// "$name" or "${name}" as a whole scalar: the variable's name, else empty.
std::string whole_variable_name(const std::string& text) {
  if (text.size() > 3 && text.rfind("${", 0) == 0 && text.back() == '}' &&
      text.find('}') == text.size() - 1) {
    return text.substr(2, text.size() - 3);
  }
  if (text.size() > 1 && text[0] == '$' && text.find_first_of("${} ", 1) == std::string::npos) {
    return text.substr(1);
  }
  return "";
}

// The field at dotted `path` below `node` ("m", "size.m", or "shapes.0" for a list item). No Node
// assignment here: yaml-cpp's operator= writes through to the node referred to, it does not rebind.
std::optional<YAML::Node> descend(const YAML::Node& node, const std::string& path) {
  if (path.empty()) return node;
  const std::size_t dot = path.find('.');
  const std::string field = path.substr(0, dot);
  const std::string rest = dot == std::string::npos ? "" : path.substr(dot + 1);
  if (node.IsSequence() && !field.empty() &&
      field.find_first_not_of("0123456789") == std::string::npos) {
    const std::size_t index = std::stoul(field);
    if (index >= node.size()) return std::nullopt;
    return descend(node[index], rest);
  }
  if (!node.IsMap() || !node[field]) return std::nullopt;
  return descend(node[field], rest);
}

// "name" or "name.field.field": a variable, or a field of a variable whose values are maps.
std::optional<YAML::Node> find_variable(const Variables& variables, const std::string& path) {
  const std::size_t dot = path.find('.');
  for (const auto& [known, value] : variables) {
    if (known == path.substr(0, dot))
      return descend(value, dot == std::string::npos ? "" : path.substr(dot + 1));
  }
  return std::nullopt;
}

std::string substitute_text(std::string text, const Variables& variables,
                            const std::string& where) {
  std::size_t start = 0;
  while ((start = text.find("${", start)) != std::string::npos) {
    const std::size_t end = text.find('}', start);
    check(end != std::string::npos, where + ": unterminated '${' in '" + text + "'");
    const std::string name = text.substr(start + 2, end - start - 2);
    const std::optional<YAML::Node> value = find_variable(variables, name);
    check(value.has_value(), where + ": unknown grid variable '" + name + "' in '" + text + "'");
    const std::string rendered = render_for_name(*value);
    text.replace(start, end - start + 1, rendered);
    start += rendered.size();
  }
  return text;
}

YAML::Node substitute(const YAML::Node& node, const Variables& variables,
                      const std::string& where) {
  if (node.IsScalar()) {
    const std::string name = whole_variable_name(node.Scalar());
    if (!name.empty()) {
      const std::optional<YAML::Node> value = find_variable(variables, name);
      check(value.has_value(), where + ": unknown grid variable '" + name + "'");
      return YAML::Clone(*value);
    }
    if (node.Scalar().find("${") == std::string::npos) return YAML::Clone(node);
    return YAML::Node(substitute_text(node.Scalar(), variables, where));
  }
  if (node.IsSequence()) {
    YAML::Node result(YAML::NodeType::Sequence);
    for (const YAML::Node& item : node) result.push_back(substitute(item, variables, where));
    return result;
  }
  if (node.IsMap()) {
    YAML::Node result(YAML::NodeType::Map);
    for (const auto& item : node) {
      result[item.first.Scalar()] = substitute(item.second, variables, where);
    }
    return result;
  }
  return YAML::Clone(node);
}

Variables grid_variables(const YAML::Node& grid, const std::string& where) {
  check(grid.IsMap(), where + ": grid: expected a map of variable -> list of values");
  Variables variables;
  for (const auto& item : grid) {
    const std::string name = item.first.Scalar();
    check(item.second.IsSequence() && item.second.size() > 0,
          where + ": grid." + name + ": expected a non-empty list of values");
    variables.emplace_back(name, item.second);
  }
  return variables;
}

}  // namespace

std::string render_for_name(const YAML::Node& value) {
  if (value.IsScalar()) return value.Scalar();
  if (value.IsSequence()) {
    bool nested = false;
    for (const YAML::Node& item : value) nested |= !item.IsScalar();
    std::string text;
    for (const YAML::Node& item : value) {
      text += (text.empty() ? "" : (nested ? "_" : "x")) + render_for_name(item);
    }
    return text.empty() ? "scalar" : text;
  }
  if (value.IsMap()) {
    std::string text;
    for (const auto& item : value) {
      text += (text.empty() ? "" : "_") + item.first.Scalar() + "-" + render_for_name(item.second);
    }
    return text;
  }
  return "none";
}

std::vector<YAML::Node> expand_grid(const YAML::Node& entry, const std::string& where) {
  check(entry.IsMap(), where + ": a case must be a map");
  YAML::Node body(YAML::NodeType::Map);
  for (const auto& item : entry) {
    if (item.first.Scalar() != "grid") body[item.first.Scalar()] = item.second;
  }
  const Variables axes = entry["grid"] ? grid_variables(entry["grid"], where) : Variables{};
  std::vector<std::size_t> position(axes.size(), 0);
  std::vector<YAML::Node> expanded;
  while (true) {
    Variables chosen;
    for (std::size_t v = 0; v < axes.size(); ++v) {
      chosen.emplace_back(axes[v].first, axes[v].second[position[v]]);
    }
    expanded.push_back(substitute(body, chosen, where));
    // Odometer over the grid, last variable fastest.
    std::size_t v = axes.size();
    while (v > 0) {
      --v;
      if (++position[v] < axes[v].second.size()) break;
      position[v] = 0;
      if (v == 0) return expanded;
    }
    if (axes.empty()) return expanded;
  }
}

}  // namespace tandem::conformance
