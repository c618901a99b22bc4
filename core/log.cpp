#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "core/error.h"

namespace tandem {

static std::atomic<LogLevel> current_level{LogLevel::Info};

void set_log_level(LogLevel level) { current_level = level; }
LogLevel log_level() { return current_level; }

LogLevel parse_log_level(const std::string& text) {
  if (text == "debug") return LogLevel::Debug;
  if (text == "info") return LogLevel::Info;
  if (text == "warn" || text == "warning") return LogLevel::Warn;
  if (text == "error") return LogLevel::Error;
  if (text == "quiet" || text == "off") return LogLevel::Quiet;
  fail("log level '" + text + "' is not one of debug, info, warn, error, quiet");
}

static void emit(LogLevel level, const char* tag, const std::string& message) {
  if (level < current_level.load()) return;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "tandem: %s: %s\n", tag, message.c_str());
}

void log_debug(const std::string& message) { emit(LogLevel::Debug, "debug", message); }
void log_info(const std::string& message) { emit(LogLevel::Info, "info", message); }
void log_warn(const std::string& message) { emit(LogLevel::Warn, "warning", message); }
void log_error(const std::string& message) { emit(LogLevel::Error, "error", message); }

}  // namespace tandem
