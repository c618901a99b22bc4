#include "conformance/device_pairing.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>

namespace tandem::conformance {
namespace {

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> result;
  std::string word;
  for (char c : lowercase(text) + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += c;
    } else if (!word.empty()) {
      result.push_back(word);
      word.clear();
    }
  }
  return result;
}

std::set<std::string> significant_words(const std::string& name) {
  static const std::set<std::string> noise = {
      "nvidia", "amd",     "intel", "corporation", "corp",   "inc",    "graphics",
      "gpu",    "r",       "tm",    "the",         "series", "device", "advanced",
      "micro",  "devices", "ati",   "radeon",      "geforce"};
  std::set<std::string> result;
  for (const std::string& word : words(name)) {
    if (!noise.count(word)) result.insert(word);
  }
  return result;
}

std::string uuid_of(const DeviceInfo& device) {
  for (const auto& [key, value] : device.identity) {
    const std::string lower = lowercase(key);
    if ((lower == "device_uuid" || lower == "uuid" || lower == "deviceuuid") && !value.empty())
      return lowercase(value);
  }
  return "";
}

std::string format_similarity(double similarity) {
  char text[16];
  std::snprintf(text, sizeof text, "%.2f", similarity);
  return text;
}

// Why two devices are one, or empty when they are not.
std::string match_reason(const DeviceInfo& a, const DeviceInfo& b) {
  const std::string uuid_a = uuid_of(a);
  if (!uuid_a.empty() && uuid_a == uuid_of(b)) return "same device UUID " + uuid_a;
  const std::string vendor = canonical_vendor(a.vendor);
  if (vendor.empty() || vendor != canonical_vendor(b.vendor) || a.type != b.type) return "";
  const double similarity = name_similarity(a.name, b.name);
  if (similarity < 0.5) return "";
  return "vendor " + vendor + ", names '" + a.name + "' ~ '" + b.name + "' (similarity " +
         format_similarity(similarity) + ")";
}

}  // namespace

std::string canonical_vendor(const std::string& vendor) {
  static const std::map<std::string, std::string> known = {
      {"0x10de", "nvidia"}, {"4318", "nvidia"}, {"nvidia", "nvidia"},   {"0x1002", "amd"},
      {"4098", "amd"},      {"amd", "amd"},     {"advanced", "amd"},    {"authenticamd", "amd"},
      {"0x8086", "intel"},  {"32902", "intel"}, {"intel", "intel"},     {"genuineintel", "intel"},
      {"0x13b5", "arm"},    {"arm", "arm"},     {"0x5143", "qualcomm"}, {"qualcomm", "qualcomm"},
      {"0x106b", "apple"},  {"apple", "apple"}, {"0x10005", "mesa"},    {"mesa", "mesa"},
      {"65541", "mesa"}};
  const std::string lower = lowercase(vendor);
  auto it = known.find(lower);
  if (it != known.end()) return it->second;
  const std::vector<std::string> parts = words(lower);
  if (parts.empty()) return "";
  it = known.find(parts.front());
  return it != known.end() ? it->second : parts.front();
}

double name_similarity(const std::string& a, const std::string& b) {
  const std::set<std::string> words_a = significant_words(a);
  const std::set<std::string> words_b = significant_words(b);
  if (words_a.empty() || words_b.empty()) return 0.0;
  std::size_t common = 0;
  for (const std::string& word : words_a) common += words_b.count(word);
  return static_cast<double>(common) /
         static_cast<double>(words_a.size() + words_b.size() - common);
}

std::vector<DevicePair> pair_devices(const std::vector<DeviceInfo>& devices) {
  std::vector<DevicePair> pairs;
  std::set<std::pair<std::size_t, std::string>> taken;  // (device, other backend)
  for (std::size_t i = 0; i < devices.size(); ++i) {
    for (std::size_t j = i + 1; j < devices.size(); ++j) {
      const DeviceInfo& a = devices[i];
      const DeviceInfo& b = devices[j];
      if (a.backend == b.backend || a.backend == "reference" || b.backend == "reference") continue;
      if (taken.count({i, b.backend}) || taken.count({j, a.backend})) continue;
      const std::string reason = match_reason(a, b);
      if (reason.empty()) continue;
      pairs.push_back({i, j, reason});
      taken.insert({i, b.backend});
      taken.insert({j, a.backend});
    }
  }
  return pairs;
}

}  // namespace tandem::conformance
