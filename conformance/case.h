#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conformance/tolerance.h"
#include "core/attribute.h"
#include "core/tensor.h"

namespace tandem::conformance {

// How an input's values are drawn (docs/conformance.md, "Inputs"). `a` and `b` are the
// distribution's two parameters: uniform [a, b), normal (mean a, deviation b), integers
// [a, b] inclusive, fill (every element a), arange (a, a + b, a + 2b ...).
enum class Distribution { Uniform, Normal, Integers, Fill, Arange };

struct GeneratorSpec {
  Distribution distribution = Distribution::Uniform;
  double a = -1.0;
  double b = 1.0;
  // Exact values (NaN, ±inf, -0, denormals, large magnitudes ...) written over a seeded
  // choice of elements, about `special_fraction` of them, each value at least once.
  std::vector<double> specials;
  double special_fraction = 0.1;
};

struct InputSpec {
  std::string name;  // the graph value's name
  DType dtype = DType::F32;
  Shape shape;
  bool constant = false;                      // a graph constant (weights, shapes, indices)
  bool omitted = false;                       // an omitted optional input (ONNX's "")
  std::optional<std::vector<double>> values;  // explicit data instead of the generator
  GeneratorSpec generator;
};

struct NodeSpec {
  std::string name;
  std::string op_type;
  std::vector<std::string> inputs;  // "" for an omitted optional input
  std::vector<std::string> outputs;
  Attributes attributes;
};

// One conformance case: a graph of one or more nodes (or an ONNX model), its inputs with
// their generators, and the tolerance its outputs are held to.
struct Case {
  std::string family;  // op family: a row of the report's matrix
  std::string name;
  std::string source;             // "eltwise.yaml:12", for messages
  std::string op_label;           // "Conv", "Conv+Relu+Add", "mobilenet_tiny.onnx"
  std::vector<InputSpec> inputs;  // graph inputs and constants, in order
  std::vector<NodeSpec> nodes;
  std::vector<std::string> outputs;
  std::string model_path;  // an ONNX file (relative to the source root) instead of nodes
  Tolerance tolerance;
  std::uint64_t seed = 0;

  std::string id() const { return family + "/" + name; }
};

// Parses one case file: `family`, optional `defaults` merged into every case, and `cases`,
// each of which may carry a `grid` of variables expanded to the product of their values.
// Errors name the file, line and key.
std::vector<Case> parse_case_file(const std::string& yaml_text, const std::string& source_name);
std::vector<Case> load_case_file(const std::string& path);
// Every *.yaml under `dir`, in file-name order; case ids must be unique across files.
std::vector<Case> load_cases(const std::string& dir);

// The tandem source tree: $TANDEM_SOURCE_DIR, else the tree this library was built from,
// else (a binary carried to another machine) the working directory if it holds the cases.
std::string source_root();
std::string default_cases_dir();         // <source root>/conformance/cases
std::string default_expectations_dir();  // <source root>/conformance/expectations

// The seed a case's input `index` is drawn with: a stable hash of the case id mixed with
// the case's own `seed` (0 unless given) and the index, identical on every machine.
std::uint64_t input_seed(const Case& c, std::size_t index);
std::uint64_t stable_hash(const std::string& text);  // FNV-1a 64

}  // namespace tandem::conformance
