#include "core/backend.h"

#include <algorithm>

#include "core/error.h"

namespace tandem {

const char* cache_status_name(CacheStatus status) {
  switch (status) {
    case CacheStatus::Hit: return "hit";
    case CacheStatus::Miss: return "miss";
    case CacheStatus::Partial: return "partial";
    case CacheStatus::Invalidated: return "invalidated";
    case CacheStatus::Recovered: return "recovered";
    case CacheStatus::ReadOnly: return "read-only";
    case CacheStatus::Off: return "off";
  }
  return "?";
}

BackendRegistry& BackendRegistry::instance() {
  static BackendRegistry registry;
  return registry;
}

void BackendRegistry::add(const std::string& name, BackendFactory factory) {
  factories_.emplace_back(name, std::move(factory));
}

std::unique_ptr<Backend> BackendRegistry::create(const std::string& name) const {
  for (const auto& [known, factory] : factories_) {
    if (known == name) return factory();
  }
  std::string list;
  for (const std::string& known : names()) list += (list.empty() ? "" : ", ") + known;
  fail("unknown backend '" + name + "' (known: " + list + ")");
}

std::vector<std::string> BackendRegistry::names() const {
  std::vector<std::string> result;
  for (const auto& [name, factory] : factories_) result.push_back(name);
  std::sort(result.begin(), result.end());
  return result;
}

}  // namespace tandem
