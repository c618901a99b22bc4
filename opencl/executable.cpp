#include "opencl/executable.h"

#include <set>

#include "core/error.h"
#include "core/log.h"
#include "opencl/context.h"
#include "opencl/op_table.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {

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
  ClCommandQueue queue(clCreateCommandQueue(context, device.device, 0, &status));
  check_cl(status, "opencl: creating a command queue on '" + device.info.name + "'");
  return queue;
}

static std::vector<ProgramRequest> programs_needed(const Plan& plan) {
  std::set<std::string> files;
  for (const Node& node : plan.graph.nodes()) {
    const std::vector<std::string>& programs = OpTable::instance().find(node.op_type)->programs;
    files.insert(programs.begin(), programs.end());
  }
  std::vector<ProgramRequest> requests;
  for (const std::string& file : files) requests.push_back(embedded_program(file));
  return requests;
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
  BuiltPrograms built =
      build_programs(context_.get(), device_, options.cache, programs_needed(plan_));
  programs_ = std::move(built.by_file);
  cache_report_ = built.report;
  graph_.arena = create_arena(context_.get(), plan_, device_);
  for (const Node& node : plan_.graph.nodes()) {
    const OpImplementation& implementation = *OpTable::instance().find(node.op_type);
    NodeContext context(plan_, node, device_, context_.get(), programs_,
                        implementation.programs.front(), graph_);
    implementation.compile(context);
  }
  log_debug("opencl: compiled " + std::to_string(plan_.graph.nodes().size()) + " nodes into " +
            std::to_string(graph_.dispatches.size()) + " dispatches; cache " +
            cache_status_name(cache_report_.status) + " (" + cache_report_.reason + ")");
}

void ClExecutable::write_input(const Tensor& input, std::size_t index) {
  const ValueId id = plan_.graph.inputs()[index];
  const TensorInfo& expected = plan_.info_of(id);
  const std::string& name = plan_.graph.value(id).name;
  check(is_float(input.dtype()),
        "input '" + name + "': expected float32, got " + dtype_name(input.dtype()));
  check(input.shape() == expected.shape, "input '" + name + "': expected shape " +
                                             shape_to_string(expected.shape) + ", got " +
                                             shape_to_string(input.shape()));
  if (input.numel() == 0) return;
  const Tensor narrowed = input.dtype() == DType::F32 ? input : input.cast(DType::F32);
  const auto offset =
      static_cast<std::size_t>(plan_.memory.offset.at(static_cast<std::size_t>(id)));
  check_cl(clEnqueueWriteBuffer(queue_.get(), graph_.arena.get(), CL_TRUE, offset, narrowed.bytes(),
                                narrowed.raw(), 0, nullptr, nullptr),
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

void ClExecutable::enqueue(const Dispatch& dispatch) {
  check_cl(
      clEnqueueNDRangeKernel(queue_.get(), dispatch.kernel.get(), dispatch.dims, nullptr,
                             dispatch.global.data(), dispatch.local.data(), 0, nullptr, nullptr),
      dispatch.label);
}

std::vector<Tensor> ClExecutable::run(const std::vector<Tensor>& inputs) {
  std::lock_guard lock(run_mutex_);
  check(inputs.size() == plan_.graph.inputs().size(),
        "opencl: the model has " + std::to_string(plan_.graph.inputs().size()) + " inputs, " +
            std::to_string(inputs.size()) + " given");
  for (std::size_t i = 0; i < inputs.size(); ++i) write_input(inputs[i], i);
  for (const Dispatch& dispatch : graph_.dispatches) enqueue(dispatch);
  std::vector<Tensor> outputs;
  for (std::size_t i = 0; i < plan_.graph.outputs().size(); ++i) outputs.push_back(read_output(i));
  check_cl(clFinish(queue_.get()), "opencl: finishing the run");
  return outputs;
}

}  // namespace tandem::opencl
