#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "opencl/node_context.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {

// How this backend implements one op_type: the programs (kernels/<file>) its kernels live
// in, the first being its own, and the host code that turns a node into dispatches. Each op family
// file registers its ops from a static initialiser, so adding an op touches no switch elsewhere.
struct OpImplementation {
  std::vector<std::string> programs;           // {"conv.cl", "gemm.cl"}
  std::function<void(NodeContext&)> compile;   // throws Unsupported for what it lacks
  std::vector<std::string> fused_activations;  // see kFusedActivation
  // Programs built with node- and device-specific options (the GEMM tile sizes), asked for
  // every node before any node compiles; kernels launch from them by request.file.
  std::function<std::vector<ProgramRequest>(const Plan&, const Node&, const ClDevice&)>
      node_programs = {};
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

struct OpTableRegistration {
  OpTableRegistration(const std::vector<std::string>& op_types,
                      const OpImplementation& implementation) {
    for (const std::string& op_type : op_types) OpTable::instance().add(op_type, implementation);
  }
};

}  // namespace tandem::opencl
