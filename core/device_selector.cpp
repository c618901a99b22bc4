// DeviceSelector (declared in core/config.h): the one device-choosing syntax shared by the
// config file, TANDEM_DEVICE and the command line's --device.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>

#include "core/config.h"
#include "core/error.h"
#include "core/printable.h"

namespace tandem {

namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trimmed(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool contains_ignoring_case(const std::string& haystack, const std::string& needle) {
  return lowercase(haystack).find(lowercase(needle)) != std::string::npos;
}

bool is_device_type(const std::string& text) {
  return text == "gpu" || text == "cpu" || text == "other";
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

class SelectorParser {
 public:
  explicit SelectorParser(const std::string& text) : text_(text) {}

  DeviceSelector parse() {
    std::size_t start = 0;
    while (start <= text_.size()) {
      const std::size_t comma = std::min(text_.find(',', start), text_.size());
      add_term(trimmed(text_.substr(start, comma - start)));
      start = comma + 1;
    }
    return selector_;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    // The text comes from a file, a flag or the environment: keep the message one line.
    fail("device selector '" + printable(text_) + "': " + printable(what, 400));
  }

  void add_term(const std::string& term) {
    if (term.empty()) bad("empty term");
    const std::size_t equals = term.find('=');
    if (equals != std::string::npos) {
      set(lowercase(trimmed(term.substr(0, equals))), trimmed(term.substr(equals + 1)), term);
    } else if (is_device_type(lowercase(term))) {
      set("type", term, term);
    } else if (all_digits(term)) {
      set("index", term, term);
    } else {
      bad("'" + term + "' is not gpu, cpu, other, an index or one of type=, vendor=, name=, "
          "index=");
    }
  }

  void set(const std::string& key, const std::string& value, const std::string& term) {
    if (value.empty()) bad("'" + term + "' has no value");
    if (key == "type") {
      if (!selector_.type.empty()) bad("type given twice");
      selector_.type = lowercase(value);
      if (!is_device_type(selector_.type)) {
        bad("type '" + value + "' is not one of gpu, cpu, other");
      }
    } else if (key == "vendor") {
      if (!selector_.vendor.empty()) bad("vendor given twice");
      selector_.vendor = value;
    } else if (key == "name") {
      if (!selector_.name.empty()) bad("name given twice");
      selector_.name = value;
    } else if (key == "index") {
      if (selector_.index >= 0) bad("index given twice");
      selector_.index = parse_index(value);
    } else {
      bad("unknown key '" + key + "' (known: type, vendor, name, index)");
    }
  }

  int parse_index(const std::string& value) const {
    int index = -1;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), index);
    if (!all_digits(value) || error != std::errc() || end != value.data() + value.size()) {
      bad("index '" + value + "' is not a whole number from 0 to " + std::to_string(INT_MAX));
    }
    return index;
  }

  const std::string& text_;
  DeviceSelector selector_;
};

}  // namespace

bool DeviceSelector::matches(const DeviceInfo& device) const {
  if (!type.empty() && device.type != type) return false;
  if (!vendor.empty() && !contains_ignoring_case(device.vendor, vendor)) return false;
  if (!name.empty() && !contains_ignoring_case(device.name, name)) return false;
  if (index >= 0 && device.index != index) return false;
  return true;
}

const DeviceInfo* DeviceSelector::first_match(const std::vector<DeviceInfo>& devices) const {
  for (const DeviceInfo& device : devices) {
    if (matches(device)) return &device;
  }
  return nullptr;
}

std::string DeviceSelector::to_string() const {
  if (empty()) return "any";
  std::string text;
  auto add = [&](const std::string& key, const std::string& value) {
    if (!value.empty()) text += (text.empty() ? "" : ",") + key + "=" + value;
  };
  add("type", type);
  add("vendor", vendor);
  add("name", name);
  add("index", index >= 0 ? std::to_string(index) : "");
  return text;
}

DeviceSelector DeviceSelector::parse(const std::string& text) {
  const std::string whole = trimmed(text);
  if (whole.empty() || lowercase(whole) == "any") return {};
  return SelectorParser(whole).parse();
}

}  // namespace tandem
