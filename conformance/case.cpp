#include "conformance/case.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "conformance/case_grid.h"
#include "conformance/case_values.h"
#include "core/op_registry.h"

#ifndef TANDEM_CONFORMANCE_SOURCE_DIR
#define TANDEM_CONFORMANCE_SOURCE_DIR "."
#endif

namespace tandem::conformance {
namespace {

// Where a node sits, for messages: "eltwise.yaml:12: cases[3].inputs[0].shape".
struct Where {
  std::string file;
  int line = 0;
  std::string path;

  Where at(const std::string& key) const {
    return {file, line, path.empty() ? key : path + "." + key};
  }
  Where item(std::size_t index) const {
    return {file, line, path + "[" + std::to_string(index) + "]"};
  }
  std::string text() const {
    return file + ":" + std::to_string(line) + (path.empty() ? "" : ": " + path);
  }
};

void check_keys(const YAML::Node& map, const Where& where, const std::set<std::string>& allowed) {
  check(map.IsMap(), where.text() + ": expected a map");
  for (const auto& item : map) {
    const std::string key = item.first.Scalar();
    if (allowed.count(key) == 0) fail(where.text() + ": unknown key '" + key + "'");
  }
}

std::string get_string(const YAML::Node& node, const Where& where) {
  check(node.IsScalar(), where.text() + ": expected a string");
  return node.Scalar();
}

bool get_bool(const YAML::Node& node, const Where& where) {
  check(node.IsScalar(), where.text() + ": expected true or false");
  const std::string text = node.Scalar();
  if (text == "true" || text == "yes") return true;
  if (text == "false" || text == "no") return false;
  fail(where.text() + ": expected true or false, got '" + text + "'");
}

Shape get_shape(const YAML::Node& node, const Where& where) {
  check(node.IsSequence(), where.text() + ": expected a list of dimensions");
  Shape shape;
  for (std::size_t i = 0; i < node.size(); ++i) {
    shape.push_back(parse_integer(node[i], where.item(i).text()));
    check(shape.back() >= 0, where.item(i).text() + ": negative dimension");
  }
  return shape;
}

std::vector<double> get_numbers(const YAML::Node& node, const Where& where) {
  check(node.IsSequence(), where.text() + ": expected a list of numbers");
  std::vector<double> numbers;
  for (std::size_t i = 0; i < node.size(); ++i)
    numbers.push_back(parse_number(node[i], where.item(i).text()));
  return numbers;
}

DType get_dtype(const YAML::Node& node, const Where& where) {
  const std::string name = get_string(node, where);
  for (DType dtype : {DType::F32, DType::F16, DType::I64, DType::I32, DType::Bool}) {
    if (name == dtype_name(dtype)) return dtype;
  }
  fail(where.text() + ": unknown dtype '" + name + "' (float32, float16, int64, int32, bool)");
}

GeneratorSpec get_generator(const YAML::Node& node, const Where& where) {
  check_keys(node, where, {"uniform", "normal", "integers", "fill", "arange"});
  check(node.size() == 1,
        where.text() + ": give exactly one of uniform, normal, integers, fill, arange");
  const std::string kind = node.begin()->first.Scalar();
  const YAML::Node params = node.begin()->second;
  GeneratorSpec spec;
  if (kind == "fill") {
    spec.distribution = Distribution::Fill;
    spec.a = parse_number(params, where.at(kind).text());
    return spec;
  }
  const std::vector<double> pair = get_numbers(params, where.at(kind));
  check(pair.size() == 2, where.at(kind).text() + ": expected two numbers");
  static const std::map<std::string, Distribution> kinds = {{"uniform", Distribution::Uniform},
                                                            {"normal", Distribution::Normal},
                                                            {"integers", Distribution::Integers},
                                                            {"arange", Distribution::Arange}};
  spec.distribution = kinds.at(kind);
  spec.a = pair[0];
  spec.b = pair[1];
  return spec;
}

InputSpec get_input(const YAML::Node& node, const Where& where, const std::string& default_name) {
  InputSpec spec;
  spec.name = default_name;
  if (node.IsNull()) {
    spec.omitted = true;
    return spec;
  }
  check_keys(
      node, where,
      {"name", "shape", "dtype", "constant", "values", "generator", "special", "special_fraction"});
  if (node["name"]) spec.name = get_string(node["name"], where.at("name"));
  if (node["dtype"]) spec.dtype = get_dtype(node["dtype"], where.at("dtype"));
  if (node["constant"]) spec.constant = get_bool(node["constant"], where.at("constant"));
  if (node["generator"]) spec.generator = get_generator(node["generator"], where.at("generator"));
  if (node["special"]) spec.generator.specials = get_numbers(node["special"], where.at("special"));
  if (node["special_fraction"]) {
    spec.generator.special_fraction =
        parse_number(node["special_fraction"], where.at("special_fraction").text());
  }
  if (node["values"]) spec.values = get_numbers(node["values"], where.at("values"));
  if (node["shape"]) {
    spec.shape = get_shape(node["shape"], where.at("shape"));
  } else {
    check(spec.values.has_value(), where.text() + ": an input needs a shape or values");
    spec.shape = {static_cast<std::int64_t>(spec.values->size())};
  }
  check(!spec.values || static_cast<std::int64_t>(spec.values->size()) == shape_numel(spec.shape),
        where.at("values").text() + ": " + std::to_string(spec.values ? spec.values->size() : 0) +
            " values for shape " + shape_to_string(spec.shape));
  return spec;
}

Tolerance get_tolerance(const YAML::Node& node, const Where& where) {
  check_keys(node, where, {"abs", "rel", "ulp", "nan", "ftz", "reason"});
  Tolerance tolerance;
  if (node["abs"]) tolerance.abs = parse_number(node["abs"], where.at("abs").text());
  if (node["rel"]) tolerance.rel = parse_number(node["rel"], where.at("rel").text());
  if (node["ulp"]) tolerance.ulp = parse_integer(node["ulp"], where.at("ulp").text());
  if (node["ftz"]) tolerance.flush_denormals = get_bool(node["ftz"], where.at("ftz"));
  if (node["nan"]) {
    const std::string policy = get_string(node["nan"], where.at("nan"));
    check(policy == "match" || policy == "ignore",
          where.at("nan").text() + ": expected match or ignore");
    tolerance.nan = policy == "match" ? NanPolicy::Match : NanPolicy::Ignore;
  }
  check(static_cast<bool>(node["reason"]), where.text() + ": a tolerance needs its reason");
  tolerance.reason = get_string(node["reason"], where.at("reason"));
  check(tolerance.abs >= 0 && tolerance.rel >= 0, where.text() + ": negative tolerance");
  return tolerance;
}

NodeSpec get_node(const YAML::Node& node, const Where& where) {
  check_keys(node, where, {"op", "name", "inputs", "outputs", "attributes"});
  check(static_cast<bool>(node["op"]), where.text() + ": a node needs an op");
  NodeSpec spec;
  spec.op_type = get_string(node["op"], where.at("op"));
  if (node["name"]) spec.name = get_string(node["name"], where.at("name"));
  for (const YAML::Node& name : node["inputs"])
    spec.inputs.push_back(name.IsNull() ? "" : name.Scalar());
  for (const YAML::Node& name : node["outputs"]) spec.outputs.push_back(name.Scalar());
  check(!spec.outputs.empty(), where.text() + ": a node needs outputs");
  if (node["attributes"]) {
    check(node["attributes"].IsMap(), where.at("attributes").text() + ": expected a map");
    spec.attributes =
        parse_attributes(spec.op_type, node["attributes"], where.at("attributes").text());
  }
  return spec;
}

void parse_single_op(Case& result, const YAML::Node& entry, const Where& where) {
  NodeSpec node;
  node.op_type = get_string(entry["op"], where.at("op"));
  node.name = result.name;
  if (entry["attributes"]) {
    check(entry["attributes"].IsMap(), where.at("attributes").text() + ": expected a map");
    node.attributes =
        parse_attributes(node.op_type, entry["attributes"], where.at("attributes").text());
  }
  const YAML::Node inputs = entry["inputs"];
  check(inputs && inputs.IsSequence(), where.text() + ": an op case needs a list of inputs");
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    InputSpec input = get_input(inputs[i], where.at("inputs").item(i), "in" + std::to_string(i));
    node.inputs.push_back(input.omitted ? "" : input.name);
    result.inputs.push_back(std::move(input));
  }
  const std::int64_t outputs =
      entry["outputs"] ? parse_integer(entry["outputs"], where.at("outputs").text()) : 1;
  for (std::int64_t o = 0; o < outputs; ++o) node.outputs.push_back("out" + std::to_string(o));
  result.outputs = node.outputs;
  result.op_label = node.op_type;
  result.nodes.push_back(std::move(node));
}

void parse_graph(Case& result, const YAML::Node& graph, const Where& where) {
  check_keys(graph, where, {"inputs", "nodes", "outputs"});
  for (std::size_t i = 0; i < graph["inputs"].size(); ++i) {
    InputSpec input = get_input(graph["inputs"][i], where.at("inputs").item(i), "");
    check(!input.name.empty() && !input.omitted,
          where.at("inputs").item(i).text() + ": a graph input needs a name");
    result.inputs.push_back(std::move(input));
  }
  check(graph["nodes"].IsSequence() && graph["nodes"].size() > 0,
        where.text() + ": a graph needs nodes");
  for (std::size_t i = 0; i < graph["nodes"].size(); ++i) {
    NodeSpec node = get_node(graph["nodes"][i], where.at("nodes").item(i));
    if (node.name.empty()) node.name = node.op_type + "_" + std::to_string(i);
    result.op_label += (result.op_label.empty() ? "" : "+") + node.op_type;
    result.nodes.push_back(std::move(node));
  }
  for (const YAML::Node& name : graph["outputs"]) result.outputs.push_back(name.Scalar());
  check(!result.outputs.empty(), where.text() + ": a graph needs outputs");
}

void parse_model(Case& result, const YAML::Node& entry, const Where& where) {
  result.model_path = get_string(entry["model"], where.at("model"));
  result.op_label = std::filesystem::path(result.model_path).filename().string();
  const YAML::Node inputs = entry["inputs"];
  for (std::size_t i = 0; inputs && i < inputs.size(); ++i) {
    result.inputs.push_back(get_input(inputs[i], where.at("inputs").item(i), ""));
  }
}

Case parse_case(const YAML::Node& entry, const std::string& family, const Where& where) {
  check_keys(entry, where,
             {"name", "op", "attributes", "inputs", "outputs", "graph", "model", "tolerance",
              "seed", "note"});
  Case result;
  result.family = family;
  result.source = where.file + ":" + std::to_string(where.line);
  check(static_cast<bool>(entry["name"]), where.text() + ": a case needs a name");
  result.name = get_string(entry["name"], where.at("name"));
  const int forms = (entry["op"] ? 1 : 0) + (entry["graph"] ? 1 : 0) + (entry["model"] ? 1 : 0);
  check(forms == 1,
        where.text() + ": case '" + result.name + "' needs exactly one of op, graph, model");
  if (entry["op"]) parse_single_op(result, entry, where);
  if (entry["graph"]) parse_graph(result, entry["graph"], where.at("graph"));
  if (entry["model"]) parse_model(result, entry, where);
  check(static_cast<bool>(entry["tolerance"]),
        where.text() + ": case '" + result.name + "' needs a tolerance");
  result.tolerance = get_tolerance(entry["tolerance"], where.at("tolerance"));
  if (entry["seed"])
    result.seed = static_cast<std::uint64_t>(parse_integer(entry["seed"], where.at("seed").text()));
  return result;
}

// A case's own keys win over the file's defaults, each key as a whole.
YAML::Node with_defaults(const YAML::Node& entry, const YAML::Node& defaults) {
  if (!defaults || !entry.IsMap()) return entry;
  YAML::Node merged(YAML::NodeType::Map);
  for (const auto& item : defaults) merged[item.first.Scalar()] = item.second;
  for (const auto& item : entry) merged[item.first.Scalar()] = item.second;
  return merged;
}

std::vector<Case> parse_root(const YAML::Node& root, const std::string& source_name) {
  const Where file_where{source_name, 1, ""};
  check_keys(root, file_where, {"family", "defaults", "cases"});
  const std::string family = root["family"] ? get_string(root["family"], file_where.at("family"))
                                            : std::filesystem::path(source_name).stem().string();
  check(root["cases"] && root["cases"].IsSequence(),
        source_name + ": expected a list under 'cases'");
  std::vector<Case> cases;
  std::set<std::string> names;
  const YAML::Node cases_node = root["cases"];
  for (std::size_t i = 0; i < cases_node.size(); ++i) {
    const YAML::Node entry = cases_node[i];
    const Where where{source_name, entry.Mark().line + 1, ""};
    for (const YAML::Node& expanded :
         expand_grid(with_defaults(entry, root["defaults"]), where.text())) {
      Case parsed = parse_case(expanded, family, where);
      check(names.insert(parsed.name).second, where.text() + ": duplicate case name '" +
                                                  parsed.name +
                                                  "' (a grid variable missing from the name?)");
      cases.push_back(std::move(parsed));
    }
  }
  return cases;
}

}  // namespace

