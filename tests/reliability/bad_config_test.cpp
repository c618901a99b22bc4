// Bad input (issue 7.7): every key of the YAML config given wrong, missing and malicious
// values, and files that are not configs at all. Each case's file is passed with --config;
// the error must name the file and line and the dotted key (rule in bad_input.h).
#include <gtest/gtest.h>

#include <random>

#include "tests/reliability/bad_input.h"

namespace tandem::reliability {
namespace {

// {id, yaml, what the message must name}: the file name case-<id> is checked as well.
struct ConfigCase {
  const char* id;
  std::string yaml;
  std::string names;
  const char* known_failure = nullptr;
  std::vector<std::pair<std::string, std::string>> environment = {};
};

std::string random_text(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string text(size, '\0');
  for (char& c : text) c = static_cast<char>(random());
  return text;
}

// Anchors nine deep, each nine aliases of the one before: 9^9 leaves if expanded.
std::string alias_bomb() {
  std::string yaml = "xa: &a [vulkan, vulkan, vulkan, vulkan, vulkan, vulkan, vulkan, vulkan, vulkan]\n";
  std::string previous = "a";
  for (char name = 'b'; name <= 'i'; ++name) {
    yaml += std::string("x") + name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) yaml += (i ? ", *" : "*") + previous;
    yaml += "]\n";
    previous = std::string(1, name);
  }
  return yaml;
}

std::vector<ConfigCase> config_cases() {
  return {
      {"NotYaml", "backend: [vulkan\n", "invalid YAML"},
      {"BinaryGarbage", random_text(2048, 11), "case-BinaryGarbage"},
      {"TooBig", "# " + std::string(2 << 20, 'x') + "\n", "too big"},
      {"NotAMap", "- backend\n- cache\n", "expected a map"},
      {"TwoDocuments", "log: info\n---\nlog: debug\n", "one YAML document"},
      {"UnknownKey", "backnd: [vulkan]\n", "backnd"},
      {"KeyGivenTwice", "log: info\nlog: debug\n", "twice"},
      {"KeyWithNewline", "\"lo\\ng\": info\n", "unknown key"},
      {"KeyIsAList", "? [log]\n: info\n", ":1:"},
      {"DeeplyNested", std::string(100000, '[') + "\n", "case-DeeplyNested"},
      {"AliasBomb", alias_bomb(), "xa"},
      {"BackendUnknown", "backend: cuda\n", "backend"},
      {"BackendEmptyList", "backend: []\n", "backend"},
      {"BackendIsAMap", "backend: {vulkan: 1}\n", "backend"},
      {"BackendListedTwice", "backend: [vulkan, vulkan]\n", "backend[1]"},
      {"BackendHasNoValue", "backend:\n", "backend"},
      {"BackendNestedList", "backend: [[vulkan]]\n", "backend[0]"},
      {"DeviceNotAMap", "device: gpu\n", "device"},
      {"DeviceTypeUnknown", "device: {type: tpu}\n", "device.type"},
      {"DeviceIndexNegative", "device: {index: -1}\n", "device.index"},
      {"DeviceIndexHuge", "device: {index: 99999999999999999999}\n", "device.index"},
      {"DeviceIndexWord", "device: {index: first}\n", "device.index"},
      {"DeviceIndexFraction", "device: {index: 1.5}\n", "device.index"},
      {"DeviceVendorEmpty", "device: {vendor: ''}\n", "device.vendor"},
      {"DeviceNameIsAList", "device: {name: [a, b]}\n", "device.name"},
      {"DeviceUnknownKey", "device: {colour: red}\n", "device.colour"},
      {"CacheNotAMap", "cache: yes\n", "cache"},
      {"CacheDirEmpty", "cache: {dir: ''}\n", "cache.dir"},
      {"CacheDirIsAList", "cache: {dir: [a]}\n", "cache.dir"},
      {"CacheDirUnknownUser", "cache: {dir: ~nosuchuser_tandem/cache}\n", "cache.dir"},
      // With TANDEM_CACHE_DIR set to nothing the config's directory is the one used: a NUL
      // in it must not quietly become a shorter path.
      {"CacheDirWithNul", "cache: {dir: \"{dir}/nul\\0dir\"}\n", "cache.dir", nullptr,
       {{"TANDEM_CACHE_DIR", ""}}},
      {"CacheModeUnknown", "cache: {mode: rw}\n", "cache.mode"},
      {"CacheMaxMbZero", "cache: {max_mb: 0}\n", "cache.max_mb"},
      {"CacheMaxMbNegative", "cache: {max_mb: -5}\n", "cache.max_mb"},
      {"CacheMaxMbHuge", "cache: {max_mb: 99999999999999999999}\n", "cache.max_mb"},
      {"CacheMaxMbWord", "cache: {max_mb: lots}\n", "cache.max_mb"},
      {"CacheMaxMbFraction", "cache: {max_mb: 1.5}\n", "cache.max_mb"},
      {"CacheShippedEmpty", "cache: {shipped: ''}\n", "cache.shipped"},
      {"CacheUnknownKey", "cache: {size: 5}\n", "cache.size"},
      {"PrecisionUnknown", "precision: fp64\n", "precision"},
      {"PrecisionIsAList", "precision: [fp32]\n", "precision"},
      {"TuningUnknown", "tuning: on\n", "tuning"},
      {"LogUnknown", "log: verbose\n", "log"},
      {"LogHasNoValue", "log: ~\n", "log"},
  };
}

std::vector<BadInputCase> as_bad_inputs() {
  std::vector<BadInputCase> cases;
  for (const ConfigCase& config : config_cases()) {
    BadInputCase bad{config.id,
                     {"run", "{model}", "--backend", "{backend}", "--config", "{file}"},
                     config.names,
                     config.yaml,
                     config.environment,
                     config.known_failure};
    cases.push_back(bad);
  }
  return cases;
}

class BadConfig : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(BadConfig, OneLineErrorNamingFileAndKey) {
  check_bad_input(GetParam());
  // Every config message starts with the file it came from.
  BadInputCase names_file = GetParam();
  names_file.names = "case-" + names_file.id;
  if (!names_file.known_failure) check_bad_input(names_file);
}

INSTANTIATE_TEST_SUITE_P(Keys, BadConfig, ::testing::ValuesIn(as_bad_inputs()), BadInputName());

}  // namespace
}  // namespace tandem::reliability
