// Config: defaults, the YAML file (strict: every unknown key, wrong type and bad value is an
// Error naming file:line: and the dotted key) and the TANDEM_* environment overrides.
#include "core/config.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

#include "core/cache/posix_file.h"
#include "core/error.h"
#include "core/printable.h"

namespace tandem {

namespace {

const std::vector<std::string> kBackendNames = {"vulkan", "opencl", "reference"};
// A config file is a few lines; anything bigger is the wrong file.
constexpr std::int64_t kMaxConfigBytes = 1 << 20;
// 1 PiB: keeps max_mb * 2^20 far from overflowing an int64 byte count.
constexpr std::int64_t kMaxCacheMegabytes = std::int64_t{1} << 30;

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string home_directory() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  // No HOME (a daemon, a minimal container): ask the password database.
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found &&
      found->pw_dir) {
    return found->pw_dir;
  }
  return {};
}

std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// "'cuda' is not one of vulkan, opencl, reference" or "" when `value` is a backend name.
std::string backend_problem(const std::string& value) {
  if (std::find(kBackendNames.begin(), kBackendNames.end(), value) != kBackendNames.end()) {
    return {};
  }
  return "'" + printable(value) + "' is not one of " + join(kBackendNames);
}

const char* describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a value";
    default: return "nothing";
  }
}

std::string line_prefix(const YAML::Mark& mark) {
  return mark.is_null() ? "" : std::to_string(mark.line + 1) + ":";
}

// Walks the parsed document; every message starts "file:line: dotted.key: ".
class ConfigReader {
 public:
  explicit ConfigReader(std::string source) : source_(std::move(source)) {}

  void read(const YAML::Node& root, Config& config) const {
    if (root.IsNull()) return;   // an empty file (or only comments) keeps the defaults
    const Handlers handlers = {
        {"backend", [&](const YAML::Node& value) { config.backends = backends(value); }},
        {"device", [&](const YAML::Node& value) { config.device = device(value); }},
        {"cache", [&](const YAML::Node& value) { read_cache(value, config.cache); }},
        {"precision", [&](const YAML::Node& value) {
           config.precision = one_of(value, "precision", {"fp32", "fp16"}) == "fp16"
                                  ? Precision::FP16 : Precision::FP32;
         }},
        {"tuning", [&](const YAML::Node& value) {
           config.tuning = one_of(value, "tuning", {"off", "auto"}) == "auto";
         }},
        {"log", [&](const YAML::Node& value) {
           config.log = parse_log_level(
               one_of(value, "log", {"debug", "info", "warn", "error", "quiet"}));
         }},
    };
    for_each_key(root, "", handlers);
  }

 private:
  using Handlers = std::map<std::string, std::function<void(const YAML::Node&)>>;

  [[noreturn]] void bad(const YAML::Node& node, const std::string& key,
                        const std::string& what) const {
    // Keys and values come from the file: printable() keeps the message on one line.
    const std::string quoted_key = key.empty() ? "" : printable(key) + ": ";
    fail(source_ + ":" + line_prefix(node.Mark()) + " " + quoted_key + printable(what, 400));
  }

  // Calls the handler of each key of `map`; unknown and repeated keys are errors.
  void for_each_key(const YAML::Node& map, const std::string& prefix,
                    const Handlers& handlers) const {
    const std::string section = prefix.empty() ? "top level" : prefix;
    if (!map.IsMap()) bad(map, prefix, std::string("expected a map, got ") + describe(map));
    std::map<std::string, int> seen_on_line;
    for (const auto& item : map) {
      const YAML::Node& key_node = item.first;
      if (!key_node.IsScalar()) bad(key_node, section, "keys must be plain names");
      const std::string name = key_node.Scalar();
      const std::string key = prefix.empty() ? name : prefix + "." + name;
      const auto handler = handlers.find(name);
      if (handler == handlers.end()) {
        std::vector<std::string> known;
        for (const auto& [known_name, unused] : handlers) known.push_back(known_name);
        bad(key_node, key, "unknown key (known: " + join(known) + ")");
      }
      const auto [previous, fresh] = seen_on_line.emplace(name, key_node.Mark().line + 1);
      if (!fresh) bad(key_node, key, "given twice (first on line " +
                                         std::to_string(previous->second) + ")");
      // A bare `key:` (or `key: ~`) is YAML's null; no setting takes null as a value.
      if (item.second.IsNull()) bad(key_node, key, "has no value");
      handler->second(item.second);
    }
  }

