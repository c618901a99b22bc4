#include "opencl/executable.h"

#include <set>

#include "core/error.h"
#include "core/log.h"
#include "opencl/context.h"
#include "opencl/op_codes.h"
#include "opencl/op_table.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {
namespace {

// Waits for the queue on every way out of run(), so that an error thrown after a write was
// enqueued cannot free host memory the copy still reads.
class FinishOnExit {
 public:
  explicit FinishOnExit(cl_command_queue queue) : queue_(queue) {}
  ~FinishOnExit() { clFinish(queue_); }
  FinishOnExit(const FinishOnExit&) = delete;
  FinishOnExit& operator=(const FinishOnExit&) = delete;

 private:
  cl_command_queue queue_;
};

}  // namespace

void check_plan_supported(const Plan& plan) {
  const Graph& graph = plan.graph;
  for (const Node& node : graph.nodes()) {
    if (!OpTable::instance().find(node.op_type)) {
      throw Unsupported(node.label() + ": op " + node.op_type +
                        " is not implemented by the opencl backend");
    }
    for (const std::vector<ValueId>* ids : {&node.inputs, &node.outputs}) {
      for (ValueId id : *ids) {
        if (id == kNoValue || graph.value(id).constant) continue;
        const DType dtype = plan.info_of(id).dtype;
        if (dtype != DType::F32) {
          throw Unsupported(node.label() + ": value '" + graph.value(id).name + "' is " +
                            dtype_name(dtype) + "; the opencl backend computes float32 only");
        }
      }
    }
  }
  for (ValueId id : graph.inputs()) {
    if (plan.info_of(id).dtype != DType::F32) {
      throw Unsupported("input '" + graph.value(id).name + "' is " +
                        dtype_name(plan.info_of(id).dtype) + "; the opencl backend takes float32");
    }
  }
}

static ClCommandQueue create_queue(cl_context context, const ClDevice& device) {
  cl_int status = CL_SUCCESS;
  ClCommandQueue queue(
      clCreateCommandQueue(context, device.device, CL_QUEUE_PROFILING_ENABLE, &status));
  check_cl(status, "opencl: creating a command queue on '" + device.info.name + "'");
  return queue;
}

// Programs a node's op may launch from: the files its op lists and its specialised builds
// (GEMM tile sizes), named apart from the plain files.
static std::map<std::string, ProgramRequest> candidate_programs(const Plan& plan,
                                                                const ClDevice& device) {
  std::map<std::string, ProgramRequest> candidates;
  for (const Node& node : plan.graph.nodes()) {
    const OpImplementation& implementation = *OpTable::instance().find(node.op_type);
    for (const std::string& file : implementation.programs) {
      if (!candidates.count(file)) candidates.emplace(file, embedded_program(file));
    }
    if (!implementation.node_programs) continue;
    for (ProgramRequest& request : implementation.node_programs(plan, node, device)) {
      const std::string name = request.file;
      candidates.emplace(name, std::move(request));
    }
  }
  return candidates;
}

// The programs the plan's launches use, each built for the kernels launched from it and the
// plan's op codes alone (NVIDIA JIT-compiles all of a cached program's PTX at each load).
static std::map<std::string, ProgramRequest> programs_needed(
    const Plan& plan, const ClDevice& device, const OpCodeSet& op_codes,
    const std::vector<PendingDispatch>& launches) {
  const std::map<std::string, ProgramRequest> candidates = candidate_programs(plan, device);
  std::map<std::string, std::set<std::string>> kernels;
  for (const PendingDispatch& launch : launches) {
    check(candidates.count(launch.program) != 0,
          launch.node_label + ": program " + launch.program + " is not among its op's programs");
    kernels[launch.program].insert(launch.kernel_name);
  }
  std::map<std::string, ProgramRequest> requests;
  for (const auto& [name, kernel_names] : kernels) {
    ProgramRequest request = candidates.at(name);
    restrict_op_codes(request, op_codes);
    request.build_options += " -DKERNEL_LIST";
    for (const std::string& kernel : kernel_names) {
      request.build_options += " -DKERNEL_" + kernel + "=1";
    }
    requests.emplace(name, std::move(request));
  }
  return requests;
}

