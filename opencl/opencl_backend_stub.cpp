// Placeholder: registers the opencl backend name so configs that list it fall back cleanly.
#include "core/backend.h"
#include "core/error.h"

namespace tandem {
namespace {
class StubBackend : public Backend {
 public:
  std::string name() const override { return "opencl"; }
  std::vector<DeviceInfo> devices() override { fail("opencl backend: not built yet"); }
  std::unique_ptr<Executable> compile(const Plan&, const DeviceInfo&, const CompileOptions&) override {
    fail("opencl backend: not built yet");
  }
};
const BackendRegistration registration("opencl", [] { return std::make_unique<StubBackend>(); });
}  // namespace
}  // namespace tandem
