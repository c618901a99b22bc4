#include "conformance/cache_scenarios.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "conformance/cache_scenario_run.h"
#include "conformance/parallel.h"

namespace tandem::conformance {
namespace {

constexpr const char* kRootSkip = "running as root: permission bits do not stop root";
using Outcomes = std::vector<CacheLoadOutcome>;
const Outcomes kCorrupt = {CacheLoadOutcome::Corrupt};

std::string field_slug(const std::string& key) {
  std::string slug;
  for (char c : key) slug += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return slug;
}

CacheScenario with_bytes(std::string name, std::vector<std::uint8_t> bytes, Outcomes must = {}) {
  CacheScenario scenario;
  scenario.name = std::move(name);
  scenario.bytes = std::move(bytes);
  scenario.container_must = std::move(must);
  return scenario;
}

// Every entry the cold run wrote must be back in the file.
std::string keys_restored(const std::string& path, const CacheBaseline& baseline) {
  const CacheLoadResult loaded = read_cache_file(path, baseline.image.header);
  for (const CacheEntry& wanted : baseline.image.entries) {
    bool found = false;
    for (const CacheEntry& entry : loaded.entries) found |= entry.key == wanted.key;
    if (!found) return "entry '" + wanted.key + "' is missing from the rewritten file";
  }
  return "";
}

void add_version_scenarios(std::vector<CacheScenario>& list, const CacheBaseline& base) {
  CacheScenario warm = with_bytes("warm", base.image.bytes, {CacheLoadOutcome::Loaded});
  warm.statuses = {"hit"};
  warm.identical_to_cold = true;
  list.push_back(warm);

  CacheScenario stale =
      with_bytes("stale_entry_keys", with_stale_keys(base.image), {CacheLoadOutcome::Loaded});
  stale.statuses = {"miss", "partial"};
  stale.extra_check = [&base](const std::string& path) { return keys_restored(path, base); };
  list.push_back(stale);

  for (const auto& [name, field] : {std::pair{"kernel_source_changed", ProgramKeyField::SourceHash},
                                    std::pair{"build_options_changed", ProgramKeyField::BuildOptions}}) {
    const std::vector<std::uint8_t> bytes = with_program_keys_changed(base.image, field);
    CacheScenario changed = with_bytes(name, bytes, {CacheLoadOutcome::Loaded});
    changed.statuses = {"miss", "partial"};
    changed.extra_check = [&base](const std::string& path) { return keys_restored(path, base); };
    if (bytes.empty()) {
      changed.skip_reason =
          "no program entries: the Vulkan cache has no build options, and a changed shader "
          "changes the header's SPIR-V hash (identity_spirv_hash)";
    }
    list.push_back(changed);
  }

  for (const auto& [key, value] : base.image.header.identity) {
    CacheFileHeader header = base.image.header;
    for (auto& field : header.identity) {
      if (field.first == key) field.second = value + "-tampered";
    }
    CacheScenario changed =
        with_bytes("identity_" + field_slug(key), with_header(base.image, header),
                   {CacheLoadOutcome::Mismatch});
    changed.statuses = {"invalidated"};
    changed.reason_mentions = {key, value + "-tampered"};
    if (!value.empty()) changed.reason_mentions.push_back(value);
    list.push_back(changed);
  }
  CacheFileHeader engine = base.image.header;
  engine.engine_version = "999.0.0-conformance";
  CacheScenario bump = with_bytes("engine_version_bump", with_header(base.image, engine),
                                  {CacheLoadOutcome::Mismatch});
  bump.statuses = {"invalidated"};
  bump.reason_mentions = {"engine", "version", engine.engine_version};
  list.push_back(bump);

  CacheFileHeader format = base.image.header;
  format.format_version += 1;
  list.push_back(with_bytes("format_version_bump", with_header(base.image, format),
                            {CacheLoadOutcome::Mismatch, CacheLoadOutcome::Corrupt}));
}

void add_corruption_scenarios(std::vector<CacheScenario>& list, const CacheBaseline& base) {
  const std::vector<std::uint8_t>& bytes = base.image.bytes;
  for (std::size_t offset : header_field_boundaries(base.image)) {
    list.push_back(with_bytes("truncated_at_" + std::to_string(offset),
                              {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset)},
                              kCorrupt));
  }
  for (std::size_t offset : random_offsets(base.image, 2, 0x7a11)) {
    list.push_back(with_bytes("truncated_randomly_at_" + std::to_string(offset),
                              {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset)},
                              kCorrupt));
  }
  list.push_back(with_bytes("zero_length", {}, kCorrupt));
  list.push_back(with_bytes("flipped_bit_in_magic", with_bit_flipped(bytes, 0, 0), kCorrupt));
  const std::vector<std::size_t> boundaries = header_field_boundaries(base.image);
  if (!base.image.header.identity.empty()) {
    // The middle of the header: an identity value or its neighbours.
    const std::size_t middle = boundaries[boundaries.size() / 2];
    list.push_back(with_bytes("flipped_bit_in_header", with_bit_flipped(bytes, middle, 3),
                              {CacheLoadOutcome::Mismatch, CacheLoadOutcome::Corrupt}));
  }
  const std::size_t payload = payload_offset(base.image);
  if (payload < bytes.size()) {
    const std::size_t at = payload + base.image.entries.front().payload.size() / 2;
    list.push_back(with_bytes("flipped_bit_in_entry", with_bit_flipped(bytes, at, 5), kCorrupt));
  }
  const std::vector<std::size_t> checksum = checksum_offsets(base.image);
  CacheScenario flipped_checksum;
  if (checksum.empty()) {
    flipped_checksum.name = "flipped_bit_in_checksum";
    flipped_checksum.skip_reason =
        "no bytes of the file depend on entry 0's payload: nothing checksums it";
  } else {
    const std::vector<std::uint8_t> serialized =
        serialize_cache(base.image.header, base.image.entries);
    flipped_checksum = with_bytes("flipped_bit_in_checksum",
                                  with_bit_flipped(serialized, checksum.front(), 0), kCorrupt);
  }
  list.push_back(flipped_checksum);
  list.push_back(with_bytes("random_bytes", random_bytes(bytes.size(), 0xbadcafe), kCorrupt));
}