static std::vector<ProgramRequest> values_of(const std::map<std::string, ProgramRequest>& map) {
  std::vector<ProgramRequest> values;
  for (const auto& [file, request] : map) values.push_back(request);
  return values;
}

static ClMem create_arena(cl_context context, const Plan& plan, const ClDevice& device) {
  // OpenCL rejects zero-sized buffers; a plan of constants alone still gets one.
  const auto bytes = static_cast<std::size_t>(std::max<std::int64_t>(plan.memory.arena_bytes, 4));
  check(bytes <= device.limits.max_alloc_bytes, "opencl: the plan needs an arena of " +
                                                    std::to_string(bytes) + " bytes; '" +
                                                    device.info.name + "' allocates at most " +
                                                    std::to_string(device.limits.max_alloc_bytes));
  cl_int status = CL_SUCCESS;
  ClMem arena(clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, nullptr, &status));
  check_cl(status, "opencl: allocating the " + std::to_string(bytes) + "-byte arena");
  return arena;
}

ClExecutable::ClExecutable(const Plan& plan, const ClDevice& device, const CompileOptions& options)
    : plan_(plan), device_(device) {
  check_plan_supported(plan_);
  context_ = shared_context(device_);
  queue_ = create_queue(context_.get(), device_);
  op_codes_ = op_codes_used(plan_.graph);
  graph_.arena = create_arena(context_.get(), plan_, device_);
  for (const Node& node : plan_.graph.nodes()) {
    const OpImplementation& implementation = *OpTable::instance().find(node.op_type);
    NodeContext context(plan_, node, device_, context_.get(), implementation.programs.front(),
                        op_codes_, graph_);
    implementation.compile(context);
  }
  requests_ = programs_needed(plan_, device_, op_codes_, graph_.pending);
  BuiltPrograms built = build_programs(context_.get(), device_, options.cache,
                                       values_of(requests_), BinarySave::AfterFirstRun);
  programs_ = std::move(built.by_file);
  cache_report_ = built.report;
  cache_config_ = options.cache;
  deferred_ = std::move(built.deferred);
  ptx_without_cubin_ = std::move(built.ptx_without_cubin);
  try {
    std::vector<PendingDispatch> launches = std::move(graph_.pending);
    graph_.pending.clear();
    for (const PendingDispatch& launch : launches) {
      graph_.dispatches.push_back(
          prepare_dispatch(launch, programs_.at(launch.program).get(), device_));
    }
    if (options.tuning) tune_work_groups(options.cache, built.tuning);
    prepare_tier_up(std::move(built.provisional), std::move(launches));
  } catch (...) {
    // A kernel the device cannot run still leaves the programs built for the next compile.
    save_binaries();
    throw;
  }
  log_debug("opencl: compiled " + std::to_string(plan_.graph.nodes().size()) + " nodes into " +
            std::to_string(graph_.dispatches.size()) + " dispatches; cache " +
            cache_status_name(cache_report_.status) + " (" + cache_report_.reason + ")");
}

// Without blocking: the copy reads `input` (or its float32 copy, kept in `converted`) after
// this returns, until the queue has finished.
void ClExecutable::write_input(const Tensor& input, std::size_t index,
                               std::vector<Tensor>& converted) {
  const ValueId id = plan_.graph.inputs()[index];
  const TensorInfo& expected = plan_.info_of(id);
  const std::string& name = plan_.graph.value(id).name;
  check(is_float(input.dtype()),
        [&] { return "input '" + name + "': expected float32, got " + dtype_name(input.dtype()); });
  check(input.shape() == expected.shape, [&] {
    return "input '" + name + "': expected shape " + shape_to_string(expected.shape) + ", got " +
           shape_to_string(input.shape());
  });
  if (input.numel() == 0) return;
  const Tensor& source =
      input.dtype() == DType::F32 ? input : converted.emplace_back(input.cast(DType::F32));
  const auto offset =
      static_cast<std::size_t>(plan_.memory.offset.at(static_cast<std::size_t>(id)));
  check_cl(clEnqueueWriteBuffer(queue_.get(), graph_.arena.get(), CL_FALSE, offset, source.bytes(),
                                source.raw(), 0, nullptr, nullptr),
           "opencl: writing input '" + name + "'");
}

