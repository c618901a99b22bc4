#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace tandem {

// Text from a file or the environment made safe to quote inside a one-line Error message:
// bytes outside printable ASCII become \xNN (a newline in a YAML value or a cache key must
// not split the message), and text longer than `limit` bytes is cut with "...".
std::string printable(std::string_view text, std::size_t limit = 200);

}  // namespace tandem
