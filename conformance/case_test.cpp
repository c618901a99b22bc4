#include "conformance/case.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "conformance/case_grid.h"

namespace tandem::conformance {
namespace {

std::string error_of(const std::string& yaml) {
  try {
    parse_case_file(yaml, "test.yaml");
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(CaseGrid, ExpandsTheProductInKeyOrder) {
  const std::vector<Case> cases = parse_case_file(R"(
family: eltwise
defaults:
  tolerance: {abs: 0, reason: "exact"}
cases:
  - name: "${op}_${shape}"
    grid:
      op: [Relu, Sigmoid, Tanh]
      shape: [[1], [13], [64], [65], [255], [256], [257]]
    op: $op
    inputs: [{shape: $shape}]
)",
                                                  "eltwise.yaml");
  ASSERT_EQ(cases.size(), 21u);
  EXPECT_EQ(cases[0].name, "Relu_1");
  EXPECT_EQ(cases[1].name, "Relu_13");  // the last variable varies fastest
  EXPECT_EQ(cases[7].name, "Sigmoid_1");
  EXPECT_EQ(cases.back().name, "Tanh_257");
  EXPECT_EQ(cases.back().inputs[0].shape, (Shape{257}));
  EXPECT_EQ(cases.back().nodes[0].op_type, "Tanh");
  EXPECT_EQ(cases.back().id(), "eltwise/Tanh_257");
  std::set<std::string> names;
  for (const Case& c : cases) names.insert(c.name);
  EXPECT_EQ(names.size(), 21u);
}

TEST(CaseGrid, SubstitutesInsideListsAndRendersNames) {
  const std::vector<Case> cases = parse_case_file(R"(
family: conv
cases:
  - name: conv_c${c}_k${k}_${pads}
    grid: {c: [1, 3, 13], k: [1, 3], pads: [[0, 0, 0, 0], [1, 1, 1, 1]]}
    op: Conv
    attributes: {kernel_shape: [$k, $k], pads: $pads}
    inputs:
      - {shape: [1, $c, 9, 9]}
      - {shape: [4, $c, $k, $k], constant: true}
    tolerance: {abs: 1e-4, rel: 1e-4, reason: "accumulation"}
)",
                                                  "conv.yaml");
  ASSERT_EQ(cases.size(), 12u);
  const Case& last = cases.back();
  EXPECT_EQ(last.name, "conv_c13_k3_1x1x1x1");
  EXPECT_EQ(last.inputs[0].shape, (Shape{1, 13, 9, 9}));
  EXPECT_EQ(last.inputs[1].shape, (Shape{4, 13, 3, 3}));
  EXPECT_TRUE(last.inputs[1].constant);
  EXPECT_EQ(last.nodes[0].attributes.get_ints("kernel_shape"), (std::vector<std::int64_t>{3, 3}));
  EXPECT_EQ(last.nodes[0].attributes.get_ints("pads"), (std::vector<std::int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(last.nodes[0].inputs, (std::vector<std::string>{"in0", "in1"}));
}

TEST(CaseGrid, RecordValuesAreReachedWithDots) {
  const char* yaml = R"(
family: gemm
cases:
  - name: gemm_${s.m}x${s.n}x${s.k}_beta${beta}
    grid:
      s: [{m: 1, n: 64, k: 13}, {m: 65, n: 63, k: 257}]
      beta: [0.5, 1]
    op: Gemm
    attributes: {transB: 1, beta: $beta}
    inputs: [{shape: [$s.m, $s.k]}, {shape: ["${s.n}", $s.k], constant: true}]
    tolerance: {abs: 1e-4, reason: "accumulation"}
)";
  const std::vector<Case> cases = parse_case_file(yaml, "gemm.yaml");
  ASSERT_EQ(cases.size(), 4u);
  EXPECT_EQ(cases[0].name, "gemm_1x64x13_beta0.5");
  EXPECT_EQ(cases[3].name, "gemm_65x63x257_beta1");
  EXPECT_EQ(cases[3].inputs[0].shape, (Shape{65, 257}));
  EXPECT_EQ(cases[3].inputs[1].shape, (Shape{63, 257}));
  EXPECT_EQ(cases[0].nodes[0].attributes.get_float("beta"), 0.5);
  // The grid's own values are not changed by being read.
  EXPECT_EQ(parse_case_file(yaml, "gemm.yaml")[3].inputs[0].shape, (Shape{65, 257}));
  EXPECT_NE(
      error_of("cases:\n  - {name: a, grid: {s: [{m: 1}]}, op: Relu, inputs: [{shape: [$s.q]}], "
               "tolerance: {abs: 0, reason: r}}\n")
          .find("unknown grid variable 's.q'"),
      std::string::npos);
}

TEST(CaseGrid, EntryWithoutGridStaysOne) {
  const YAML::Node entry = YAML::Load("{name: a, op: Relu}");
  EXPECT_EQ(expand_grid(entry, "x.yaml:1").size(), 1u);
  EXPECT_EQ(render_for_name(YAML::Load("[[1, 2], [3]]")), "1x2_3");
  EXPECT_EQ(render_for_name(YAML::Load("[]")), "scalar");
}

TEST(CaseFile, DefaultsApplyAndCasesOverrideThemWhole) {
  const std::vector<Case> cases = parse_case_file(R"(
family: f
defaults:
  tolerance: {abs: 1e-3, reason: "default"}
cases:
  - {name: a, op: Relu, inputs: [{shape: [2]}]}
  - {name: b, op: Relu, inputs: [{shape: [2]}], tolerance: {rel: 1e-2, ulp: 3, nan: ignore, ftz: false, reason: "own"}}
)",
                                                  "f.yaml");
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].tolerance.abs, 1e-3);
  EXPECT_EQ(cases[0].tolerance.reason, "default");
  EXPECT_EQ(cases[1].tolerance.abs, 0.0);
  EXPECT_EQ(cases[1].tolerance.rel, 1e-2);
  EXPECT_EQ(cases[1].tolerance.ulp, 3);
  EXPECT_EQ(cases[1].tolerance.nan, NanPolicy::Ignore);
  EXPECT_FALSE(cases[1].tolerance.flush_denormals);
}

