// Config: defaults, every key's good values, every error class with its exact
// file:line: key: message, and the environment overrides.
#include "core/config.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <optional>

#include "core/cache/test_scratch_directory.h"
#include "core/error.h"
#include "core/scoped_environment_test_support.h"

namespace tandem {
namespace {

using testing::ScratchDirectory;

// Every test starts from a known environment and leaves the real one as it found it.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) {
      const char* value = std::getenv(name);
      if (value) saved_[name] = value;
      ::unsetenv(name);
    }
    ::setenv("HOME", "/home/tester", 1);
  }
  void TearDown() override {
    for (const char* name : kVariables) {
      const auto found = saved_.find(name);
      if (found == saved_.end()) {
        ::unsetenv(name);
      } else {
        ::setenv(name, found->second.c_str(), 1);
      }
    }
  }

 private:
  static constexpr const char* kVariables[] = {"HOME", "XDG_CACHE_HOME", "TANDEM_BACKEND",
                                               "TANDEM_DEVICE", "TANDEM_CACHE_DIR"};
  std::map<std::string, std::string> saved_;
};

std::string error_of(const std::string& yaml) {
  try {
    Config::parse(yaml, "cfg.yaml");
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

TEST_F(ConfigTest, Defaults) {
  const Config config = Config::defaults();
  EXPECT_EQ(config.backends, (std::vector<std::string>{"vulkan", "opencl", "reference"}));
  EXPECT_TRUE(config.device.empty());
  EXPECT_EQ(config.cache.dir, "/home/tester/.cache/tandem");
  EXPECT_EQ(config.cache.mode, CacheMode::ReadWrite);
  EXPECT_EQ(config.cache.max_mb, 256);
  EXPECT_EQ(config.cache.shipped, "");
  EXPECT_EQ(config.precision, Precision::FP32);
  EXPECT_FALSE(config.tuning);
  EXPECT_EQ(config.log, LogLevel::Info);
}

TEST_F(ConfigTest, CacheDirFollowsXdg) {
  ::setenv("XDG_CACHE_HOME", "/var/cache/me/", 1);
  EXPECT_EQ(Config::defaults().cache.dir, "/var/cache/me/tandem");
  // The XDG spec says a relative path is invalid and must be ignored.
  ::setenv("XDG_CACHE_HOME", "relative/cache", 1);
  EXPECT_EQ(Config::defaults().cache.dir, "/home/tester/.cache/tandem");
  ::setenv("XDG_CACHE_HOME", "", 1);
  EXPECT_EQ(Config::defaults().cache.dir, "/home/tester/.cache/tandem");
}

TEST_F(ConfigTest, WithoutHomeThePasswordDatabaseAnswers) {
  ::unsetenv("HOME");
  const passwd* me = ::getpwuid(::geteuid());
  if (!me) GTEST_SKIP() << "no password entry for uid " << ::geteuid();
  EXPECT_EQ(Config::defaults().cache.dir, std::string(me->pw_dir) + "/.cache/tandem");
  EXPECT_EQ(expand_home("~/x"), std::string(me->pw_dir) + "/x");
}

TEST_F(ConfigTest, EmptyFileAndCommentsKeepDefaults) {
  EXPECT_EQ(Config::parse("", "cfg.yaml").backends, Config::defaults().backends);
  EXPECT_EQ(Config::parse("# nothing here\n\n", "cfg.yaml").cache.max_mb, 256);
}

TEST_F(ConfigTest, EveryKeyAcceptsItsGoodValues) {
  const Config config = Config::parse(R"(
backend: [reference, opencl]
device:
  type: gpu
  vendor: NVIDIA
  name: H100
  index: 2
cache:
  dir: ~/tandem-cache
  mode: read-only
  max_mb: 1024
  shipped: /usr/share/tandem/cache.bin
precision: fp16
tuning: auto
log: debug
)", "cfg.yaml");
  EXPECT_EQ(config.backends, (std::vector<std::string>{"reference", "opencl"}));
  EXPECT_EQ(config.device.type, "gpu");
  EXPECT_EQ(config.device.vendor, "NVIDIA");
  EXPECT_EQ(config.device.name, "H100");
  EXPECT_EQ(config.device.index, 2);
  EXPECT_EQ(config.cache.dir, "/home/tester/tandem-cache");
  EXPECT_EQ(config.cache.mode, CacheMode::ReadOnly);
  EXPECT_EQ(config.cache.max_mb, 1024);
  EXPECT_EQ(config.cache.shipped, "/usr/share/tandem/cache.bin");
  EXPECT_EQ(config.precision, Precision::FP16);
  EXPECT_TRUE(config.tuning);
  EXPECT_EQ(config.log, LogLevel::Debug);
}

TEST_F(ConfigTest, EachEnumeratedValue) {
  EXPECT_EQ(Config::parse("backend: vulkan", "c").backends, std::vector<std::string>{"vulkan"});
  EXPECT_EQ(Config::parse("cache: {mode: read-write}", "c").cache.mode, CacheMode::ReadWrite);
  EXPECT_EQ(Config::parse("cache: {mode: off}", "c").cache.mode, CacheMode::Off);
  EXPECT_EQ(Config::parse("cache: {max_mb: 1}", "c").cache.max_mb, 1);
  EXPECT_EQ(Config::parse("cache: {shipped: ~/s.bin}", "c").cache.shipped, "/home/tester/s.bin");
  EXPECT_EQ(Config::parse("precision: fp32", "c").precision, Precision::FP32);
  EXPECT_FALSE(Config::parse("tuning: off", "c").tuning);
  const std::pair<const char*, LogLevel> levels[] = {
      {"debug", LogLevel::Debug}, {"info", LogLevel::Info}, {"warn", LogLevel::Warn},
      {"error", LogLevel::Error}, {"quiet", LogLevel::Quiet}};
  for (const auto& [name, level] : levels) {
    EXPECT_EQ(Config::parse(std::string("log: ") + name, "c").log, level) << name;
  }
  for (const char* type : {"gpu", "cpu", "other"}) {
    EXPECT_EQ(Config::parse(std::string("device: {type: ") + type + "}", "c").device.type, type);
  }
}

TEST_F(ConfigTest, BadValuesNameFileLineAndKey) {
  EXPECT_EQ(error_of("log: info\n\ncache:\n  mode: rw\n"),
            "cfg.yaml:4: cache.mode: 'rw' is not one of read-write, read-only, off");
  EXPECT_EQ(error_of("precision: fp64"), "cfg.yaml:1: precision: 'fp64' is not one of fp32, fp16");
  EXPECT_EQ(error_of("tuning: on"), "cfg.yaml:1: tuning: 'on' is not one of off, auto");
  EXPECT_EQ(error_of("log: verbose"),
            "cfg.yaml:1: log: 'verbose' is not one of debug, info, warn, error, quiet");
  EXPECT_EQ(error_of("backend: cuda"),
            "cfg.yaml:1: backend: 'cuda' is not one of vulkan, opencl, reference");
  EXPECT_EQ(error_of("backend:\n  - opencl\n  - cuda\n"),
            "cfg.yaml:3: backend[1]: 'cuda' is not one of vulkan, opencl, reference");
  EXPECT_EQ(error_of("backend: [opencl, opencl]"),
            "cfg.yaml:1: backend[1]: 'opencl' is listed twice");
  EXPECT_EQ(error_of("backend: []"), "cfg.yaml:1: backend: the list is empty");
  EXPECT_EQ(error_of("device:\n  type: tpu"),
            "cfg.yaml:2: device.type: 'tpu' is not one of gpu, cpu, other");
  EXPECT_EQ(error_of("device:\n  name: ''"), "cfg.yaml:2: device.name: must not be empty");
  EXPECT_EQ(error_of("cache:\n  dir: ''"), "cfg.yaml:2: cache.dir: must not be empty");
}

TEST_F(ConfigTest, BadNumbers) {
  EXPECT_EQ(error_of("cache:\n  max_mb: lots"),
            "cfg.yaml:2: cache.max_mb: 'lots' is not a whole number");
  EXPECT_EQ(error_of("cache:\n  max_mb: 1.5"),
            "cfg.yaml:2: cache.max_mb: '1.5' is not a whole number");
  EXPECT_EQ(error_of("cache:\n  max_mb: 0"),
            "cfg.yaml:2: cache.max_mb: '0' is out of range (1 to 1073741824)");
  EXPECT_EQ(error_of("cache:\n  max_mb: 99999999999999999999"),
            "cfg.yaml:2: cache.max_mb: '99999999999999999999' is out of range (1 to 1073741824)");
  EXPECT_EQ(error_of("device:\n  index: -1"),
            "cfg.yaml:2: device.index: '-1' is out of range (0 to 2147483647)");
  EXPECT_EQ(error_of("device: {index: first}"),
            "cfg.yaml:1: device.index: 'first' is not a whole number");
}

TEST_F(ConfigTest, WrongTypes) {
  EXPECT_EQ(error_of("device:\n  - gpu\n"), "cfg.yaml:2: device: expected a map, got a list");
  EXPECT_EQ(error_of("cache: big"), "cfg.yaml:1: cache: expected a map, got a value");
  EXPECT_EQ(error_of("backend: {name: opencl}"),
            "cfg.yaml:1: backend: expected a name or a list, got a map");
  EXPECT_EQ(error_of("log: [info]"), "cfg.yaml:1: log: expected a value, got a list");
  EXPECT_EQ(error_of("backend: [[opencl]]"),
            "cfg.yaml:1: backend[0]: expected a value, got a list");
  EXPECT_EQ(error_of("- backend\n- log\n"), "cfg.yaml:1: expected a map, got a list");
  EXPECT_EQ(error_of("just text"), "cfg.yaml:1: expected a map, got a value");
  EXPECT_EQ(error_of("log: info\ncache:\n  dir:\n"), "cfg.yaml:3: cache.dir: has no value");
  EXPECT_EQ(error_of("precision: ~"), "cfg.yaml:1: precision: has no value");
}

TEST_F(ConfigTest, MessagesStayOnOneLine) {
  EXPECT_EQ(error_of("log: \"a\\nb\""),
            "cfg.yaml:1: log: 'a\\x0ab' is not one of debug, info, warn, error, quiet");
  EXPECT_EQ(error_of("\"x\\ny\": 1"),
            "cfg.yaml:1: x\\x0ay: unknown key (known: backend, cache, device, log, precision, "
            "tuning)");
}

TEST_F(ConfigTest, UnknownAndRepeatedKeys) {
  EXPECT_EQ(error_of("log: info\nbackends: [opencl]\n"),
            "cfg.yaml:2: backends: unknown key (known: backend, cache, device, log, precision, "
            "tuning)");
  EXPECT_EQ(error_of("cache:\n  dir: /x\n  size: 5\n"),
            "cfg.yaml:3: cache.size: unknown key (known: dir, max_mb, mode, shipped)");
  EXPECT_EQ(error_of("device:\n  uuid: 1\n"),
            "cfg.yaml:2: device.uuid: unknown key (known: index, name, type, vendor)");
  EXPECT_EQ(error_of("log: info\nprecision: fp32\nlog: warn\n"),
            "cfg.yaml:3: log: given twice (first on line 1)");
}

TEST_F(ConfigTest, SyntaxErrorsAndDocuments) {
  EXPECT_EQ(error_of("backend: [vulkan\nlog: info\n"),
            "cfg.yaml:2: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("log: info\n  cache: x\n"), "cfg.yaml:2: invalid YAML: illegal map value");
  EXPECT_EQ(error_of("log: info\n---\nlog: warn\n"),
            "cfg.yaml:2: expected one YAML document, found more");
  EXPECT_EQ(error_of(",&x"), "cfg.yaml:1: expected one YAML document, found more");
}

TEST_F(ConfigTest, LoadReadsAFileAndNamesIt) {
  ScratchDirectory dir;
  const std::string path = dir / "tandem.yaml";
  testing::write_bytes(path, std::vector<std::uint8_t>{'l', 'o', 'g', ':', ' ', 'w', 'a', 'r', 'n',
                                                       '\n', 'x', ':', ' ', '1', '\n'});
  try {
    Config::load(path);
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              path + ":2: x: unknown key (known: backend, cache, device, log, precision, tuning)");
  }
  testing::write_bytes(path, std::vector<std::uint8_t>{'l', 'o', 'g', ':', ' ', 'w', 'a', 'r',
                                                       'n', '\n'});
  EXPECT_EQ(Config::load(path).log, LogLevel::Warn);
  try {
    Config::load(dir / "missing.yaml");
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              dir / "missing.yaml" + ": cannot read config: No such file or directory");
  }
  try {
    Config::load(dir.path());
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), dir.path() + ": cannot read config: it is a directory");
  }
}

