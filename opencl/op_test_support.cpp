#include "opencl/op_test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/device_test_support.h"
#include "core/planner.h"
#include "core/reference_backend.h"

namespace tandem::opencl::testing {

TestInput runtime(Tensor tensor) { return {std::move(tensor), false}; }
TestInput weight(Tensor tensor) { return {std::move(tensor), true}; }
TestInput omitted() { return {Tensor(), true}; }

Tensor random_tensor(std::mt19937& rng, const Shape& shape, float low, float high) {
  std::uniform_real_distribution<float> distribution(low, high);
  Tensor tensor(DType::F32, shape);
  for (float& value : tensor.data<float>()) value = distribution(rng);
  return tensor;
}

Tensor int_tensor(const Shape& shape, const std::vector<std::int64_t>& values) {
  return Tensor::from(DType::I64, shape, values);
}

static bool is_omitted(const TestInput& input) {
  return input.constant && input.tensor.shape().empty() && input.tensor.bytes() == 0;
}

void add_test_node(Graph& graph, const std::string& prefix, const std::string& op_type,
                   const std::vector<TestInput>& inputs, const Attributes& attributes,
                   int outputs) {
  Node node;
  node.name = prefix + op_type;
  node.op_type = op_type;
  node.attributes = attributes;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string name = prefix + "in" + std::to_string(i);
    if (is_omitted(inputs[i])) {
      node.inputs.push_back(kNoValue);
    } else if (inputs[i].constant) {
      node.inputs.push_back(graph.add_constant(name, inputs[i].tensor));
    } else {
      Value value;
      value.name = name;
      value.dtype = inputs[i].tensor.dtype();
      value.dims = inputs[i].tensor.shape();
      const ValueId id = graph.add_value(value);
      graph.inputs().push_back(id);
      node.inputs.push_back(id);
    }
  }
  for (int o = 0; o < outputs; ++o) {
    Value value;
    value.name = prefix + "out" + std::to_string(o);
    const ValueId id = graph.add_value(value);
    node.outputs.push_back(id);
    graph.outputs().push_back(id);
  }
  graph.add_node(std::move(node));
}

Graph single_node_graph(const std::string& op_type, const std::vector<TestInput>& inputs,
                        const Attributes& attributes, int outputs) {
  Graph graph;
  add_test_node(graph, "test_", op_type, inputs, attributes, outputs);
  return graph;
}

const DeviceInfo& test_device() {
  static const DeviceInfo device = [] {
    return tandem::testing::choose_test_device(
        BackendRegistry::instance().create("opencl")->devices(), "opencl");
  }();
  return device;
}

bool test_device_is_nvidia() { return test_device().vendor.find("NVIDIA") != std::string::npos; }

std::vector<Tensor> runtime_tensors(const std::vector<TestInput>& inputs) {
  std::vector<Tensor> tensors;
  for (const TestInput& input : inputs) {
    if (!input.constant) tensors.push_back(input.tensor);
  }
  return tensors;
}

Mismatch compare(const Tensor& actual, const Tensor& reference) {
  Mismatch result;
  for (std::int64_t i = 0; i < reference.numel(); ++i) {
    const double expected = reference.value_f64(i);
    const double value = actual.value_f64(i);
    // NaN matches NaN and an infinity the same infinity; any other difference is an error
    // (infinite where either side is not finite), and only finite values set the scale.
    if ((std::isnan(expected) && std::isnan(value)) ||
        (std::isinf(expected) && value == expected)) {
      continue;
    }
    if (std::isfinite(expected)) {
      result.max_abs_reference = std::max(result.max_abs_reference, std::fabs(expected));
    }
    const double difference = std::fabs(value - expected);
    const double error = std::isfinite(difference) ? difference : INFINITY;
    if (error > result.max_abs_error) {
      result.max_abs_error = error;
      result.worst_index = i;
    }
  }
  return result;
}

void expect_identical(const std::vector<Tensor>& a, const std::vector<Tensor>& b,
                      const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].bytes(), b[i].bytes()) << what << " output " << i;
    EXPECT_EQ(std::memcmp(a[i].raw(), b[i].raw(), a[i].bytes()), 0) << what << " output " << i;
  }
}

void expect_matches_reference(const std::string& op_type, const std::vector<TestInput>& inputs,
                              const Attributes& attributes, double tolerance, int outputs) {
  ReferenceBatch batch;
  batch.add(op_type, inputs, attributes, tolerance, outputs);
  batch.expect_all_match();
}

void ReferenceBatch::add(const std::string& op_type, const std::vector<TestInput>& inputs,
                         const Attributes& attributes, double tolerance, int outputs) {
  std::string label = op_type;
  for (const TestInput& input : inputs) {
    label += " " + (is_omitted(input) ? std::string("-") : shape_to_string(input.tensor.shape()));
  }
  for (const auto& [name, value] : attributes.all()) {
    label += " " + name;
    if (const auto* text = std::get_if<std::string>(&value)) label += "=" + *text;
    if (const auto* number = std::get_if<std::int64_t>(&value))
      label += "=" + std::to_string(*number);
  }
  const std::string prefix = "case" + std::to_string(cases_.size()) + "_";
  cases_.push_back({label, graph_.outputs().size(), outputs, tolerance});
  add_test_node(graph_, prefix, op_type, inputs, attributes, outputs);
  for (const Tensor& tensor : runtime_tensors(inputs)) feeds_.push_back(tensor);
}

void ReferenceBatch::expect_all_match() {
  std::vector<TensorInfo> infos;
  for (const Tensor& tensor : feeds_) infos.push_back(tensor.info());
  // Without the graph passes, so the nodes under test are what runs (a fused activation is
  // tested by setting kFusedActivation on the node itself).
  PlanOptions options;
  options.optimize = false;
  const Plan plan = make_plan(graph_, infos, options);
  std::unique_ptr<Backend> backend = BackendRegistry::instance().create("opencl");
  CompileOptions compile_options;
  compile_options.cache.mode = CacheMode::Off;
  std::unique_ptr<Executable> executable = backend->compile(plan, test_device(), compile_options);
  const std::vector<Tensor> actual = executable->run(feeds_);
  const std::vector<Tensor> reference = run_reference(plan, feeds_);
  ASSERT_EQ(actual.size(), reference.size());
  for (const Case& test_case : cases_) {
    for (int k = 0; k < test_case.outputs; ++k) {
      const std::size_t o = test_case.first_output + static_cast<std::size_t>(k);
      expect_close(actual[o], reference[o], test_case.tolerance,
                   test_case.label + " output " + std::to_string(k));
    }
  }
}

void expect_close(const Tensor& actual, const Tensor& reference, double tolerance,
                  const std::string& label) {
  ASSERT_EQ(actual.shape(), reference.shape()) << label;
  const Mismatch mismatch = compare(actual, reference);
  EXPECT_LE(mismatch.max_abs_error, tolerance * (1.0 + mismatch.max_abs_reference))
      << label << " " << shape_to_string(reference.shape()) << ": worst at element "
      << mismatch.worst_index << " (max |ref| " << mismatch.max_abs_reference << ")";
  if (reference.numel() > 0) {
    EXPECT_GT(mismatch.max_abs_reference, 0.0)
        << label
        << ": reference output is all zeros; the test would not notice a "
           "kernel that writes nothing";
  }
}

Attributes attrs(std::initializer_list<std::pair<const char*, Attribute>> values) {
  Attributes attributes;
  for (const auto& [name, value] : values) attributes.set(name, value);
  return attributes;
}

}  // namespace tandem::opencl::testing
