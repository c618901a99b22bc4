// `tandem cache inspect|verify|build|clear`: look into, check, prebuild and empty caches.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "core/cache/cache_file.h"
#include "core/cache/cache_inspect.h"
#include "core/session.h"
#include "tools/cli_support.h"
#include "tools/commands.h"

namespace tandem::tools {

namespace {

namespace fs = std::filesystem;

const char* outcome_name(CacheLoadOutcome outcome) {
  switch (outcome) {
    case CacheLoadOutcome::Loaded: return "valid";
    case CacheLoadOutcome::Missing: return "missing";
    case CacheLoadOutcome::Mismatch: return "mismatch";
    case CacheLoadOutcome::Corrupt: return "corrupt";
    case CacheLoadOutcome::Untrusted: return "untrusted";
  }
  return "?";
}

std::vector<std::uint8_t> read_any(const std::string& path) {
  check(fs::exists(path), path + ": no such file");
  check(fs::is_regular_file(path), path + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  check(static_cast<bool>(in), path + ": cannot be read");
  return {std::istreambuf_iterator<char>(in), {}};
}

// A short payload of printable text (a work-group choice "64,1,1") is shown as such.
std::string payload_text(const std::vector<std::uint8_t>& payload) {
  if (payload.empty() || payload.size() > 64) return "";
  for (std::uint8_t byte : payload) {
    if (byte < 0x20 || byte > 0x7e) return "";
  }
  return std::string(payload.begin(), payload.end());
}

// The strict reader's verdict on the whole file, then the forgiving walk's view of each part:
// a damaged file still shows which entries were sound.
nlohmann::json inspect_json(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  const CacheLoadResult result = parse_cache_bytes(bytes, nullptr);
  const CacheInspection walk = inspect_cache_bytes(bytes, nullptr);
  nlohmann::json identity = nlohmann::json::object();
  for (const auto& [key, value] : walk.header.identity) identity[key] = value;
  nlohmann::json entries = nlohmann::json::array();
  for (const InspectedEntry& entry : walk.entries) {
    nlohmann::json item = {{"key", entry.key}, {"bytes", entry.payload_bytes},
                           {"last_used", entry.last_used}, {"valid", entry.valid}};
    if (!entry.valid) item["reason"] = entry.reason;
    const std::string text = payload_text(entry.payload);
    if (!text.empty()) item["text"] = text;
    entries.push_back(item);
  }
  return {{"path", path}, {"status", outcome_name(result.outcome)}, {"reason", result.reason},
          {"header_valid", walk.header_valid}, {"header_reason", walk.header_reason},
          {"kind", walk.header.kind}, {"format_version", walk.header.format_version},
          {"engine_version", walk.header.engine_version}, {"identity", identity},
          {"declared_entries", walk.declared_entries}, {"entries", entries},
          {"defects", walk.defects}};
}

void print_inspect(const nlohmann::json& r) {
  std::printf("%s: %s%s\n", r["path"].get<std::string>().c_str(), r["status"].get<std::string>().c_str(),
              r["reason"].get<std::string>().empty() ? "" : (" (" + r["reason"].get<std::string>() + ")").c_str());
  std::printf("  kind %s, format %u, engine %s\n", r["kind"].get<std::string>().c_str(),
              r["format_version"].get<unsigned>(), r["engine_version"].get<std::string>().c_str());
  for (const auto& [key, value] : r["identity"].items()) {
    std::printf("  %-24s %s\n", key.c_str(), value.get<std::string>().c_str());
  }
  std::printf("  header %s\n", r["header_valid"].get<bool>()
                                  ? "valid"
                                  : ("INVALID (" + r["header_reason"].get<std::string>() + ")").c_str());
  std::printf("  %zu entries declared, %zu found\n", r["declared_entries"].get<std::size_t>(),
              r["entries"].size());
  for (const auto& entry : r["entries"]) {
    const std::string validity =
        entry["valid"].get<bool>() ? "valid" : "INVALID (" + entry["reason"].get<std::string>() + ")";
    const std::string text = entry.contains("text") ? " = " + entry["text"].get<std::string>() : "";
    std::printf("  entry %s: %zu bytes, %s%s\n", entry["key"].get<std::string>().c_str(),
                entry["bytes"].get<std::size_t>(), validity.c_str(), text.c_str());
  }
  for (const auto& defect : r["defects"]) {
    std::printf("  defect: %s\n", defect.get<std::string>().c_str());
  }
}

int build(const std::string& model, const std::string& config_path, const std::string& out) {
  Config config = load_config(config_path, {}, "");
  const fs::path scratch = fs::temp_directory_path() / ("tandem-cache-build-" + std::to_string(::getpid()));
  config.cache.dir = scratch.string();
  config.cache.mode = CacheMode::ReadWrite;
  config.cache.shipped.clear();
  Session session = Session::load(model, config);
  session.run(random_inputs(session.graph(), 0));
  const CacheReport report = session.cache_report();
  check(!report.path.empty() && fs::exists(report.path),
        "backend " + session.backend_name() + " wrote no cache file to ship");
  fs::copy_file(report.path, out, fs::copy_options::overwrite_existing);
  fs::remove_all(scratch);
  std::printf("wrote %s for %s on %s\n", out.c_str(), session.backend_name().c_str(),
              session.device().name.c_str());
  return 0;
}

int clear(const std::string& config_path) {
  const Config config = load_config(config_path, {}, "");
  int removed = 0;
  if (fs::is_directory(config.cache.dir)) {
    for (const auto& entry : fs::directory_iterator(config.cache.dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("tandem_", 0) != 0) continue;   // never touch files that are not ours
      fs::remove(entry.path());
      ++removed;
    }
  }
  std::printf("removed %d files from %s\n", removed, config.cache.dir.c_str());
  return 0;
}

}  // namespace

void add_cache_command(CLI::App& app) {
  CLI::App* cache = app.add_subcommand("cache", "Inspect, verify, prebuild or clear compiled-kernel caches");
  cache->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* inspect = cache->add_subcommand("inspect", "Print a cache file's header and entries");
  inspect->add_option("file", *file, "Cache file")->required();
  inspect->add_flag("--json", *json, "Print one JSON object");
  inspect->callback([file, json] {
    run_guarded([&] {
      const nlohmann::json r = inspect_json(*file, read_any(*file));
      if (*json) std::printf("%s\n", r.dump(2).c_str()); else print_inspect(r);
      return 0;
    });
  });

  CLI::App* verify = cache->add_subcommand("verify", "Exit non-zero if a cache file has any defect");
  verify->add_option("file", *file, "Cache file")->required();
  verify->callback([file] {
    run_guarded([&] {
      const std::vector<std::uint8_t> bytes = read_any(*file);
      const CacheLoadResult result = parse_cache_bytes(bytes, nullptr);
      const CacheInspection walk = inspect_cache_bytes(bytes, nullptr);
      if (result.outcome == CacheLoadOutcome::Loaded && walk.defects.empty()) {
        std::printf("%s: valid, %zu entries\n", file->c_str(), result.entries.size());
        return 0;
      }
      const std::string reason = result.reason.empty() ? walk.defects.front() : result.reason;
      std::fprintf(stderr, "tandem: error: %s: %s (%zu defects; see tandem cache inspect)\n",
                   file->c_str(), reason.c_str(), std::max<std::size_t>(walk.defects.size(), 1));
      return 1;
    });
  });

  auto model = std::make_shared<std::string>();
  auto config = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* build_command = cache->add_subcommand("build", "Compile every program a model needs into a file to ship");
  build_command->add_option("model", *model, "The .onnx file")->required();
  build_command->add_option("--config", *config, "YAML config naming the backend and device");
  build_command->add_option("--out", *out, "Cache file to write")->required();
  build_command->callback([model, config, out] { run_guarded([&] { return build(*model, *config, *out); }); });

  CLI::App* clear_command = cache->add_subcommand("clear", "Remove tandem's cache files from the cache directory");
  clear_command->add_option("--config", *config, "YAML config naming the cache directory");
  clear_command->callback([config] { run_guarded([&] { return clear(*config); }); });
}

}  // namespace tandem::tools
