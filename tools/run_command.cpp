// `tandem run MODEL.onnx`: runs a model on the configured backend and reports what happened.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "core/npy.h"
#include "core/printable.h"
#include "core/session.h"
#include "core/stopwatch.h"
#include "tools/cli_support.h"
#include "tools/commands.h"

namespace tandem::tools {

namespace {

struct RunArgs {
  std::string model;
  std::string config;
  std::string backend;
  std::string device;
  std::vector<std::string> inputs;   // NAME=FILE.npy
  std::uint64_t seed = 0;
  std::string save_outputs;
  int repeat = 5;
  bool json = false;
};

struct RunTimes {
  double first_run_ms = 0;
  double run_median_ms = 0;
  // The timed runs by device timer, first kernel's start to last one's end, without host
  // copies; unset where the backend cannot time them (the reference) or no run was timed.
  std::optional<double> run_device_median_ms;
};

std::vector<Tensor> gather_inputs(const Graph& graph, const RunArgs& args) {
  std::vector<Tensor> inputs = random_inputs(graph, args.seed);
  std::set<std::string> given;
  for (const std::string& spec : args.inputs) {
    const auto equals = spec.find('=');
    check(equals != std::string::npos && equals > 0,
          "--input '" + spec + "': expected NAME=FILE.npy");
    const std::string name = spec.substr(0, equals);
    const std::string path = spec.substr(equals + 1);
    check(!path.empty(), "--input '" + spec + "': no file given for input '" + name + "'");
    check(given.insert(name).second, "--input: input '" + name + "' is given twice");
    const auto& ids = graph.inputs();
    const auto it = std::find_if(ids.begin(), ids.end(),
                                 [&](ValueId id) { return graph.value(id).name == name; });
    if (it == ids.end()) {
      std::string known;
      for (ValueId id : ids) known += (known.empty() ? "" : ", ") + graph.value(id).name;
      fail("--input '" + spec + "': the model has no input '" + name + "' (inputs: " + known + ")");
    }
    inputs[static_cast<std::size_t>(it - ids.begin())] = read_npy(path);
  }
  return inputs;
}

std::vector<Tensor> run_timed(Session& session, const std::vector<Tensor>& inputs, int repeat,
                              RunTimes& times) {
  auto start = std::chrono::steady_clock::now();
  std::vector<Tensor> outputs = session.run(inputs);   // compiles, then runs
  times.first_run_ms =
      ms_since(start) - session.timings().device_init_ms - session.timings().compile_ms;
  if (repeat > 0) session.settle();  // steady runs: after the backend's background work
  std::vector<double> samples;
  std::vector<double> device_samples;
  for (int i = 0; i < repeat; ++i) {
    start = std::chrono::steady_clock::now();
    session.run(inputs);
    samples.push_back(ms_since(start));
    if (const std::optional<double> ms = session.last_run_device_ms())
      device_samples.push_back(*ms);
  }
  times.run_median_ms = samples.empty() ? times.first_run_ms : median_of(samples);
  if (!device_samples.empty()) times.run_device_median_ms = median_of(device_samples);
  return outputs;
}

// Output names may hold '/' or ':' (ONNX allows any string); file names may not.
std::string file_name_for(const std::string& output_name) {
  std::string name = output_name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  }
  return name.empty() || name[0] == '.' ? "_" + name : name;
}

bool climbs_up(const std::string& name) {
  std::size_t start = 0;
  while (true) {
    const std::size_t end = name.find_first_of("/\\", start);
    if (name.compare(start, end == std::string::npos ? std::string::npos : end - start, "..") == 0) {
      return true;
    }
    if (end == std::string::npos) return false;
    start = end + 1;
  }
}

// Output names come from the model file. One that would climb out of DIR ("../x"), that is
// empty, or that lands on another output's file is refused before anything runs or is
// written, rather than quietly renamed.
void check_output_file_names(const Graph& graph) {
  std::map<std::string, std::string> owners;   // file name -> output name
  for (ValueId id : graph.outputs()) {
    const std::string& name = graph.value(id).name;
    check(!name.empty() && !climbs_up(name),
          "--save-outputs: output '" + printable(name) + "' is not a safe file name");
    const auto [owner, fresh] = owners.emplace(file_name_for(name), name);
    check(fresh || owner->second == name,
          "--save-outputs: outputs '" + printable(owner->second) + "' and '" + printable(name) +
              "' would both be saved as " + owner->first + ".npy");
  }
}

void save_outputs(const Session& session, const std::vector<Tensor>& outputs, const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const std::string& name = session.graph().value(session.graph().outputs()[i]).name;
    write_npy(dir + "/" + file_name_for(name) + ".npy", outputs[i]);
  }
}

