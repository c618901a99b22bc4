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
                         cl_context context, const std::string& own_program,
                         const OpCodeSet& op_codes, DeviceGraph& graph)
    : plan_(plan),
      node_(node),
      device_(device),
      context_(context),
      own_program_(own_program),
      op_codes_(op_codes),
      graph_(graph) {}

bool NodeContext::has_input(std::size_t i) const {
  return i < node_.inputs.size() && node_.inputs[i] != kNoValue;
}

ValueId NodeContext::input_id(std::size_t i) const {
  check(has_input(i),
        [&] { return node_.label() + ": input " + std::to_string(i) + " is required"; });
  return node_.inputs[i];
}

const TensorInfo& NodeContext::input_info(std::size_t i) const {
  return plan_.info_of(input_id(i));
}

const TensorInfo& NodeContext::output_info(std::size_t i) const {
  check(i < node_.outputs.size(),
        [&] { return node_.label() + ": no output " + std::to_string(i); });
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
    check(offset >= 0,
          [&] { return node_.label() + ": input '" + value.name + "' has no arena slot"; });
    return {graph_.arena.get(), to_int(offset / 4, "arena offset")};
  }
  auto found = graph_.constants.find(id);
  if (found != graph_.constants.end()) return found->second;
  const Tensor& tensor = *value.constant;
  BufferArg arg;
  if (is_float(tensor.dtype())) {
    Tensor cast;
    const Tensor& source = tensor.as_float32(cast);
    arg = upload(source.raw(), source.bytes());
  } else {
    arg = upload_ints(tensor.to_i64_vector());
  }
  graph_.constants.emplace(id, arg);
  return arg;
}

BufferArg NodeContext::output(std::size_t i) {
  check(i < node_.outputs.size(),
        [&] { return node_.label() + ": no output " + std::to_string(i); });
  const ValueId id = node_.outputs[i];
  const std::int64_t offset = plan_.memory.offset.at(static_cast<std::size_t>(id));
  check(offset >= 0, [&] {
    return node_.label() + ": output '" + plan_.graph.value(id).name + "' has no arena slot";
  });
  return {graph_.arena.get(), to_int(offset / 4, "arena offset")};
}

void NodeContext::record(const std::string& program, const char* kernel_name,
                         const LaunchRange& range, std::function<void(cl_kernel)> bind_arguments) {
  for (cl_uint d = 0; d < range.dims; ++d) {
    if (range.global[d] == 0) return;
  }
  graph_.pending.push_back({program, kernel_name, range, node_.label(), std::move(bind_arguments)});
}

namespace {

std::size_t group_size(const LaunchRange& range) {
  std::size_t product = 1;
  for (cl_uint d = 0; d < range.dims; ++d) product *= range.local[d];
  return product;
}

// The kernel's limit on its group size: the device's, or less when registers or local
// memory make it so.
std::size_t group_limit(cl_kernel kernel, const ClDevice& device, const std::string& label) {
  std::size_t kernel_limit = 0;
  check_cl(clGetKernelWorkGroupInfo(kernel, device.device, CL_KERNEL_WORK_GROUP_SIZE,
                                    sizeof(kernel_limit), &kernel_limit, nullptr),
           label + ": querying the work-group size");
  return std::max<std::size_t>(1, std::min(kernel_limit, device.limits.max_work_group_size));
}

// The launch's local size within `limit`: the host's preference halved until it fits, or
// the kernel's own fixed shape (a tiled kernel's, set by its local-memory tiles).
LaunchRange fit_groups(const PendingDispatch& pending, std::size_t limit) {
  LaunchRange range = pending.range;
  if (range.local[0] != 0) {
    if (group_size(range) <= limit) return range;
    throw Unsupported(pending.node_label + ": kernel " + pending.kernel_name +
                      " needs work groups of " + std::to_string(group_size(range)) +
                      ", the device allows " + std::to_string(limit));
  }
  static constexpr std::array<std::size_t, 3> kPreferred[3] = {{128, 1, 1}, {16, 8, 1}, {8, 4, 4}};
  range.local = kPreferred[range.dims - 1];
  if (range.dims == 1 && range.preferred_group != 0) range.local[0] = range.preferred_group;
  for (cl_uint d = 0; group_size(range) > limit && d < range.dims;) {
    if (range.local[d] > 1) {
      range.local[d] /= 2;
    } else {
      ++d;
    }
  }
  return range;
}

}  // namespace

// Globals are rounded up to a whole number of groups, as OpenCL 1.2 requires; every kernel
// checks its bounds.
Dispatch prepare_dispatch(const PendingDispatch& pending, cl_program program,
                          const ClDevice& device) {
  Dispatch dispatch;
  dispatch.label = pending.node_label + ": " + pending.kernel_name;
  cl_int status = CL_SUCCESS;
  dispatch.kernel = ClKernel(clCreateKernel(program, pending.kernel_name.c_str(), &status));
  check_cl(status, pending.node_label + ": creating kernel " + pending.kernel_name);
  pending.bind_arguments(dispatch.kernel.get());
  dispatch.group_limit = group_limit(dispatch.kernel.get(), device, dispatch.label);
  const LaunchRange range = fit_groups(pending, dispatch.group_limit);
  dispatch.dims = range.dims;
  for (cl_uint d = 0; d < range.dims; ++d) {
    dispatch.local[d] = range.local[d];
    dispatch.global[d] = (range.global[d] + range.local[d] - 1) / range.local[d] * range.local[d];
  }
  dispatch.tunable = pending.range.local[0] == 0;
  dispatch.program = pending.program;
  dispatch.kernel_name = pending.kernel_name;
  dispatch.requested = range.global;
  return dispatch;
}

}  // namespace tandem::opencl
