#include "opencl/program.h"

#include "core/error.h"
#include "core/log.h"

namespace tandem::opencl {

static std::string build_log(cl_program program, cl_device_id device) {
  std::size_t size = 0;
  if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) !=
      CL_SUCCESS) {
    return "";
  }
  std::string log(size, '\0');
  clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr);
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  return log;
}

// The first log line that says something, so the one-line error points at the problem.
static std::string first_meaningful_line(const std::string& log) {
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(start, end - start);
    if (line.find("error") != std::string::npos) return line;
    start = end + 1;
  }
  return log.substr(0, log.find('\n'));
}

ClProgram build_from_source(cl_context context, cl_device_id device, const std::string& file,
                            std::string_view source, const std::string& options) {
  const char* text = source.data();
  const std::size_t length = source.size();
  cl_int status = CL_SUCCESS;
  ClProgram program(clCreateProgramWithSource(context, 1, &text, &length, &status));
  check_cl(status, "opencl: creating program " + file);
  status = clBuildProgram(program.get(), 1, &device, options.c_str(), nullptr, nullptr);
  if (status != CL_SUCCESS) {
    const std::string log = build_log(program.get(), device);
    log_debug("opencl: build log of " + file + ":\n" + log);
    fail("opencl: building " + file + " failed: " + cl_error_name(status) + ": " +
         first_meaningful_line(log));
  }
  return program;
}

// Making every kernel is the last place a driver may refuse a binary it accepted so far.
static bool kernels_can_be_created(cl_program program, std::string& why) {
  cl_uint count = 0;
  cl_int status = clCreateKernelsInProgram(program, 0, nullptr, &count);
  if (status != CL_SUCCESS || count == 0) {
    why = "no kernels could be created: " + cl_error_name(status);
    return false;
  }
  std::vector<cl_kernel> kernels(count, nullptr);
  status = clCreateKernelsInProgram(program, count, kernels.data(), nullptr);
  for (cl_kernel kernel : kernels) {
    if (kernel) clReleaseKernel(kernel);
  }
  if (status != CL_SUCCESS) why = "creating kernels failed: " + cl_error_name(status);
  return status == CL_SUCCESS;
}

ClProgram build_from_binary(cl_context context, cl_device_id device,
                            const std::vector<std::uint8_t>& binary, const std::string& options,
                            std::string& why) {
  // Some drivers crash on an empty binary instead of rejecting it.
  if (binary.empty()) {
    why = "empty binary";
    return {};
  }
  const unsigned char* bytes = binary.data();
  const std::size_t size = binary.size();
  cl_int binary_status = CL_SUCCESS;
  cl_int status = CL_SUCCESS;
  ClProgram program(
      clCreateProgramWithBinary(context, 1, &device, &size, &bytes, &binary_status, &status));
  if (status != CL_SUCCESS || binary_status != CL_SUCCESS) {
    why = "rejected at create: " + cl_error_name(status != CL_SUCCESS ? status : binary_status);
    return {};
  }
  status = clBuildProgram(program.get(), 1, &device, options.c_str(), nullptr, nullptr);
  if (status != CL_SUCCESS) {
    why = "rejected at build: " + cl_error_name(status);
    log_debug("opencl: build log of a cached binary:\n" + build_log(program.get(), device));
    return {};
  }
  if (!kernels_can_be_created(program.get(), why)) return {};
  return program;
}

std::vector<std::uint8_t> program_binary(cl_program program) {
  cl_uint devices = 0;
  check_cl(clGetProgramInfo(program, CL_PROGRAM_NUM_DEVICES, sizeof(devices), &devices, nullptr),
           "opencl: clGetProgramInfo(NUM_DEVICES)");
  check(devices == 1,
        "opencl: program built for " + std::to_string(devices) + " devices, expected 1");
  std::size_t size = 0;
  check_cl(clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof(size), &size, nullptr),
           "opencl: clGetProgramInfo(BINARY_SIZES)");
  std::vector<std::uint8_t> binary(size);
  if (size == 0) return binary;
  unsigned char* destination = binary.data();
  check_cl(
      clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof(destination), &destination, nullptr),
      "opencl: clGetProgramInfo(BINARIES)");
  return binary;
}

}  // namespace tandem::opencl
