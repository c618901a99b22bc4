#include "core/attribute.h"

namespace tandem {

template <typename T>
const T& Attributes::get(const std::string& name, const char* kind) const {
  auto it = values_.find(name);
  check(it != values_.end(), "missing attribute '" + name + "'");
  const T* value = std::get_if<T>(&it->second);
  check(value != nullptr, "attribute '" + name + "' is not " + kind);
  return *value;
}

std::int64_t Attributes::get_int(const std::string& name) const {
  return get<std::int64_t>(name, "an int");
}
std::int64_t Attributes::get_int(const std::string& name, std::int64_t fallback) const {
  return has(name) ? get_int(name) : fallback;
}
double Attributes::get_float(const std::string& name) const {
  return get<double>(name, "a float");
}
double Attributes::get_float(const std::string& name, double fallback) const {
  return has(name) ? get_float(name) : fallback;
}
std::string Attributes::get_string(const std::string& name) const {
  return get<std::string>(name, "a string");
}
std::string Attributes::get_string(const std::string& name, const std::string& fallback) const {
  return has(name) ? get_string(name) : fallback;
}
std::vector<std::int64_t> Attributes::get_ints(const std::string& name) const {
  return get<std::vector<std::int64_t>>(name, "a list of ints");
}
std::vector<std::int64_t> Attributes::get_ints(const std::string& name,
                                               const std::vector<std::int64_t>& fallback) const {
  return has(name) ? get_ints(name) : fallback;
}
std::vector<double> Attributes::get_floats(const std::string& name) const {
  return get<std::vector<double>>(name, "a list of floats");
}
std::vector<double> Attributes::get_floats(const std::string& name,
                                           const std::vector<double>& fallback) const {
  return has(name) ? get_floats(name) : fallback;
}
const Tensor& Attributes::get_tensor(const std::string& name) const {
  return get<Tensor>(name, "a tensor");
}

}  // namespace tandem
