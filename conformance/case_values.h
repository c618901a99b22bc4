#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>

#include "core/attribute.h"

namespace tandem::conformance {

// A number as a case writes it: decimal, or one of the special-value names (nan, inf,
// -inf, -0, denormal, -denormal, min_denormal, large, -large, max, -max, zero).
// `where` prefixes errors.
double parse_number(const YAML::Node& node, const std::string& where);
double special_value(const std::string& name, bool& known);
std::int64_t parse_integer(const YAML::Node& node, const std::string& where);

// A node's attributes, each converted to the kind the op's schema declares; for an op the
// registry does not know, integers stay integers and anything with a point is a float.
// Float attributes are rounded to float32, as ONNX stores them.
Attributes parse_attributes(const std::string& op_type, const YAML::Node& map,
                            const std::string& where);

}  // namespace tandem::conformance