std::vector<Case> parse_case_file(const std::string& yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    fail(source_name + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  try {
    return parse_root(root, source_name);
  } catch (const YAML::Exception& error) {
    fail(source_name + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
}

std::vector<Case> load_case_file(const std::string& path) {
  std::ifstream file(path);
  check(file.good(), "cannot read case file '" + path + "'");
  std::stringstream text;
  text << file.rdbuf();
  return parse_case_file(text.str(), std::filesystem::path(path).filename().string());
}

std::vector<Case> load_cases(const std::string& dir) {
  std::error_code error;
  check(std::filesystem::is_directory(dir, error), "cases directory '" + dir + "' does not exist");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Case> cases;
  std::map<std::string, std::string> seen;
  for (const std::string& path : files) {
    for (Case& c : load_case_file(path)) {
      const auto [it, inserted] = seen.emplace(c.id(), c.source);
      check(inserted, c.source + ": case '" + c.id() + "' is also defined at " + it->second);
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

std::string source_root() {
  const char* from_environment = std::getenv("TANDEM_SOURCE_DIR");
  if (from_environment && *from_environment) return from_environment;
  // A binary carried to another machine (ci/gpu-bundle) no longer sits beside the tree it
  // was built from; there the scripts run from a copy of the tree.
  std::error_code error;
  if (!std::filesystem::is_directory(
          std::string(TANDEM_CONFORMANCE_SOURCE_DIR) + "/conformance/cases", error) &&
      std::filesystem::is_directory("conformance/cases", error)) {
    return std::filesystem::current_path(error).string();
  }
  return TANDEM_CONFORMANCE_SOURCE_DIR;
}

std::string default_cases_dir() { return source_root() + "/conformance/cases"; }
std::string default_expectations_dir() { return source_root() + "/conformance/expectations"; }

std::uint64_t stable_hash(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : text) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::uint64_t input_seed(const Case& c, std::size_t index) {
  // splitmix64 of the id's hash, the case's own seed and the index: neighbouring inputs
  // (and cases) get unrelated streams, and `seed` re-draws one case without touching others.
  std::uint64_t z =
      stable_hash(c.id()) + 0xd1b54a32d192ed03ull * c.seed + 0x9e3779b97f4a7c15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace tandem::conformance
