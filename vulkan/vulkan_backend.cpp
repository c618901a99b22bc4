// The Vulkan backend as the core sees it: lists devices, says which activations Conv fuses,
// and compiles plans into VulkanExecutables.
#include <algorithm>
#include <map>
#include <mutex>

#include "core/backend.h"
#include "core/error.h"
#include "vulkan/device.h"
#include "vulkan/executable.h"
#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

// One instance and one logical device per physical device for the whole process, shared by
// every backend object and executable, released when the last user goes.
class SharedDevices {
 public:
  std::shared_ptr<VulkanInstance> instance() {
    std::lock_guard<std::mutex> lock(mutex_);
    return instance_locked();
  }

  std::shared_ptr<VulkanDevice> device(const DeviceInfo& info) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::shared_ptr<VulkanInstance> instance = instance_locked();
    const PhysicalDevice& physical = instance->find(info);
    std::shared_ptr<VulkanDevice> device = devices_[info.index].lock();
    if (!device) {
      device = std::make_shared<VulkanDevice>(instance, physical);
      devices_[info.index] = device;
    }
    return device;
  }

 private:
  std::shared_ptr<VulkanInstance> instance_locked() {
    std::shared_ptr<VulkanInstance> instance = instance_.lock();
    if (!instance) {
      instance = VulkanInstance::create();
      instance_ = instance;
      devices_.clear();
    }
    return instance;
  }

  std::mutex mutex_;
  std::weak_ptr<VulkanInstance> instance_;
  std::map<int, std::weak_ptr<VulkanDevice>> devices_;
};

SharedDevices& shared_devices() {
  static SharedDevices devices;
  return devices;
}

class VulkanBackend : public Backend {
 public:
  std::string name() const override { return "vulkan"; }

  std::vector<DeviceInfo> devices() override {
    std::vector<DeviceInfo> infos;
    for (const PhysicalDevice& device : instance()->devices()) infos.push_back(device.info);
    return infos;
  }

  bool fuses_activation(const std::string& op_type, const std::string& activation) const override {
    const OpImplementation* op = OpTable::instance().find(op_type);
    return op != nullptr && std::find(op->fused_activations.begin(), op->fused_activations.end(),
                                      activation) != op->fused_activations.end();
  }

  void open_device(const DeviceInfo& device) override { logical_device(device); }

  // Compiles may run on several threads at once; each executable has its own pools.
  std::unique_ptr<Executable> compile(const Plan& plan, const DeviceInfo& device,
                                      const CompileOptions& options) override {
    return std::make_unique<VulkanExecutable>(logical_device(device), plan, options);
  }

 private:
  // The instance and devices are held for the backend's life, so compiling many plans does
  // not re-create them.
  std::shared_ptr<VulkanInstance> instance() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!instance_) instance_ = shared_devices().instance();
    return instance_;
  }

  std::shared_ptr<VulkanDevice> logical_device(const DeviceInfo& device) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::shared_ptr<VulkanDevice>& held = devices_[device.index];
    if (!held || held->physical().info.name != device.name) held = shared_devices().device(device);
    return held;
  }

  std::mutex mutex_;
  std::shared_ptr<VulkanInstance> instance_;
  std::map<int, std::shared_ptr<VulkanDevice>> devices_;
};

const BackendRegistration registration("vulkan", [] { return std::make_unique<VulkanBackend>(); });

}  // namespace
}  // namespace tandem::vulkan