Tensor ClExecutable::read_output(std::size_t index) {
  const ValueId id = plan_.graph.outputs()[index];
  const Value& value = plan_.graph.value(id);
  if (value.constant) return value.constant->cast(DType::F32);
  Tensor output(DType::F32, plan_.info_of(id).shape);
  if (output.numel() == 0) return output;
  const auto offset =
      static_cast<std::size_t>(plan_.memory.offset.at(static_cast<std::size_t>(id)));
  check_cl(clEnqueueReadBuffer(queue_.get(), graph_.arena.get(), CL_TRUE, offset, output.bytes(),
                               output.raw(), 0, nullptr, nullptr),
           "opencl: reading output '" + value.name + "'");
  return output;
}

void ClExecutable::enqueue(const Dispatch& dispatch, cl_event* event) {
  check_cl(
      clEnqueueNDRangeKernel(queue_.get(), dispatch.kernel.get(), dispatch.dims, nullptr,
                             dispatch.global.data(), dispatch.local.data(), 0, nullptr, event),
      dispatch.label);
}

// Timing launches write the arena, which holds nothing yet; zeros keep every kernel away
// from NaN and denormal inputs, which would time differently from real data on a CPU.
void ClExecutable::tune_work_groups(const CacheConfig& cache,
                                    const std::vector<CacheEntry>& stored) {
  std::size_t arena_bytes = 0;
  check_cl(clGetMemObjectInfo(graph_.arena.get(), CL_MEM_SIZE, sizeof arena_bytes, &arena_bytes,
                              nullptr),
           "opencl: querying the arena size");
  const float zero = 0.0f;
  check_cl(clEnqueueFillBuffer(queue_.get(), graph_.arena.get(), &zero, sizeof zero, 0,
                               arena_bytes / sizeof zero * sizeof zero, 0, nullptr, nullptr),
           "opencl: clearing the arena before tuning");
  WorkGroupTuner tuner(device_, queue_.get(), stored);
  for (Dispatch& dispatch : graph_.dispatches) {
    if (!dispatch.tunable) continue;
    tuner.tune(dispatch, tuning_key(dispatch, requests_.at(dispatch.program)));
  }
  check_cl(clFinish(queue_.get()), "opencl: finishing the tuning launches");
  tuning_tally_ = tuner.tally();
  cache_report_.reason += "; tuning: " + std::to_string(tuning_tally_.from_cache) +
                          " choices from cache, " + std::to_string(tuning_tally_.timed) + " timed";
  const std::vector<CacheEntry> entries = tuner.entries_to_write();
  if (entries.empty() || cache.mode != CacheMode::ReadWrite || cache_report_.path.empty()) return;
  try {
    update_cache_file(cache_report_.path, program_cache_header(device_.info), entries,
                      program_cache_write_options(cache));
  } catch (const Error& error) {
    // Unsaved choices cost the next run its tuning time, nothing more.
    log_warn(std::string("opencl: work-group choices not saved: ") + error.what());
    cache_report_.reason += std::string("; tuning not saved: ") + error.what();
  }
}

void ClExecutable::record_device_time(cl_event first, cl_event last) {
  cl_ulong start = 0;
  cl_ulong end = 0;
  if (first == nullptr) {
    last_device_ms_ = 0.0;  // no kernel ran
  } else if (clGetEventProfilingInfo(first, CL_PROFILING_COMMAND_START, sizeof start, &start,
                                     nullptr) != CL_SUCCESS ||
             clGetEventProfilingInfo(last, CL_PROFILING_COMMAND_END, sizeof end, &end, nullptr) !=
                 CL_SUCCESS) {
    last_device_ms_ = -1.0;
  } else {
    last_device_ms_ = end > start ? static_cast<double>(end - start) * 1e-6 : 0.0;
  }
}