void add_filesystem_scenarios(std::vector<CacheScenario>& list, const CacheBaseline& base) {
  const bool root = ::geteuid() == 0;
  CacheScenario directory;
  directory.name = "directory_at_path";
  directory.plant = [](const std::string& path) {
    std::filesystem::create_directories(path + "/stray");
  };
  directory.statuses = {"recovered"};
  list.push_back(directory);

  CacheScenario fifo;
  fifo.name = "fifo_at_path";
  fifo.plant = [](const std::string& path) {
    check(::mkfifo(path.c_str(), 0600) == 0, "mkfifo " + path);
  };
  fifo.statuses = {"recovered"};
  list.push_back(fifo);

  CacheScenario unreadable = with_bytes("unreadable_file", base.image.bytes);
  unreadable.plant = [](const std::string& path) { ::chmod(path.c_str(), 0); };
  unreadable.statuses = {"recovered"};
  if (root) unreadable.skip_reason = kRootSkip;
  list.push_back(unreadable);

  CacheScenario shared = with_bytes("group_writable_file", base.image.bytes);
  shared.plant = [](const std::string& path) { ::chmod(path.c_str(), 0666); };
  shared.statuses = {"recovered"};
  list.push_back(shared);

  CacheScenario locked_dir =
      with_bytes("read_only_directory", base.image.bytes, {CacheLoadOutcome::Loaded});
  locked_dir.read_only_dir = true;
  locked_dir.statuses = {"hit", "read-only"};
  locked_dir.after = AfterRun::Untouched;
  if (root) locked_dir.skip_reason = kRootSkip;
  list.push_back(locked_dir);
}

void add_mode_scenarios(std::vector<CacheScenario>& list, const CacheBaseline& base) {
  CacheScenario warm =
      with_bytes("read_only_mode_warm", base.image.bytes, {CacheLoadOutcome::Loaded});
  warm.mode = CacheMode::ReadOnly;
  warm.statuses = {"hit", "read-only"};
  warm.after = AfterRun::Untouched;
  list.push_back(warm);

  const std::vector<std::uint8_t>& bytes = base.image.bytes;
  CacheScenario corrupt = with_bytes(
      "read_only_mode_corrupt",
      {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2)}, kCorrupt);
  corrupt.mode = CacheMode::ReadOnly;
  corrupt.statuses = {"recovered", "invalidated", "miss", "read-only"};
  corrupt.after = AfterRun::Untouched;
  list.push_back(corrupt);

  CacheScenario cold;
  cold.name = "read_only_mode_cold";
  cold.mode = CacheMode::ReadOnly;
  cold.statuses = {"miss", "read-only"};
  cold.after = AfterRun::NoFile;
  list.push_back(cold);

  CacheScenario off;
  off.name = "cache_off";
  off.mode = CacheMode::Off;
  off.statuses = {"off"};
  off.after = AfterRun::NoFile;
  list.push_back(off);
}

// No backend involved: every prefix of the file must be rejected as corrupt, and every
// sampled bit flip either rejected or harmless (it hit bytes no entry depends on).
CaseResult container_checks(const CacheScenarioTarget& target, const CacheBaseline& base) {
  CaseResult result = scenario_result(target, "container_rejects_damage");
  const std::vector<std::uint8_t>& bytes = base.image.bytes;
  std::string problem;
  for (std::size_t size = 0; size < bytes.size() && problem.empty(); ++size) {
    const CacheLoadResult verdict = parse_cache_bytes({bytes.data(), size}, &base.image.header);
    if (verdict.outcome != CacheLoadOutcome::Corrupt) {
      problem = "a prefix of " + std::to_string(size) + " bytes reads as " +
                load_outcome_name(verdict.outcome);
    }
  }
  const std::size_t step = std::max<std::size_t>(1, bytes.size() / 512);
  for (std::size_t offset = 0; offset < bytes.size() && problem.empty(); offset += step) {
    const CacheLoadResult verdict = parse_cache_bytes(
        with_bit_flipped(bytes, offset, static_cast<int>(offset % 8)), &base.image.header);
    if (verdict.outcome != CacheLoadOutcome::Loaded) continue;
    bool same = verdict.entries.size() == base.image.entries.size();
    for (std::size_t e = 0; same && e < verdict.entries.size(); ++e) {
      same = verdict.entries[e].key == base.image.entries[e].key &&
             verdict.entries[e].payload == base.image.entries[e].payload;
    }
    if (!same)
      problem =
          "a bit flipped at offset " + std::to_string(offset) + " changed an entry undetected";
  }
  result.outcome = problem.empty() ? Outcome::Pass : Outcome::Fail;
  result.reason = problem.empty()
                      ? "every truncation rejected, every sampled bit flip rejected or harmless"
                      : problem;
  return result;
}

