#include "conformance/runner.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <regex>
#include <set>

#include "conformance/cache_scenarios.h"
#include "conformance/case_execution.h"
#include "conformance/device_pairing.h"
#include "conformance/expectations.h"
#include "conformance/parallel.h"
#include "conformance/progress.h"
#include "core/temp_dir.h"

namespace tandem::conformance {
namespace {

struct Lane {
  std::unique_ptr<Backend> backend;
  LaneReport report;
  Expectations expectations;
  bool keep_outputs = false;
  std::vector<std::vector<Tensor>> outputs;  // per case, for cross-backend parity
};

std::string now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

Lane unavailable_lane(const std::string& backend, const std::string& why) {
  Lane lane;
  lane.report.backend = backend;
  lane.report.device.backend = backend;
  lane.report.available = false;
  lane.report.note = why;
  return lane;
}

// One lane per device of each backend, each with its own backend instance so lanes can
// run on separate threads.
std::vector<Lane> discover_lanes(const RunnerOptions& options) {
  std::vector<Lane> lanes;
  for (const std::string& name : options.backends) {
    try {
      std::vector<DeviceInfo> devices = BackendRegistry::instance().create(name)->devices();
      bool any = false;
      for (const DeviceInfo& device : devices) {
        if (!options.device.empty() && !options.device.matches(device)) continue;
        Lane lane;
        lane.backend = BackendRegistry::instance().create(name);
        lane.report.backend = name;
        lane.report.device = device;
        lane.expectations = load_expectations(options.expectations_dir, name);
        lanes.push_back(std::move(lane));
        any = true;
      }
      if (!any) {
        lanes.push_back(unavailable_lane(
            name, devices.empty() ? "no devices"
                                  : "no device matches '" + options.device.to_string() + "'"));
      }
    } catch (const std::exception& error) {
      lanes.push_back(unavailable_lane(name, error.what()));
    }
  }
  return lanes;
}

CaseResult run_on_lane(const PreparedCase& prepared, Lane& lane,
                       const CompileOptions& compile_options, std::size_t index) {
  const std::string id = prepared.spec->id();
  const std::string& device = lane.report.device.name;
  if (const ExpectationRule* rule = lane.expectations.find_unsupported(id, device)) {
    CaseResult result = blank_result(*prepared.spec);
    result.reason = "unsupported: " + rule->reason;
    return result;
  }
  CaseResult result = run_case(prepared, *lane.backend, lane.report.device, compile_options,
                               lane.keep_outputs ? &lane.outputs[index] : nullptr);
  if (const ExpectationRule* rule = lane.expectations.find_expected_failure(id, device)) {
    if (result.outcome == Outcome::Fail) {
      result.outcome = Outcome::ExpectedFailure;
      result.reason = "expected failure (" + rule->reason + "): " + result.reason;
    } else if (result.outcome == Outcome::Pass) {
      result.outcome = Outcome::UnexpectedPass;
      result.reason = "listed as expected_failure (" + rule->reason +
                      ") but passes: remove it from " + lane.report.backend + ".yaml";
    }
  }
  return result;
}

void run_lane(Lane& lane, const std::vector<PreparedCase>& prepared, const RunnerOptions& options,
              const CompileOptions& compile_options, const PreparedCase* cache_model) {
  const auto start = std::chrono::steady_clock::now();
  lane.report.started_at = now_iso8601();
  lane.report.host = host_name();
  if (lane.keep_outputs) lane.outputs.resize(prepared.size());
  const std::string label = lane.report.backend + ":" + lane.report.device.name;
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    lane.report.results.push_back(run_on_lane(prepared[i], lane, compile_options, i));
    if (options.progress) options.progress->report(label, lane.report.results.back());
  }
  if (cache_model) {
    const std::regex filter(options.filter);
    for (CaseResult& result : run_cache_scenarios(
             lane.report.backend, lane.report.device, *cache_model,
             [&](const std::string& id) {
               return options.filter.empty() || std::regex_search(id, filter);
             },
             [&](const CaseResult& result) {
               if (options.progress) options.progress->report(label, result);
             },
             options.jobs)) {
      lane.report.results.push_back(std::move(result));
    }
  }
  lane.report.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

LaneReport parity_lane(const Lane& a, const Lane& b, const DevicePair& pair,
                       const std::vector<PreparedCase>& prepared) {
  LaneReport report;
  report.backend = "parity";
  report.device.backend = "parity";
  report.device.name = a.report.backend + " vs " + b.report.backend + " on " + a.report.device.name;
  report.device.vendor = a.report.device.vendor;
  report.device.type = a.report.device.type;
  report.device.identity = {{"first", a.report.label()}, {"second", b.report.label()}};
  report.note = pair.reason;
  report.host = a.report.host;
  report.started_at = a.report.started_at;
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    CaseResult result = blank_result(*prepared[i].spec);
    if (a.outputs[i].empty() || b.outputs[i].empty()) {
      result.reason = std::string("not run on both backends (") +
                      outcome_name(a.report.results[i].outcome) + ", " +
                      outcome_name(b.report.results[i].outcome) + ")";
    } else {
      // Each side may sit one tolerance away from the reference; holding them to one
      // tolerance of each other catches backends that disagree in opposite directions.
      // Where one backend flushes denormal inputs and the other does not, the flushing
      // side matches the reference of the flushed inputs instead, either way round.
      const std::vector<Tensor>* flushed = &prepared[i].expected_inputs_flushed;
      result.comparison = compare_outputs(a.outputs[i], b.outputs[i], result.tolerance, flushed);
      if (!result.comparison.passed && !flushed->empty()) {
        const Comparison reversed =
            compare_outputs(b.outputs[i], a.outputs[i], result.tolerance, flushed);
        if (reversed.passed) result.comparison = reversed;
      }
      result.outcome = result.comparison.passed ? Outcome::Pass : Outcome::Fail;
      if (!result.comparison.passed) {
        result.reason =
            a.report.backend + " vs " + b.report.backend + ": " + result.comparison.message;
      }
    }
    report.results.push_back(std::move(result));
  }
  return report;
}

// Says which devices will be compared across backends, or why none will.
void note_pairing(Progress& progress, const std::vector<Lane>& lanes,
                  const std::vector<DevicePair>& pairs) {
  for (const DevicePair& pair : pairs) {
    progress.note("parity: " + lanes[pair.first].report.label() + " ~ " +
                  lanes[pair.second].report.label() + ": " + pair.reason);
  }
  std::set<std::string> device_backends;
  for (const Lane& lane : lanes) {
    if (lane.report.available && lane.report.backend != "reference")
      device_backends.insert(lane.report.backend);
  }
  if (pairs.empty() && device_backends.size() > 1) {
    progress.note(
        "parity: no device appears under two backends (vendor, type and name differ); nothing to "
        "compare");
  }
}

}  // namespace

