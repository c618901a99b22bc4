#include "opencl/node_context.h"

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace tandem::opencl {

void set_arg(cl_kernel kernel, cl_uint& index, const BufferArg& buffer) {
  check_cl(clSetKernelArg(kernel, index, sizeof(cl_mem), &buffer.mem),
           "opencl: setting buffer argument " + std::to_string(index));
  ++index;
  set_arg(kernel, index, buffer.offset);
}

void set_arg(cl_kernel kernel, cl_uint& index, cl_int value) {
  check_cl(clSetKernelArg(kernel, index, sizeof(cl_int), &value),
           "opencl: setting int argument " + std::to_string(index));
  ++index;
}

void set_arg(cl_kernel kernel, cl_uint& index, float value) {
  check_cl(clSetKernelArg(kernel, index, sizeof(float), &value),
           "opencl: setting float argument " + std::to_string(index));
  ++index;
}

void set_arg(cl_kernel kernel, cl_uint& index, const LocalBytes& local) {
  check_cl(clSetKernelArg(kernel, index, local.bytes, nullptr),
           "opencl: setting local-memory argument " + std::to_string(index));
  ++index;
}

NodeContext::NodeContext(const Plan& plan, const Node& node, const ClDevice& device,
                         cl_context context, const std::map<std::string, ClProgram>& programs,
                         const std::string& own_program, const OpCodeSet& op_codes,
                         DeviceGraph& graph)
    : plan_(plan),
      node_(node),
      device_(device),
      context_(context),
      programs_(programs),
      own_program_(own_program),
      op_codes_(op_codes),
      graph_(graph) {}

bool NodeContext::has_input(std::size_t i) const {
  return i < node_.inputs.size() && node_.inputs[i] != kNoValue;
}

ValueId NodeContext::input_id(std::size_t i) const {
  check(has_input(i), node_.label() + ": input " + std::to_string(i) + " is required");
  return node_.inputs[i];
}

const TensorInfo& NodeContext::input_info(std::size_t i) const {
  return plan_.info_of(input_id(i));
}

const TensorInfo& NodeContext::output_info(std::size_t i) const {
  check(i < node_.outputs.size(), node_.label() + ": no output " + std::to_string(i));
  return plan_.info_of(node_.outputs[i]);
}

const Tensor* NodeContext::constant(std::size_t i) const {
  if (!has_input(i)) return nullptr;
  const Value& value = plan_.graph.value(node_.inputs[i]);
  return value.constant ? &*value.constant : nullptr;
}

const Tensor& NodeContext::constant_input(std::size_t i, const char* what) const {
  const Tensor* tensor = constant(i);
  if (!tensor) unsupported(std::string(what) + " must be a constant for the opencl backend");
  return *tensor;
}

cl_int NodeContext::to_int(std::int64_t value, const char* what) const {
  if (value < std::numeric_limits<cl_int>::min() || value > std::numeric_limits<cl_int>::max()) {
    unsupported(std::string(what) + " " + std::to_string(value) + " does not fit in 32 bits");
  }
  return static_cast<cl_int>(value);
}

void NodeContext::unsupported(const std::string& what) const {
  throw Unsupported(node_.label() + ": " + what);
}

BufferArg NodeContext::upload(const void* bytes, std::size_t size) {
  // A zero-byte buffer is invalid in OpenCL; kernels never read past the count they get.
  static const float kPlaceholder = 0.0f;
  if (size == 0) {
    bytes = &kPlaceholder;
    size = sizeof(kPlaceholder);
  }
  cl_int status = CL_SUCCESS;
  ClMem buffer(clCreateBuffer(context_, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, size,
                              const_cast<void*>(bytes), &status));
  check_cl(status, node_.label() + ": uploading " + std::to_string(size) + " bytes");
  const BufferArg arg{buffer.get(), 0};
  graph_.buffers.push_back(std::move(buffer));
  return arg;
}

BufferArg NodeContext::upload_ints(const std::vector<std::int64_t>& values) {
  std::vector<cl_int> narrowed;
  narrowed.reserve(values.size());
  for (std::int64_t value : values) narrowed.push_back(to_int(value, "parameter"));
  return upload(narrowed.data(), narrowed.size() * sizeof(cl_int));
}

BufferArg NodeContext::upload_floats(const std::vector<float>& values) {
  return upload(values.data(), values.size() * sizeof(float));
}

BufferArg NodeContext::scratch_floats(std::int64_t count) {
  const std::size_t size = static_cast<std::size_t>(std::max<std::int64_t>(count, 1)) * 4;
  cl_int status = CL_SUCCESS;
  ClMem buffer(clCreateBuffer(context_, CL_MEM_READ_WRITE, size, nullptr, &status));
  check_cl(status, node_.label() + ": allocating " + std::to_string(size) + " bytes of scratch");
  const BufferArg arg{buffer.get(), 0};
  graph_.buffers.push_back(std::move(buffer));
  return arg;
}

BufferArg NodeContext::input(std::size_t i) {
  const ValueId id = input_id(i);
  const Value& value = plan_.graph.value(id);
  if (!value.constant) {
    const std::int64_t offset = plan_.memory.offset.at(static_cast<std::size_t>(id));
    check(offset >= 0, node_.label() + ": input '" + value.name + "' has no arena slot");
    return {graph_.arena.get(), to_int(offset / 4, "arena offset")};
  }
  auto found = graph_.constants.find(id);
  if (found != graph_.constants.end()) return found->second;
  const Tensor& tensor = *value.constant;
  BufferArg arg;
  if (is_float(tensor.dtype())) {
    const Tensor narrowed = tensor.dtype() == DType::F32 ? tensor : tensor.cast(DType::F32);
    arg = upload(narrowed.raw(), narrowed.bytes());
  } else {
    arg = upload_ints(tensor.to_i64_vector());
  }
  graph_.constants.emplace(id, arg);
  return arg;
}

BufferArg NodeContext::output(std::size_t i) {
  check(i < node_.outputs.size(), node_.label() + ": no output " + std::to_string(i));
  const ValueId id = node_.outputs[i];
  const std::int64_t offset = plan_.memory.offset.at(static_cast<std::size_t>(id));
  check(offset >= 0,
        node_.label() + ": output '" + plan_.graph.value(id).name + "' has no arena slot");
  return {graph_.arena.get(), to_int(offset / 4, "arena offset")};
}

ClKernel NodeContext::create_kernel(const std::string& program, const char* kernel_name) const {
  auto found = programs_.find(program);
  check(found != programs_.end(),
        node_.label() + ": program " + program + " was not built (list it in the op's programs)");
  cl_int status = CL_SUCCESS;
  ClKernel kernel(clCreateKernel(found->second.get(), kernel_name, &status));
  check_cl(status, node_.label() + ": creating kernel " + kernel_name);
  return kernel;
}

// Work-group sizes respect both the device and this kernel's own limit (registers or
// local memory can make the latter smaller). Globals are rounded up to a whole number of
// groups, as OpenCL 1.2 requires; every kernel checks its bounds.
void NodeContext::add_dispatch(ClKernel kernel, const std::string& program,
                               const char* kernel_name, LaunchRange range) {
  for (cl_uint d = 0; d < range.dims; ++d) {
    if (range.global[d] == 0) return;
  }
  std::size_t kernel_limit = 0;
  check_cl(clGetKernelWorkGroupInfo(kernel.get(), device_.device, CL_KERNEL_WORK_GROUP_SIZE,
                                    sizeof(kernel_limit), &kernel_limit, nullptr),
           node_.label() + ": querying the work-group size of " + kernel_name);
  const std::size_t limit =
      std::max<std::size_t>(1, std::min(kernel_limit, device_.limits.max_work_group_size));
  const auto group_size = [&range] {
    std::size_t product = 1;
    for (cl_uint d = 0; d < range.dims; ++d) product *= range.local[d];
    return product;
  };
  const bool host_chooses = range.local[0] == 0;
  if (host_chooses) {
    static constexpr std::array<std::size_t, 3> kPreferred[3] = {
        {128, 1, 1}, {16, 8, 1}, {8, 4, 4}};
    range.local = kPreferred[range.dims - 1];
    for (cl_uint d = 0; group_size() > limit && d < range.dims;) {
      if (range.local[d] > 1) {
        range.local[d] /= 2;
      } else {
        ++d;
      }
    }
  } else if (group_size() > limit) {
    // A tiled kernel's group shape is fixed by its local-memory tiles.
    unsupported(std::string("kernel ") + kernel_name + " needs work groups of " +
                std::to_string(group_size()) + ", the device allows " + std::to_string(limit));
  }
  Dispatch dispatch;
  dispatch.kernel = std::move(kernel);
  dispatch.dims = range.dims;
  for (cl_uint d = 0; d < range.dims; ++d) {
    dispatch.local[d] = range.local[d];
    dispatch.global[d] = (range.global[d] + range.local[d] - 1) / range.local[d] * range.local[d];
  }
  dispatch.label = node_.label() + ": " + kernel_name;
  dispatch.tunable = host_chooses;
  dispatch.program = program;
  dispatch.kernel_name = kernel_name;
  dispatch.requested = range.global;
  dispatch.group_limit = limit;
  graph_.dispatches.push_back(std::move(dispatch));
}

}  // namespace tandem::opencl
