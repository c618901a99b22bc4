#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/plan.h"
#include "opencl/cl_handles.h"
#include "opencl/device.h"
#include "opencl/op_codes.h"

namespace tandem::opencl {

// Where a tensor starts: a device buffer and an element offset into it. Kernels take
// each tensor as (global T* base, int offset), so one arena serves every activation
// without sub-buffers and their alignment rules.
struct BufferArg {
  cl_mem mem = nullptr;
  cl_int offset = 0;
};

// __local scratch of a given size, for kernels that tile through local memory.
struct LocalBytes {
  std::size_t bytes = 0;
};

// The work of one launch; a zero `local` entry lets the context choose it.
struct LaunchRange {
  cl_uint dims = 1;
  std::array<std::size_t, 3> global{1, 1, 1};
  std::array<std::size_t, 3> local{0, 0, 0};
  // 1-D with `local` unset: the group size the context starts from (halved until the kernel
  // and device allow it), where not 0; else 128.
  std::size_t preferred_group = 0;
};

// One kernel launch prepared at compile time: the kernel object keeps its arguments.
struct Dispatch {
  ClKernel kernel;
  cl_uint dims = 1;
  std::array<std::size_t, 3> global{1, 1, 1};
  std::array<std::size_t, 3> local{1, 1, 1};
  std::string label;  // "node 'conv_3' (Conv): conv2d", for errors at run time
  // What work-group tuning needs. Only a dispatch whose local size the host chose is
  // tunable: a tiled kernel's group shape is fixed by its local-memory tiles.
  bool tunable = false;
  std::string program;                            // "eltwise.cl"
  std::string kernel_name;                        // "unary"
  std::array<std::size_t, 3> requested{1, 1, 1};  // global before rounding to whole groups
  std::size_t group_limit = 1;  // min(CL_KERNEL_WORK_GROUP_SIZE, the device's maximum)
};

// A launch a node asked for before its program was built: the program is built with the
// kernels the plan's launches name alone (opencl/executable.cpp), then each becomes a
// Dispatch (prepare_dispatch).
struct PendingDispatch {
  std::string program;  // "eltwise.cl"
  std::string kernel_name;
  LaunchRange range;
  std::string node_label;
  std::function<void(cl_kernel)> bind_arguments;
};

// Everything compiling a plan creates on the device; the executable owns it.
struct DeviceGraph {
  ClMem arena;
  std::vector<ClMem> buffers;              // uploaded constants, node parameters, scratch
  std::map<ValueId, BufferArg> constants;  // each constant uploaded once
  std::vector<PendingDispatch> pending;    // in execution order, until the programs are built
  std::vector<Dispatch> dispatches;        // in execution order
};

void set_arg(cl_kernel kernel, cl_uint& index, const BufferArg& buffer);
void set_arg(cl_kernel kernel, cl_uint& index, cl_int value);
void set_arg(cl_kernel kernel, cl_uint& index, float value);
void set_arg(cl_kernel kernel, cl_uint& index, const LocalBytes& local);

// Creates the kernel from its built program, binds its arguments and sizes its work groups
// (throws Unsupported when a tiled kernel's fixed group exceeds what the kernel allows).
Dispatch prepare_dispatch(const PendingDispatch& pending, cl_program program,
                          const ClDevice& device);

// What an op's host code sees while it turns one node into dispatches.
class NodeContext {
 public:
  // Launches become graph.pending; `own_program` is the node's default program;
  // `op_codes` are the unary and binary op codes the programs are built for.
  NodeContext(const Plan& plan, const Node& node, const ClDevice& device, cl_context context,
              const std::string& own_program, const OpCodeSet& op_codes, DeviceGraph& graph);

  const Node& node() const { return node_; }
  const Plan& plan() const { return plan_; }
  const Attributes& attributes() const { return node_.attributes; }
  const DeviceLimits& limits() const { return device_.limits; }
  const ClDevice& device() const { return device_; }

  std::size_t input_count() const { return node_.inputs.size(); }
  bool has_input(std::size_t i) const;
  const TensorInfo& input_info(std::size_t i) const;
  const TensorInfo& output_info(std::size_t i = 0) const;
  // The data of input i when it is a constant, else nullptr.
  const Tensor* constant(std::size_t i) const;
  // Input i's data, which this backend needs at compile time; Unsupported when computed.
  const Tensor& constant_input(std::size_t i, const char* what) const;

  // Input i on the device: its arena slice, or the constant uploaded once as float32
  // (int32 for integer constants such as Gather indices).
  BufferArg input(std::size_t i);
  BufferArg output(std::size_t i = 0);
  // Small per-node parameter tables (shapes, strides) as int32 or float32 buffers.
  BufferArg upload_ints(const std::vector<std::int64_t>& values);
  BufferArg upload_floats(const std::vector<float>& values);
  // A float32 buffer of `count` elements for the node's own use between its launches
  // (split-K's partial sums), left uninitialised.
  BufferArg scratch_floats(std::int64_t count);

  // A value the kernels take as `int`; throws Unsupported naming the node if it overflows.
  cl_int to_int(std::int64_t value, const char* what) const;
  [[noreturn]] void unsupported(const std::string& what) const;

  // One work item per element; nothing is launched when count is 0.
  template <typename... Args>
  void launch_1d(const char* kernel_name, std::int64_t count, const Args&... args) {
    LaunchRange range;
    range.global[0] = static_cast<std::size_t>(to_int(count, "element count"));
    launch_in(own_program_, kernel_name, range, args...);
  }
  template <typename... Args>
  void launch(const char* kernel_name, const LaunchRange& range, const Args&... args) {
    launch_in(own_program_, kernel_name, range, args...);
  }
  // A kernel of another program the op listed (a 1x1 Conv runs gemm.cl's matmul). The
  // arguments are kept by value until the kernel exists; nothing is launched for an empty
  // range.
  template <typename... Args>
  void launch_in(const std::string& program, const char* kernel_name, const LaunchRange& range,
                 const Args&... args) {
    record(program, kernel_name, range,
           [values = std::make_tuple(bindable(args)...)](cl_kernel kernel) {
             cl_uint index = 0;
             std::apply([&](const auto&... value) { (set_arg(kernel, index, value), ...); },
                        values);
           });
  }

 private:
  template <typename Arg>
  const Arg& bindable(const Arg& arg) const {
    return arg;
  }
  // Op codes go through op_codes_.checked: a code the programs are not built for throws.
  cl_int bindable(UnaryOp op) const { return op_codes_.checked(op); }
  cl_int bindable(BinaryOp op) const { return op_codes_.checked(op); }
  void record(const std::string& program, const char* kernel_name, const LaunchRange& range,
              std::function<void(cl_kernel)> bind_arguments);
  BufferArg upload(const void* bytes, std::size_t size);
  ValueId input_id(std::size_t i) const;

  const Plan& plan_;
  const Node& node_;
  const ClDevice& device_;
  cl_context context_;
  std::string own_program_;
  const OpCodeSet& op_codes_;
  DeviceGraph& graph_;
};

}  // namespace tandem::opencl
