#include "vulkan/validation.h"

#include <cstdlib>
#include <mutex>

#include "core/log.h"

namespace tandem::vulkan {
namespace {

std::mutex& record_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::vector<std::string>& recorded_messages() {
  static std::vector<std::string> messages;
  return messages;
}

VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                          VkDebugUtilsMessageTypeFlagsEXT,
                                          const VkDebugUtilsMessengerCallbackDataEXT* data, void*) {
  const std::string text = std::string("vulkan validation: ") +
                           (data->pMessageIdName != nullptr ? data->pMessageIdName : "") + ": " +
                           (data->pMessage != nullptr ? data->pMessage : "");
  if (severity < VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    log_debug(text);
    return VK_FALSE;
  }
  log_warn(text);
  std::lock_guard<std::mutex> lock(record_mutex());
  recorded_messages().push_back(text);
  return VK_FALSE;  // never abort the call: the test decides what a message means
}

std::string validation_setting() {
  const char* value = std::getenv("TANDEM_VK_VALIDATION");
  return value != nullptr ? value : "";
}

}  // namespace

bool validation_requested() {
  const std::string value = validation_setting();
  return !value.empty() && value != "0";
}

bool synchronization_validation_requested() { return validation_setting() == "sync"; }

std::vector<std::string> take_validation_messages() {
  std::lock_guard<std::mutex> lock(record_mutex());
  std::vector<std::string> messages;
  messages.swap(recorded_messages());
  return messages;
}

VkDebugUtilsMessengerCreateInfoEXT messenger_create_info() {
  VkDebugUtilsMessengerCreateInfoEXT info{};
  info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
  info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_VERBOSE_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_INFO_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  info.pfnUserCallback = on_message;
  return info;
}

}  // namespace tandem::vulkan
