#pragma once
#include <string>

namespace tandem {

enum class LogLevel { Debug, Info, Warn, Error, Quiet };

// One line per message on stderr, prefixed "tandem: " and the level.
void set_log_level(LogLevel level);
LogLevel log_level();
LogLevel parse_log_level(const std::string& text);   // throws Error on unknown names
void log_debug(const std::string& message);
void log_info(const std::string& message);
void log_warn(const std::string& message);
void log_error(const std::string& message);

}  // namespace tandem
