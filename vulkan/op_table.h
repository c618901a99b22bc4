#pragma once
// The Vulkan backend's own op registry, keyed by op_type. Each op family's host file
// (eltwise.cpp, conv.cpp ...) registers its ops statically; at compile time a node's entry
// turns it into dispatches of its family's shader (shaders/<family>.comp), so adding an op
// touches no switch elsewhere.
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "vulkan/node_context.h"

namespace tandem::vulkan {

struct OpImplementation {
  std::string shader;                          // "conv" -> shaders/conv.comp
  std::function<void(NodeContext&)> compile;   // throws Unsupported for what it lacks
  std::vector<std::string> fused_activations;  // see kFusedActivation
};

class OpTable {
 public:
  static OpTable& instance();
  void add(const std::string& op_type, OpImplementation implementation);
  const OpImplementation* find(const std::string& op_type) const;
  std::vector<std::string> op_types() const;

 private:
  std::map<std::string, OpImplementation> implementations_;
};

// Registers ops at static-initialisation time (the library is linked whole-archive).
struct OpTableRegistration {
  OpTableRegistration(std::initializer_list<const char*> op_types,
                      const OpImplementation& implementation) {
    for (const char* op_type : op_types) OpTable::instance().add(op_type, implementation);
  }
};

}  // namespace tandem::vulkan
