// The op codes a plan's programs are built for: which codes a graph needs, which programs
// take the masks, that a masked program computes its codes and leaves the others out, and
// that the host refuses to pass a code the programs were not built for.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/error.h"
#include "core/op_registry.h"
#include "opencl/context.h"
#include "opencl/op_codes.h"
#include "opencl/op_test_support.h"
#include "opencl/program_cache.h"

namespace tandem::opencl {
namespace {

using namespace testing;

std::uint32_t bit(UnaryOp op) { return 1u << static_cast<unsigned>(op); }
std::uint32_t bit(BinaryOp op) { return 1u << static_cast<unsigned>(op); }

TEST(OpCodes, PlanNeedsIdentityAndEachNodesCode) {
  std::mt19937 rng(7);
  const Tensor x = random_tensor(rng, {2, 3});
  Graph graph;
  add_test_node(graph, "a_", "Relu", {runtime(x)}, {}, 1);
  add_test_node(graph, "b_", "Gelu", {runtime(x)}, attrs({{"approximate", std::string("tanh")}}),
                1);
  add_test_node(graph, "c_", "Pow", {runtime(x), runtime(x)}, {}, 1);
  add_test_node(graph, "d_", "Mean", {runtime(x), runtime(x)}, {}, 1);
  add_test_node(graph, "e_", "Softmax", {runtime(x)},
                attrs({{kFusedActivation, std::string("Sigmoid")}}), 1);
  const OpCodeSet codes = op_codes_used(graph);
  EXPECT_EQ(codes.unary, bit(UnaryOp::Identity) | bit(UnaryOp::Relu) | bit(UnaryOp::GeluTanh) |
                             bit(UnaryOp::Sigmoid));
  EXPECT_EQ(codes.binary, bit(BinaryOp::Pow) | bit(BinaryOp::Add));
  EXPECT_EQ(codes.checked(UnaryOp::GeluTanh), static_cast<cl_int>(UnaryOp::GeluTanh));
  EXPECT_THROW(codes.checked(UnaryOp::Gelu), Error);
  EXPECT_THROW(codes.checked(BinaryOp::Mul), Error);
}

TEST(OpCodes, OnlyProgramsThatCallTheOpsTakeTheMasks) {
  OpCodeSet codes;
  codes.unary = bit(UnaryOp::Identity) | bit(UnaryOp::Relu);
  codes.binary = bit(BinaryOp::Add);
  const auto options_of = [&](const std::string& file) {
    ProgramRequest request = embedded_program(file);
    const std::string before = request.build_options;
    restrict_op_codes(request, codes);
    return request.build_options.substr(before.size());
  };
  EXPECT_EQ(options_of("eltwise.cl"), " -DUNARY_OPS=0x3u -DBINARY_OPS=0x1u");
  EXPECT_EQ(options_of("conv.cl"), " -DUNARY_OPS=0x3u");
  EXPECT_EQ(options_of("gemm.cl"), " -DUNARY_OPS=0x3u");
  EXPECT_EQ(options_of("pool.cl"), "");
  EXPECT_EQ(options_of("softmax.cl"), "");
}

// Runs eltwise.cl's `unary` with `op` on `x` in a program built with `options`.
std::vector<float> run_unary(const std::string& options, UnaryOp op, const std::vector<float>& x) {
  const ClDevice device = find_device(test_device());
  const ClContext context = shared_context(device);
  ProgramRequest request = embedded_program("eltwise.cl");
  request.build_options += options;
  CacheConfig off;
  off.mode = CacheMode::Off;
  const BuiltPrograms built = build_programs(context.get(), device, off, {request});
  cl_int status = CL_SUCCESS;
  ClKernel kernel(clCreateKernel(built.by_file.at("eltwise.cl").get(), "unary", &status));
  check_cl(status, "clCreateKernel(unary)");
  const std::size_t bytes = x.size() * sizeof(float);
  ClMem in(clCreateBuffer(context.get(), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes,
                          const_cast<float*>(x.data()), &status));
  ClMem out(clCreateBuffer(context.get(), CL_MEM_WRITE_ONLY, bytes, nullptr, &status));
  const cl_int zero = 0;
  const auto count = static_cast<cl_int>(x.size());
  const auto code = static_cast<cl_int>(op);
  const float alpha = 0.0f;
  const cl_mem in_mem = in.get();
  const cl_mem out_mem = out.get();
  clSetKernelArg(kernel.get(), 0, sizeof(cl_mem), &in_mem);
  clSetKernelArg(kernel.get(), 1, sizeof(cl_int), &zero);
  clSetKernelArg(kernel.get(), 2, sizeof(cl_mem), &out_mem);
  clSetKernelArg(kernel.get(), 3, sizeof(cl_int), &zero);
  clSetKernelArg(kernel.get(), 4, sizeof(cl_int), &count);
  clSetKernelArg(kernel.get(), 5, sizeof(cl_int), &code);
  clSetKernelArg(kernel.get(), 6, sizeof(float), &alpha);
  clSetKernelArg(kernel.get(), 7, sizeof(float), &alpha);
  ClCommandQueue queue(clCreateCommandQueue(context.get(), device.device, 0, &status));
  const std::size_t global = x.size();
  check_cl(clEnqueueNDRangeKernel(queue.get(), kernel.get(), 1, nullptr, &global, nullptr, 0,
                                  nullptr, nullptr),
           "launching unary");
  std::vector<float> y(x.size());
  check_cl(
      clEnqueueReadBuffer(queue.get(), out.get(), CL_TRUE, 0, bytes, y.data(), 0, nullptr, nullptr),
      "reading unary's output");
  return y;
}

TEST(OpCodes, MaskedProgramComputesItsCodesAndLeavesOthersOut) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  std::vector<float> x(257);
  for (float& v : x) v = uniform(rng);
  const std::string relu_only = " -DUNARY_OPS=0x3u";
  const std::vector<float> relu = run_unary(relu_only, UnaryOp::Relu, x);
  const std::vector<float> sin_left_out = run_unary(relu_only, UnaryOp::Sin, x);
  const std::vector<float> sin_kept = run_unary("", UnaryOp::Sin, x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(relu[i], x[i] < 0.0f ? 0.0f : x[i]) << i;
    EXPECT_TRUE(std::isnan(sin_left_out[i])) << i << ": " << sin_left_out[i];
    EXPECT_NEAR(sin_kept[i], std::sin(x[i]), 1e-6) << i;
  }
}

}  // namespace
}  // namespace tandem::opencl
