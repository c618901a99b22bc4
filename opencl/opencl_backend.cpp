// The OpenCL backend: lists the devices the ICD loader offers and compiles plans into
// ClExecutables. How each op runs is the business of its family file (eltwise.cpp ...).
#include <algorithm>

#include "core/backend.h"
#include "opencl/context.h"
#include "opencl/device.h"
#include "opencl/executable.h"
#include "opencl/op_table.h"

namespace tandem::opencl {
namespace {

class OpenClBackend : public Backend {
 public:
  std::string name() const override { return "opencl"; }

  std::vector<DeviceInfo> devices() override {
    std::vector<DeviceInfo> infos;
    for (const ClDevice& device : enumerate_devices()) infos.push_back(device.info);
    return infos;
  }

  bool fuses_activation(const std::string& op_type, const std::string& activation) const override {
    const OpImplementation* implementation = OpTable::instance().find(op_type);
    if (!implementation) return false;
    const std::vector<std::string>& fused = implementation->fused_activations;
    return std::find(fused.begin(), fused.end(), activation) != fused.end();
  }

  // The context is kept for the process (opencl/context.cpp), so compile() finds it made.
  void open_device(const DeviceInfo& device) override { shared_context(find_device(device)); }

  std::unique_ptr<Executable> compile(const Plan& plan, const DeviceInfo& device,
                                      const CompileOptions& options) override {
    return std::make_unique<ClExecutable>(plan, find_device(device), options);
  }
};

const BackendRegistration registration("opencl", [] { return std::make_unique<OpenClBackend>(); });

}  // namespace
}  // namespace tandem::opencl
