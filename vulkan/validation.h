#pragma once
// Khronos validation, turned on by TANDEM_VK_VALIDATION=1 (the tests set it). Every warning or
// error the layers report is logged at warn level and kept, so a test can fail on any message.
#include <vulkan/vulkan.h>

#include <string>
#include <vector>

namespace tandem::vulkan {

// Whether TANDEM_VK_VALIDATION asks for the validation layer ("1", "sync" adds
// synchronization validation, which checks the barriers recorded between dispatches).
bool validation_requested();
bool synchronization_validation_requested();

// The messages recorded since the last call, oldest first; clears the record.
std::vector<std::string> take_validation_messages();

// Chained into VkInstanceCreateInfo (so instance creation is covered too) and used for the
// instance's messenger.
VkDebugUtilsMessengerCreateInfoEXT messenger_create_info();

}  // namespace tandem::vulkan
