#pragma once
// For tests: sets an environment variable while in scope and restores its old value (or its
// absence) after, also when an assertion leaves the test early.
#include <cstdlib>
#include <optional>
#include <string>

namespace tandem::testing {

class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* variable, const std::string& value) : variable_(variable) {
    if (const char* old = std::getenv(variable_)) saved_ = old;
    setenv(variable_, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (saved_) {
      setenv(variable_, saved_->c_str(), 1);
    } else {
      unsetenv(variable_);
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  const char* variable_;
  std::optional<std::string> saved_;
};

}  // namespace tandem::testing
