#include "opencl/op_table.h"

namespace tandem::opencl {

OpTable& OpTable::instance() {
  static OpTable table;
  return table;
}

void OpTable::add(const std::string& op_type, OpImplementation implementation) {
  implementations_[op_type] = std::move(implementation);
}

const OpImplementation* OpTable::find(const std::string& op_type) const {
  auto it = implementations_.find(op_type);
  return it == implementations_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpTable::op_types() const {
  std::vector<std::string> names;
  for (const auto& [name, implementation] : implementations_) names.push_back(name);
  return names;
}

}  // namespace tandem::opencl