TEST(CaseFile, AttributesTakeTheKindTheSchemaDeclares) {
  const std::vector<Case> cases = parse_case_file(R"(
cases:
  - name: leaky
    op: LeakyRelu
    attributes: {alpha: 1}
    inputs: [{shape: [4]}]
    tolerance: {abs: 0, reason: "exact"}
  - name: unknown_op
    op: NoSuchOp
    attributes: {count: 2, scale: 0.5, mode: fast, sizes: [1, 2]}
    inputs: [{shape: [4]}]
    tolerance: {abs: 0, reason: "exact"}
)",
                                                  "kinds.yaml");
  EXPECT_TRUE(std::holds_alternative<double>(cases[0].nodes[0].attributes.all().at("alpha")));
  const auto& guessed = cases[1].nodes[0].attributes.all();
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(guessed.at("count")));
  EXPECT_TRUE(std::holds_alternative<double>(guessed.at("scale")));
  EXPECT_TRUE(std::holds_alternative<std::string>(guessed.at("mode")));
  EXPECT_TRUE(std::holds_alternative<std::vector<std::int64_t>>(guessed.at("sizes")));
  EXPECT_EQ(cases[1].family, "kinds");  // the file name when no family is given
}

TEST(CaseFile, InputsValuesSpecialsAndOmittedInputs) {
  const std::vector<Case> cases = parse_case_file(R"(
cases:
  - name: clip
    op: Clip
    inputs:
      - {shape: [8], generator: {normal: [0, 2]}, special: [nan, -0, denormal, inf, -inf, large], special_fraction: 0.5}
      - null
      - {values: [1.5], constant: true}
    tolerance: {abs: 0, reason: "exact"}
  - name: reshape
    op: Reshape
    inputs:
      - {shape: [2, 3]}
      - {values: [3, 2], dtype: int64, constant: true}
    tolerance: {abs: 0, reason: "exact"}
)",
                                                  "values.yaml");
  const Case& clip = cases[0];
  ASSERT_EQ(clip.inputs.size(), 3u);
  EXPECT_EQ(clip.inputs[0].generator.distribution, Distribution::Normal);
  EXPECT_EQ(clip.inputs[0].generator.b, 2.0);
  const std::vector<double>& specials = clip.inputs[0].generator.specials;
  ASSERT_EQ(specials.size(), 6u);
  EXPECT_TRUE(std::isnan(specials[0]));
  EXPECT_TRUE(specials[1] == 0.0 && std::signbit(specials[1]));
  EXPECT_EQ(std::fpclassify(static_cast<float>(specials[2])), FP_SUBNORMAL);
  EXPECT_TRUE(std::isinf(specials[3]) && specials[3] > 0);
  EXPECT_EQ(specials[5], 1e30);
  EXPECT_TRUE(clip.inputs[1].omitted);
  EXPECT_EQ(clip.nodes[0].inputs, (std::vector<std::string>{"in0", "", "in2"}));
  EXPECT_EQ(clip.inputs[2].shape, (Shape{1}));
  EXPECT_EQ(cases[1].inputs[1].dtype, DType::I64);
  EXPECT_EQ(*cases[1].inputs[1].values, (std::vector<double>{3, 2}));
}

