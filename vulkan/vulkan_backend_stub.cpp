// Placeholder: registers the vulkan backend name so configs that list it fall back cleanly.
#include "core/backend.h"
#include "core/error.h"

namespace tandem {
namespace {
class StubBackend : public Backend {
 public:
  std::string name() const override { return "vulkan"; }
  std::vector<DeviceInfo> devices() override { fail("vulkan backend: not built yet"); }
  std::unique_ptr<Executable> compile(const Plan&, const DeviceInfo&, const CompileOptions&) override {
    fail("vulkan backend: not built yet");
  }
};
const BackendRegistration registration("vulkan", [] { return std::make_unique<StubBackend>(); });
}  // namespace
}  // namespace tandem