TEST_F(ConfigTest, EnvironmentOverrides) {
  Config config = Config::parse("backend: vulkan\ncache: {dir: /from/file}\n", "cfg.yaml");
  ::setenv("TANDEM_BACKEND", "opencl, reference", 1);
  ::setenv("TANDEM_DEVICE", "gpu,vendor=nvidia", 1);
  ::setenv("TANDEM_CACHE_DIR", "~/env-cache", 1);
  config.apply_environment();
  EXPECT_EQ(config.backends, (std::vector<std::string>{"opencl", "reference"}));
  EXPECT_EQ(config.device.type, "gpu");
  EXPECT_EQ(config.device.vendor, "nvidia");
  EXPECT_EQ(config.cache.dir, "/home/tester/env-cache");
  // Set but empty counts as unset.
  ::setenv("TANDEM_BACKEND", "", 1);
  ::setenv("TANDEM_CACHE_DIR", "", 1);
  config.apply_environment();
  EXPECT_EQ(config.backends, (std::vector<std::string>{"opencl", "reference"}));
  EXPECT_EQ(config.cache.dir, "/home/tester/env-cache");
}

std::string environment_error(const char* name, const char* value) {
  ::setenv(name, value, 1);
  Config config = Config::defaults();
  try {
    config.apply_environment();
  } catch (const Error& error) {
    ::unsetenv(name);
    return error.what();
  }
  ::unsetenv(name);
  return "no error";
}