TEST(CaseFile, GraphAndModelForms) {
  const std::vector<Case> cases = parse_case_file(R"(
family: graphs
cases:
  - name: conv_relu
    graph:
      inputs:
        - {name: x, shape: [1, 2, 5, 5]}
        - {name: w, shape: [3, 2, 3, 3], constant: true}
      nodes:
        - {op: Conv, inputs: [x, w], outputs: [c], attributes: {pads: [1, 1, 1, 1]}}
        - {op: Relu, inputs: [c], outputs: [y]}
      outputs: [y]
    tolerance: {abs: 1e-5, reason: "accumulation"}
  - name: tiny_model
    model: examples/mobilenet_tiny.onnx
    inputs: [{shape: [1, 3, 32, 32]}]
    tolerance: {abs: 1e-4, reason: "accumulation"}
)",
                                                  "graphs.yaml");
  EXPECT_EQ(cases[0].op_label, "Conv+Relu");
  EXPECT_EQ(cases[0].nodes.size(), 2u);
  EXPECT_EQ(cases[0].outputs, (std::vector<std::string>{"y"}));
  EXPECT_EQ(cases[1].model_path, "examples/mobilenet_tiny.onnx");
  EXPECT_EQ(cases[1].op_label, "mobilenet_tiny.onnx");
}

TEST(CaseFile, ErrorsNameTheFileLineAndKey) {
  EXPECT_NE(error_of("cases:\n  - {name: a, grid: {x: [1]}, op: Relu, inputs: [{shape: [$y]}], "
                     "tolerance: {abs: 0, reason: r}}\n")
                .find("unknown grid variable 'y'"),
            std::string::npos);
  const std::string duplicate = error_of(
      "cases:\n  - {name: a, grid: {x: [1, 2]}, op: Relu, inputs: [{shape: [$x]}], tolerance: "
      "{abs: 0, reason: r}}\n");
  EXPECT_NE(duplicate.find("test.yaml:2"), std::string::npos) << duplicate;
  EXPECT_NE(duplicate.find("duplicate case name 'a'"), std::string::npos) << duplicate;
  EXPECT_NE(
      error_of("cases:\n  - {name: a, op: Relu, inputs: [{shape: [2]}], tolerance: {abs: 0}}\n")
          .find("needs its reason"),
      std::string::npos);
  EXPECT_NE(error_of("cases:\n  - {name: a, op: Relu, inputs: [{shape: [2], colour: red}], "
                     "tolerance: {abs: 0, reason: r}}\n")
                .find("unknown key 'colour'"),
            std::string::npos);
  EXPECT_NE(error_of("cases:\n  - {name: a, op: Relu, graph: {}, tolerance: {abs: 0, reason: r}}\n")
                .find("exactly one of op, graph, model"),
            std::string::npos);
  EXPECT_NE(error_of("cases:\n  - {name: a, op: Relu, inputs: [{shape: [x]}], tolerance: {abs: 0, "
                     "reason: r}}\n")
                .find("inputs[0].shape[0]: expected an integer"),
            std::string::npos);
  EXPECT_NE(error_of("cases: [").find("test.yaml:"), std::string::npos);
}

TEST(CaseSeeds, StableAcrossRunsAndDistinctPerInput) {
  // FNV-1a 64 of "a", from the algorithm's published test vectors.
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(stable_hash(""), 14695981039346656037ull);
  Case c;
  c.family = "f";
  c.name = "n";
  EXPECT_EQ(input_seed(c, 0), input_seed(c, 0));
  EXPECT_NE(input_seed(c, 0), input_seed(c, 1));
  Case seeded = c;
  seeded.seed = 42;
  EXPECT_NE(input_seed(seeded, 0), input_seed(c, 0));
}

}  // namespace
}  // namespace tandem::conformance