void ClExecutable::prepare_tier_up(std::map<std::string, std::vector<std::uint8_t>> ptx_by_file,
                                   std::vector<PendingDispatch> launches) {
  std::map<std::string, ProgramToRebuild> programs;
  for (auto& [file, ptx] : ptx_by_file) {
    programs.emplace(file, ProgramToRebuild{std::move(ptx), requests_.at(file).build_options});
  }
  std::vector<std::array<std::size_t, 3>> local_sizes;
  for (const Dispatch& dispatch : graph_.dispatches) local_sizes.push_back(dispatch.local);
  tier_up_.prepare(context_.get(), device_, std::move(programs), std::move(launches),
                   std::move(local_sizes));
}

int ClExecutable::use_rebuilt_kernels() {
  const int swapped = tier_up_.swap_if_ready(graph_.dispatches, programs_);
  if (swapped > 0) {
    log_debug("opencl: " + std::to_string(swapped) + " dispatches now use kernels rebuilt from PTX");
  }
  return swapped;
}

int ClExecutable::wait_for_rebuilt_kernels() {
  std::lock_guard lock(run_mutex_);
  tier_up_.start();
  tier_up_.wait();
  return use_rebuilt_kernels();
}

void ClExecutable::save_binaries() {
  std::vector<CacheEntry> written =
      save_deferred_binaries(programs_, device_, cache_config_, deferred_, cache_report_);
  written.insert(written.end(), ptx_without_cubin_.begin(), ptx_without_cubin_.end());
  ptx_without_cubin_.clear();
  cubin_upgrade_.start(cache_report_.path, program_cache_header(device_.info),
                       program_cache_write_options(cache_config_), written);
}

ClExecutable::~ClExecutable() {
  // Never run: the binaries are saved as built (without the first run's work-group code).
  if (deferred_.pending() || !ptx_without_cubin_.empty()) save_binaries();
}

std::optional<double> ClExecutable::last_run_device_ms() const {
  const double ms = last_device_ms_;
  if (ms < 0) return std::nullopt;
  return ms;
}

std::vector<Tensor> ClExecutable::run(const std::vector<Tensor>& inputs) {
  std::lock_guard lock(run_mutex_);
  use_rebuilt_kernels();
  check(inputs.size() == plan_.graph.inputs().size(), [&] {
    return "opencl: the model has " + std::to_string(plan_.graph.inputs().size()) + " inputs, " +
           std::to_string(inputs.size()) + " given";
  });
  // The whole run is enqueued before the host waits: with blocking writes the H100 idled about
  // 40 us between the input copy and the first kernel, which then ran 15-18 us longer (a
  // 4-byte fill took 20 us instead of 4); 1x1 conv layers read 36-44% of peak instead of 50-54%.
  std::vector<Tensor> converted;
  converted.reserve(inputs.size());  // no reallocation: pending copies read these bytes
  const FinishOnExit finish_on_exit(queue_.get());
  for (std::size_t i = 0; i < inputs.size(); ++i) write_input(inputs[i], i, converted);
  ClEvent first;
  ClEvent last;
  const std::size_t count = graph_.dispatches.size();
  for (std::size_t i = 0; i < count; ++i) {
    cl_event event = nullptr;
    const bool timed = i == 0 || i + 1 == count;
    enqueue(graph_.dispatches[i], timed ? &event : nullptr);
    if (i == 0) first = ClEvent(event);
    if (i + 1 == count && i > 0) last = ClEvent(event);
  }
  std::vector<Tensor> outputs;
  for (std::size_t i = 0; i < plan_.graph.outputs().size(); ++i) outputs.push_back(read_output(i));
  check_cl(clFinish(queue_.get()), "opencl: finishing the run");
  record_device_time(first.get(), last ? last.get() : first.get());
  // After the first run, so that pocl's binaries carry the work-group code it compiled.
  if (deferred_.pending() || !ptx_without_cubin_.empty()) save_binaries();
  tier_up_.start();
  return outputs;
}

}  // namespace tandem::opencl
