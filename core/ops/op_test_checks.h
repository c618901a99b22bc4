#pragma once
// Checks shared by the op unit tests (core/ops/*_test.cpp), beside single_node_graph.h.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/ops/single_node_graph.h"

namespace tandem::op_test {

// float64 sums of a few hundred O(1) products stay this close to an exact formulation.
constexpr double kNearTolerance = 1e-12;

inline void expect_near_all(const Tensor& actual, const Tensor& expected,
                            double tolerance = kNearTolerance) {
  ASSERT_EQ(actual.shape(), expected.shape());
  for (std::int64_t i = 0; i < actual.numel(); ++i) {
    ASSERT_NEAR(actual.value_f64(i), expected.value_f64(i), tolerance) << "element " << i;
  }
}

inline Tensor run1(const std::string& op, const std::vector<NodeInput>& inputs,
                   const Attributes& attributes = {}) {
  return run_single_node(op, attributes, inputs).at(0);
}

inline Tensor i64s(const Shape& shape, const std::vector<std::int64_t>& values) {
  return Tensor::from(DType::I64, shape, values);
}

// Expects `run` to throw an Error (exactly Unsupported when `unsupported`) whose message
// names the node under test and contains `fragment`.
template <typename Fn>
void expect_error(Fn run, const std::string& fragment, bool unsupported = false) {
  try {
    run();
    ADD_FAILURE() << "no error; expected one containing '" << fragment << "'";
  } catch (const Unsupported& error) {
    EXPECT_TRUE(unsupported) << "Unsupported where an Error was expected: " << error.what();
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  } catch (const Error& error) {
    EXPECT_FALSE(unsupported) << "Error where Unsupported was expected: " << error.what();
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("under_test"), std::string::npos) << error.what();
  }
}

// Expects planning the node alone to fail with a message naming it and holding `fragment`.
inline void expect_plan_error(const std::string& op_type, const Attributes& attributes,
                              const std::vector<NodeInput>& inputs, const std::string& fragment,
                              bool unsupported = false, int outputs = 1) {
  try {
    plan_single_node(make_single_node_graph(op_type, attributes, inputs, outputs));
    FAIL() << "expected an error containing '" << fragment << "'";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("node 'under_test' (" + op_type + ")"), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
    EXPECT_EQ(dynamic_cast<const Unsupported*>(&error) != nullptr, unsupported) << message;
  }
}

}  // namespace tandem::op_test
