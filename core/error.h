#pragma once
#include <concepts>
#include <stdexcept>
#include <string>
#include <utility>

namespace tandem {

// tandem reports failures by throwing Error, whose message is one line a user can act on:
// it names the file, node, op, key or device involved. Callers at the edge (the command
// line, the conformance runner) catch it and print what(). We use exceptions throughout
// rather than Result<T> so that deep graph code stays readable; nothing else is thrown.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown when an op, attribute value or feature is valid ONNX but not implemented by a
// backend; the conformance runner reports it as `skipped` with the message as reason.
class Unsupported : public Error {
 public:
  explicit Unsupported(const std::string& message) : Error(message) {}
};

[[noreturn]] inline void fail(const std::string& message) { throw Error(message); }

inline void check(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

// For a message that costs something to build, on a path taken at every run or node:
// `make_message` is called only when the check fails.
template <std::invocable MakeMessage>
void check(bool condition, MakeMessage&& make_message) {
  if (!condition) throw Error(std::forward<MakeMessage>(make_message)());
}

}  // namespace tandem