  std::string scalar(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) bad(node, key, std::string("expected a value, got ") + describe(node));
    return node.Scalar();
  }

  std::string one_of(const YAML::Node& node, const std::string& key,
                     const std::vector<std::string>& choices) const {
    std::string value = scalar(node, key);
    if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
      bad(node, key, "'" + value + "' is not one of " + join(choices));
    }
    return value;
  }

  std::int64_t whole_number(const YAML::Node& node, const std::string& key, std::int64_t min,
                            std::int64_t max) const {
    const std::string text = scalar(node, key);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || end != text.data() + text.size() ||
        error == std::errc::invalid_argument) {
      bad(node, key, "'" + text + "' is not a whole number");
    }
    if (error == std::errc::result_out_of_range || value < min || value > max) {
      bad(node, key, "'" + text + "' is out of range (" + std::to_string(min) + " to " +
                         std::to_string(max) + ")");
    }
    return value;
  }

  std::string path(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    if (text.empty()) bad(node, key, "must not be empty");
    // The C library would cut the path at the NUL and use a different directory quietly.
    if (text.find('\0') != std::string::npos) {
      bad(node, key, "'" + printable(text) + "' holds a NUL byte");
    }
    try {
      return expand_home(text);
    } catch (const Error& error) {
      bad(node, key, error.what());
    }
  }

  std::vector<std::string> backends(const YAML::Node& node) const {
    if (node.IsScalar()) {
      const std::string name = scalar(node, "backend");
      if (std::string problem = backend_problem(name); !problem.empty()) {
        bad(node, "backend", problem);
      }
      return {name};
    }
    if (!node.IsSequence()) {
      bad(node, "backend", std::string("expected a name or a list, got ") + describe(node));
    }
    if (node.size() == 0) bad(node, "backend", "the list is empty");
    std::vector<std::string> names;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string key = "backend[" + std::to_string(i) + "]";
      const std::string name = scalar(node[i], key);
      if (std::string problem = backend_problem(name); !problem.empty()) bad(node[i], key, problem);
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        bad(node[i], key, "'" + name + "' is listed twice");
      }
      names.push_back(name);
    }
    return names;
  }

  DeviceSelector device(const YAML::Node& node) const {
    DeviceSelector selector;
    const Handlers handlers = {
        {"type", [&](const YAML::Node& value) {
           selector.type = one_of(value, "device.type", {"gpu", "cpu", "other"});
         }},
        {"vendor", [&](const YAML::Node& value) {
           selector.vendor = non_empty(value, "device.vendor");
         }},
        {"name", [&](const YAML::Node& value) { selector.name = non_empty(value, "device.name"); }},
        {"index", [&](const YAML::Node& value) {
           selector.index = static_cast<int>(whole_number(value, "device.index", 0, INT32_MAX));
         }},
    };
    for_each_key(node, "device", handlers);
    return selector;
  }

  std::string non_empty(const YAML::Node& node, const std::string& key) const {
    std::string value = scalar(node, key);
    if (value.empty()) bad(node, key, "must not be empty");
    return value;
  }

  void read_cache(const YAML::Node& node, CacheConfig& cache) const {
    const Handlers handlers = {
        {"dir", [&](const YAML::Node& value) { cache.dir = path(value, "cache.dir"); }},
        {"mode", [&](const YAML::Node& value) {
           const std::string mode =
               one_of(value, "cache.mode", {"read-write", "read-only", "off"});
           cache.mode = mode == "read-write"  ? CacheMode::ReadWrite
                        : mode == "read-only" ? CacheMode::ReadOnly
                                              : CacheMode::Off;
         }},
        {"max_mb", [&](const YAML::Node& value) {
           cache.max_mb = whole_number(value, "cache.max_mb", 1, kMaxCacheMegabytes);
         }},
        {"shipped", [&](const YAML::Node& value) {
           cache.shipped = path(value, "cache.shipped");
         }},
    };
    for_each_key(node, "cache", handlers);
  }

  std::string source_;
};

