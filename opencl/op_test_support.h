#pragma once
// Helpers of the opencl op tests: single-node graphs, seeded random inputs, and the
// comparison against the float64 reference backend.
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/graph.h"
#include "core/plan.h"
#include "core/planner.h"

namespace tandem::opencl::testing {

// One input of a test node: a runtime input (fed at run) or a constant (a weight).
struct TestInput {
  Tensor tensor;
  bool constant = false;
};

TestInput runtime(Tensor tensor);
TestInput weight(Tensor tensor);

// Uniform values in [low, high) from a generator the test seeds.
Tensor random_tensor(std::mt19937& rng, const Shape& shape, float low = -1.0f, float high = 1.0f);
Tensor int_tensor(const Shape& shape, const std::vector<std::int64_t>& values);

// A graph of one node reading `inputs` in order (a default TestInput with an empty
// tensor and constant=true stands for an omitted optional input).
Graph single_node_graph(const std::string& op_type, const std::vector<TestInput>& inputs,
                        const Attributes& attributes, int outputs = 1);
// Adds one such node to `graph`; its values are named after `prefix`.
void add_test_node(Graph& graph, const std::string& prefix, const std::string& op_type,
                   const std::vector<TestInput>& inputs, const Attributes& attributes, int outputs);
TestInput omitted();

// The OpenCL device the tests run on (core/device_test_support.h: TANDEM_DEVICE, else the
// first; pocl here).
const DeviceInfo& test_device();
// Whether it is NVIDIA's driver, for the tests of what only that driver does (cubins).
bool test_device_is_nvidia();

// The runtime inputs of `inputs`, in graph order.
std::vector<Tensor> runtime_tensors(const std::vector<TestInput>& inputs);

struct Mismatch {
  double max_abs_error = 0;
  double max_abs_reference = 0;
  std::int64_t worst_index = -1;
};
// NaN matches NaN and an infinity the same infinity; max_abs_reference is over finite values.
Mismatch compare(const Tensor& actual, const Tensor& reference);

// max |actual - reference| <= tolerance * (1 + max |reference|), and a reference that is not
// all zeros (so a kernel that writes nothing fails); `label` names the output.
void expect_close(const Tensor& actual, const Tensor& reference, double tolerance,
                  const std::string& label);

// Bit-for-bit equality of two runs' outputs (cached against uncached programs, tuned against
// untuned work groups ...); `what` names the pair in a failure.
void expect_identical(const std::vector<Tensor>& a, const std::vector<Tensor>& b,
                      const std::string& what = "");

// Plans the graph, runs it on the opencl backend (cache off) and on the reference, and
// checks every output: max |opencl - reference| <= tolerance * (1 + max |reference|).
// Also checks the outputs are not all zero, so a kernel that writes nothing fails.
void expect_matches_reference(const std::string& op_type, const std::vector<TestInput>& inputs,
                              const Attributes& attributes, double tolerance, int outputs = 1);

// The same check for many independent nodes at once: they become one graph, planned,
// compiled and run once, which keeps the number of program builds (the slow part on
// pocl) at one per test rather than one per case.
class ReferenceBatch {
 public:
  void add(const std::string& op_type, const std::vector<TestInput>& inputs,
           const Attributes& attributes, double tolerance, int outputs = 1);
  // Runs every added node and checks each output as expect_matches_reference does.
  void expect_all_match();

 private:
  struct Case {
    std::string label;
    std::size_t first_output = 0;
    int outputs = 1;
    double tolerance = 0;
  };
  Graph graph_;
  std::vector<Tensor> feeds_;
  std::vector<Case> cases_;
};

Attributes attrs(std::initializer_list<std::pair<const char*, Attribute>> values);

}  // namespace tandem::opencl::testing