std::vector<CacheScenario> scenarios_after_cold(const CacheBaseline& base) {
  std::vector<CacheScenario> list;
  add_version_scenarios(list, base);
  add_corruption_scenarios(list, base);
  add_filesystem_scenarios(list, base);
  add_mode_scenarios(list, base);
  return list;
}

// Scenario names depend on the cold run's file (offsets, identity fields); these stand for
// them when deciding whether a filter selects any scenario at all.
bool any_selected(const CaseSelector& selected) {
  for (const char* name : {"cold",
                           "warm",
                           "stale_entry_keys",
                           "kernel_source_changed",
                           "build_options_changed",
                           "identity_device_name",
                           "engine_version_bump",
                           "format_version_bump",
                           "truncated_at_8",
                           "truncated_randomly_at_100",
                           "zero_length",
                           "flipped_bit_in_magic",
                           "flipped_bit_in_header",
                           "flipped_bit_in_entry",
                           "flipped_bit_in_checksum",
                           "random_bytes",
                           "directory_at_path",
                           "fifo_at_path",
                           "unreadable_file",
                           "group_writable_file",
                           "read_only_directory",
                           "read_only_mode_warm",
                           "read_only_mode_corrupt",
                           "read_only_mode_cold",
                           "cache_off",
                           "container_rejects_damage"}) {
    if (selected(std::string("cache/") + name)) return true;
  }
  return false;
}

}  // namespace

Case cache_model_case() {
  static const char* const yaml = R"(
family: cache
cases:
  - name: model
    graph:
      inputs:
        - {name: x, shape: [1, 3, 9, 9]}
        - {name: w, shape: [4, 3, 3, 3], constant: true, generator: {uniform: [-0.5, 0.5]}}
        - {name: b, shape: [4], constant: true}
        - {name: skip, shape: [1, 4, 9, 9]}
      nodes:
        - {op: Conv, inputs: [x, w, b], outputs: [conv], attributes: {kernel_shape: [3, 3], pads: [1, 1, 1, 1]}}
        - {op: Relu, inputs: [conv], outputs: [relu]}
        - {op: Add, inputs: [relu, skip], outputs: [y]}
      outputs: [y]
    tolerance: {abs: 1e-5, rel: 1e-5, reason: "float32 accumulation of 27 products of magnitude <= 0.5"}
)";
  return parse_case_file(yaml, "cache_scenarios.cpp").front();
}

int cache_scenario_estimate() { return 45; }

std::vector<CaseResult> run_cache_scenarios(const std::string& backend, const DeviceInfo& device,
                                            const PreparedCase& model, const CaseSelector& selected,
                                            const ResultSink& sink, int jobs) {
  std::vector<CaseResult> results;
  const CacheScenarioTarget target{backend, device, &model};
  if (!model.error.empty() || !model.skip_reason.empty()) {
    CaseResult result = scenario_result(target, "cold");
    result.outcome = model.error.empty() ? Outcome::Skip : Outcome::Fail;
    result.reason = "cache model: " + (model.error.empty() ? model.skip_reason : model.error);
    if (selected(result.case_id)) {
      sink(result);
      results.push_back(std::move(result));
    }
    return results;
  }
  if (!any_selected(selected)) return results;
  std::optional<CacheBaseline> baseline;
  CaseResult cold = run_cold_scenario(target, baseline);
  // Every other scenario builds on the cold run, so its failure is reported even when
  // the filter named only later scenarios.
  if (selected(cold.case_id) || is_failure(cold.outcome)) {
    sink(cold);
    results.push_back(std::move(cold));
  }
  if (!baseline) return results;
  if (selected("cache/container_rejects_damage")) {
    results.push_back(container_checks(target, *baseline));
    sink(results.back());
  }
  std::vector<CacheScenario> scenarios;
  for (CacheScenario& scenario : scenarios_after_cold(*baseline)) {
    if (selected("cache/" + scenario.name)) scenarios.push_back(std::move(scenario));
  }
  std::vector<CaseResult> ran(scenarios.size());
  parallel_for(scenarios.size(), jobs, [&](std::size_t i) {
    ran[i] = run_cache_scenario(target, scenarios[i], *baseline);
    sink(ran[i]);
  });
  for (CaseResult& result : ran) results.push_back(std::move(result));
  return results;
}

}  // namespace tandem::conformance