std::string read_config_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) fail(path + ": cannot read config: " + errno_text(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) fail(path + ": cannot read config: " + errno_text(errno));
  if (!S_ISREG(info.st_mode)) {
    fail(path + ": cannot read config: it is a " + std::string(file_type_name(info.st_mode)));
  }
  if (info.st_size > kMaxConfigBytes) {
    fail(path + ": " + std::to_string(info.st_size) + " bytes is too big for a config file");
  }
  std::string text(static_cast<std::size_t>(info.st_size), '\0');
  const std::int64_t got = read_fully(
      fd.get(), {reinterpret_cast<std::uint8_t*>(text.data()), text.size()});
  if (got < 0) fail(path + ": cannot read config: " + errno_text(static_cast<int>(-got)));
  text.resize(static_cast<std::size_t>(got));
  return text;
}

// Notes where each YAML document starts; ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;

  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The one document of the file (Null when it has none). Not YAML::LoadAll: on some
// malformed input (",&x") yaml-cpp 0.7 yields empty documents without end, and LoadAll
// would collect them until memory runs out. Here the parser is asked for two at most.
YAML::Node load_one_document(const std::string& yaml_text, const std::string& source) {
  try {
    std::istringstream stream(yaml_text);
    YAML::Parser parser(stream);
    DocumentStarts starts;
    if (parser.HandleNextDocument(starts) && parser.HandleNextDocument(starts)) {
      fail(source + ":" + line_prefix(starts.marks.back()) +
           " expected one YAML document, found more");
    }
    return YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    fail(source + ":" + line_prefix(error.mark) + " invalid YAML: " + printable(error.msg));
  }
}

const char* environment(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;   // set but empty counts as unset
}

}  // namespace

std::optional<bool> environment_switch(const char* variable) {
  const char* value = std::getenv(variable);
  if (value == nullptr) return std::nullopt;
  const std::string setting = value;
  check(setting == "on" || setting == "off",
        std::string(variable) + ": '" + setting + "' is neither on nor off");
  return setting == "on";
}

std::string expand_home(const std::string& path) {
  if (path.empty() || path[0] != '~') return path;
  const std::size_t slash = path.find('/');
  const std::string user = path.substr(1, slash == std::string::npos ? slash : slash - 1);
  const std::string rest = slash == std::string::npos ? "" : path.substr(slash);
  if (user.empty()) {
    const std::string home = home_directory();
    check(!home.empty(), "cannot expand '" + printable(path) + "': HOME is not set");
    return without_trailing_slashes(home) + rest;
  }
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    fail("cannot expand '" + printable(path) + "': no user '" + printable(user) + "'");
  }
  return without_trailing_slashes(found->pw_dir) + rest;
}

Config Config::defaults() {
  Config config;
  // XDG Base Directory: a relative XDG_CACHE_HOME is invalid and must be ignored.
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && xdg[0] == '/') {
    config.cache.dir = without_trailing_slashes(xdg) + "/tandem";
  } else if (const std::string home = home_directory(); !home.empty()) {
    config.cache.dir = without_trailing_slashes(home) + "/.cache/tandem";
  } else {
    config.cache.mode = CacheMode::Off;   // nowhere safe to write: no cache
  }
  return config;
}

Config Config::parse(const std::string& yaml_text, const std::string& source_name) {
  Config config = defaults();
  const YAML::Node document = load_one_document(yaml_text, source_name);
  try {
    ConfigReader(source_name).read(document, config);
  } catch (const YAML::Exception& error) {
    fail(source_name + ":" + line_prefix(error.mark) + " " + printable(error.msg));
  }
  return config;
}

Config Config::load(const std::string& path) { return parse(read_config_file(path), path); }

void Config::apply_environment() {
  if (const char* value = environment("TANDEM_BACKEND")) {
    std::vector<std::string> names;
    std::string list = value;
    for (std::size_t start = 0; start <= list.size();) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      std::string name = list.substr(start, comma - start);
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      if (std::string problem = backend_problem(name); !problem.empty()) {
        fail("TANDEM_BACKEND: " + problem);
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        fail("TANDEM_BACKEND: '" + printable(name) + "' is listed twice");
      }
      names.push_back(name);
      start = comma + 1;
    }
    backends = names;
  }
  if (const char* value = environment("TANDEM_DEVICE")) {
    try {
      device = DeviceSelector::parse(value);
    } catch (const Error& error) {
      fail(std::string("TANDEM_DEVICE: ") + error.what());
    }
  }
  if (const char* value = environment("TANDEM_CACHE_DIR")) {
    try {
      cache.dir = expand_home(value);
    } catch (const Error& error) {
      fail(std::string("TANDEM_CACHE_DIR: ") + error.what());
    }
  }
}

}  // namespace tandem