TEST_F(ConfigTest, BadEnvironmentValuesNameTheVariable) {
  EXPECT_EQ(environment_error("TANDEM_BACKEND", "opencl,cuda"),
            "TANDEM_BACKEND: 'cuda' is not one of vulkan, opencl, reference");
  EXPECT_EQ(environment_error("TANDEM_BACKEND", "opencl,,vulkan"),
            "TANDEM_BACKEND: '' is not one of vulkan, opencl, reference");
  EXPECT_EQ(environment_error("TANDEM_BACKEND", "opencl,opencl"),
            "TANDEM_BACKEND: 'opencl' is listed twice");
  EXPECT_EQ(environment_error("TANDEM_DEVICE", "tpu"),
            "TANDEM_DEVICE: device selector 'tpu': 'tpu' is not gpu, cpu, other, an index or one "
            "of type=, vendor=, name=, index=");
  EXPECT_EQ(environment_error("TANDEM_CACHE_DIR", "~no_such_user_zq/x"),
            "TANDEM_CACHE_DIR: cannot expand '~no_such_user_zq/x': no user 'no_such_user_zq'");
}

TEST_F(ConfigTest, ExpandHome) {
  EXPECT_EQ(expand_home("~"), "/home/tester");
  EXPECT_EQ(expand_home("~/a/b"), "/home/tester/a/b");
  EXPECT_EQ(expand_home("/abs/~/x"), "/abs/~/x");
  EXPECT_EQ(expand_home("rel/x"), "rel/x");
  EXPECT_EQ(expand_home(""), "");
  ::setenv("HOME", "/home/slash/", 1);
  EXPECT_EQ(expand_home("~/x"), "/home/slash/x");
  const passwd* root = ::getpwnam("root");
  if (root) {
    EXPECT_EQ(expand_home("~root/x"), std::string(root->pw_dir) + "/x");
  }
  EXPECT_THROW(expand_home("~no_such_user_zq"), Error);
}

// Unset, on, off; anything else is an error that names the variable.
TEST(EnvironmentSwitch, OnOffOrUnset) {
  const char* variable = "TANDEM_TEST_SWITCH";
  unsetenv(variable);
  EXPECT_EQ(environment_switch(variable), std::nullopt);
  {
    const testing::ScopedEnvironment on(variable, "on");
    EXPECT_EQ(environment_switch(variable), true);
  }
  {
    const testing::ScopedEnvironment off(variable, "off");
    EXPECT_EQ(environment_switch(variable), false);
  }
  const testing::ScopedEnvironment yes(variable, "yes");
  try {
    environment_switch(variable);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), "TANDEM_TEST_SWITCH: 'yes' is neither on nor off");
  }
}

}  // namespace
}  // namespace tandem