std::vector<const Case*> select_cases(const std::vector<Case>& cases, const std::string& filter) {
  std::regex pattern;
  try {
    pattern = std::regex(filter);
  } catch (const std::regex_error& error) {
    fail("--filter: invalid regular expression '" + filter + "': " + error.what());
  }
  std::vector<const Case*> selected;
  for (const Case& c : cases) {
    if (filter.empty() || std::regex_search(c.id(), pattern)) selected.push_back(&c);
  }
  return selected;
}

RunReport run_conformance(const std::vector<Case>& cases, const RunnerOptions& options) {
  const std::vector<const Case*> selected = select_cases(cases, options.filter);
  std::vector<Lane> lanes = discover_lanes(options);
  std::vector<DeviceInfo> devices;
  for (const Lane& lane : lanes) devices.push_back(lane.report.device);
  std::vector<DevicePair> pairs;
  for (const DevicePair& pair : pair_devices(devices)) {
    if (!lanes[pair.first].report.available || !lanes[pair.second].report.available) continue;
    lanes[pair.first].keep_outputs = lanes[pair.second].keep_outputs = true;
    pairs.push_back(pair);
  }
  if (options.progress) note_pairing(*options.progress, lanes, pairs);

  std::vector<PreparedCase> prepared(selected.size());
  parallel_for(selected.size(), options.jobs, [&](std::size_t i) {
    prepared[i] = prepare_case(*selected[i], options.source_root);
  });

  static const Case model_case = cache_model_case();
  const PreparedCase cache_model = prepare_case(model_case, options.source_root);
  std::unique_ptr<TempDir> temporary_cache;
  CompileOptions compile_options;
  compile_options.cache.dir = options.cache_dir;
  if (options.cache_dir.empty()) {
    temporary_cache = std::make_unique<TempDir>("tandem-conformance-cache");
    compile_options.cache.dir = temporary_cache->path();
  }

  std::vector<std::size_t> runnable;
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    Lane& lane = lanes[i];
    if (!lane.report.available) {
      if (options.progress)
        options.progress->note(lane.report.backend + ": unavailable: " + lane.report.note);
      continue;
    }
    runnable.push_back(i);
    const bool scenarios = options.cache_scenarios && lane.report.backend != "reference";
    if (options.progress) {
      options.progress->add_expected(static_cast<int>(prepared.size()) +
                                     (scenarios ? cache_scenario_estimate() : 0));
    }
  }
  parallel_for(runnable.size(), options.jobs, [&](std::size_t k) {
    Lane& lane = lanes[runnable[k]];
    const bool scenarios = options.cache_scenarios && lane.report.backend != "reference";
    run_lane(lane, prepared, options, compile_options, scenarios ? &cache_model : nullptr);
  });

  RunReport report;
  report.tandem_version = TANDEM_VERSION;
  std::vector<LaneReport> parity;
  for (const DevicePair& pair : pairs)
    parity.push_back(parity_lane(lanes[pair.first], lanes[pair.second], pair, prepared));
  for (Lane& lane : lanes) report.lanes.push_back(std::move(lane.report));
  for (LaneReport& lane : parity) report.lanes.push_back(std::move(lane));
  return report;
}

}  // namespace tandem::conformance