nlohmann::json report(const Session& session, const std::vector<Tensor>& outputs,
                      const RunTimes& times) {
  const CacheReport cache = session.cache_report();
  nlohmann::json outs = nlohmann::json::array();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    outs.push_back({{"name", session.graph().value(session.graph().outputs()[i]).name},
                    {"shape", outputs[i].shape()},
                    {"dtype", dtype_name(outputs[i].dtype())}});
  }
  return {{"backend", session.backend_name()},
          {"device", session.device().name},
          {"cache",
           {{"path", cache.path},
            {"status", cache_status_name(cache.status)},
            {"reason", cache.reason}}},
          {"timings_ms",
           {{"load", session.timings().load_ms},
            {"device_init", session.timings().device_init_ms},
            {"compile", session.timings().compile_ms},
            {"first_run", times.first_run_ms},
            {"run_median", times.run_median_ms},
            {"run_device_median", times.run_device_median_ms
                                      ? nlohmann::json(*times.run_device_median_ms)
                                      : nlohmann::json(nullptr)}}},
          {"memory",
           {{"planned_bytes", session.plan().memory.arena_bytes},
            {"lower_bound_bytes", session.plan().memory.lower_bound_bytes}}},
          {"outputs", outs}};
}

void print_text(const nlohmann::json& r) {
  std::printf("backend %s on %s\n", r["backend"].get<std::string>().c_str(),
              r["device"].get<std::string>().c_str());
  std::printf("cache   %s %s\n", r["cache"]["status"].get<std::string>().c_str(),
              r["cache"]["reason"].get<std::string>().c_str());
  const auto& t = r["timings_ms"];
  std::printf("time    load %.1f ms, device init %.1f ms, compile %.1f ms, first run %.1f ms, "
              "median run %.2f ms",
              t["load"].get<double>(), t["device_init"].get<double>(), t["compile"].get<double>(),
              t["first_run"].get<double>(), t["run_median"].get<double>());
  if (!t["run_device_median"].is_null()) {
    std::printf(" (device %.2f ms)", t["run_device_median"].get<double>());
  }
  std::printf("\n");
  std::printf("memory  planned %lld bytes (lower bound %lld)\n",
              static_cast<long long>(r["memory"]["planned_bytes"].get<std::int64_t>()),
              static_cast<long long>(r["memory"]["lower_bound_bytes"].get<std::int64_t>()));
  for (const auto& out : r["outputs"]) {
    std::printf("output  %s %s %s\n", out["name"].get<std::string>().c_str(),
                out["dtype"].get<std::string>().c_str(), out["shape"].dump().c_str());
  }
}

int run(const RunArgs& args) {
  Config config = load_config(args.config, args.backend.empty() ? std::vector<std::string>{}
                                                                  : std::vector<std::string>{args.backend},
                              args.device);
  Session session = Session::load(args.model, std::move(config));
  if (!args.save_outputs.empty()) check_output_file_names(session.graph());
  const std::vector<Tensor> inputs = gather_inputs(session.graph(), args);
  RunTimes times;
  const std::vector<Tensor> outputs = run_timed(session, inputs, args.repeat, times);
  if (!args.save_outputs.empty()) save_outputs(session, outputs, args.save_outputs);
  const nlohmann::json r = report(session, outputs, times);
  if (args.json) {
    std::printf("%s\n", r.dump(2).c_str());
  } else {
    print_text(r);
  }
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* command = app.add_subcommand("run", "Run an ONNX model and report backend, cache, timings and outputs");
  command->add_option("model", args->model, "The .onnx file")->required();
  command->add_option("--config", args->config, "YAML config file")->check(non_empty_value());
  command->add_option("--backend", args->backend, "Backend to use: opencl, vulkan or reference")
      ->check(non_empty_value());
  command->add_option("--device", args->device, "Device selector: gpu, cpu, N, name=H100, vendor=nvidia")
      ->check(non_empty_value());
  command->add_option("--input", args->inputs, "NAME=FILE.npy; inputs not given are drawn at random");
  command->add_option("--seed", args->seed, "Seed for the random inputs")
      ->check(unsigned_64_bit_value());
  command->add_option("--save-outputs", args->save_outputs, "Write each output as DIR/<name>.npy")
      ->check(non_empty_value());
  command->add_option("--repeat", args->repeat, "Timed runs after the first, for run_median")
      ->check(CLI::Range(0, 1000000));
  command->add_flag("--json", args->json, "Print one JSON object on stdout");
  command->callback([args] { run_guarded([&] { return run(*args); }); });
}

}  // namespace tandem::tools
