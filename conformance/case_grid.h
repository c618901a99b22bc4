#pragma once
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace tandem::conformance {

// Expands a case entry's `grid` (a map of variable -> list of values) into one entry per
// combination, in the grid's key order with the last variable varying fastest. A scalar
// that is exactly `$var` (or `${var}`) becomes the variable's value, whatever its type (a
// shape, a list, a number); `${var}` inside a longer string becomes its compact text
// ([1, 3, 8] -> "1x3x8"), which is how names stay unique. An entry without a grid comes
// back alone, after the same checks. A variable whose values are maps has its fields
// reached with dots: `$size.m`, `${size.k}`; list items by index: `${shapes.0}`. `where` prefixes
// errors ("eltwise.yaml:12").
std::vector<YAML::Node> expand_grid(const YAML::Node& entry, const std::string& where);

// The compact text of a value used in names: scalars as written, lists joined with 'x',
// nested lists with '_'.
std::string render_for_name(const YAML::Node& value);

}  // namespace tandem::conformance
