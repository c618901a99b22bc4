// Bad input (issue 7.7): model files and input files that are wrong, missing or malicious:
// not a model at all, truncated, a fifo, models whose graph is broken or whose sizes are
// absurd, outputs named to escape --save-outputs, and .npy inputs of every wrong kind. The
// rule each case checks is in bad_input.h; sizes a file claims may not cost memory.
#include <gtest/gtest.h>

#include <random>

#include "core/onnx/onnx_proto.h"
#include "tests/reliability/bad_input.h"

namespace tandem::reliability {
namespace {

// What a bad file may cost beyond a good run's peak: far below the sizes the cases claim.
constexpr long kExtraMemoryKb = 100 << 10;

// A small ONNX model built field by field, so that each case breaks exactly one thing.
class ModelBytes {
 public:
  explicit ModelBytes(int opset = 17, const std::string& domain = "") {
    model_.set_ir_version(8);
    auto* entry = model_.add_opset_import();
    entry->set_domain(domain);
    entry->set_version(opset);
    model_.mutable_graph()->set_name("bad");
  }
  ModelBytes& input(const std::string& name, const std::vector<std::int64_t>& dims,
                    int elem_type = onnx::TensorProto::FLOAT) {
    auto* type = model_.mutable_graph()->add_input();
    type->set_name(name);
    auto* tensor = type->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elem_type);
    for (std::int64_t dim : dims) tensor->mutable_shape()->add_dim()->set_dim_value(dim);
    return *this;
  }
  ModelBytes& output(const std::string& name) {
    model_.mutable_graph()->add_output()->set_name(name);
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    onnx::NodeProto* node = model_.mutable_graph()->add_node();
    node->set_op_type(op);
    node->set_name(name.empty() ? op + "_node" : name);
    for (const std::string& in : inputs) node->add_input(in);
    for (const std::string& out : outputs) node->add_output(out);
    return *node;
  }
  ModelBytes& initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                          std::size_t raw_bytes) {
    onnx::TensorProto* tensor = model_.mutable_graph()->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    for (std::int64_t dim : dims) tensor->add_dims(dim);
    tensor->set_raw_data(std::string(raw_bytes, '\0'));
    return *this;
  }
  std::string bytes() const { return model_.SerializeAsString(); }

 private:
  onnx::ModelProto model_;
};

// x [1, 4] -> Relu -> y, with `edit` applied before serializing.
std::string relu_model(const std::function<void(ModelBytes&)>& edit = {}) {
  ModelBytes model;
  model.input("x", {1, 4}).output("y").node("Relu", {"x"}, {"y"});
  if (edit) edit(model);
  return model.bytes();
}

std::string npy(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  return bytes + header + data;
}

std::string f32_npy(const std::string& shape, std::size_t values, const char* descr = "<f4") {
  return npy(std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }",
             std::string(values * 4, '\x01'));
}

std::string random_text(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string text(size, '\0');
  for (char& c : text) c = static_cast<char>(random());
  return text;
}

BadInputCase model_case(const char* id, const std::string& bytes, const std::string& names,
                        const char* known = nullptr) {
  BadInputCase bad{id, {"run", "{file}", "--backend", "{backend}"}, names, bytes, {}, known};
  bad.max_extra_rss_kb = kExtraMemoryKb;
  return bad;
}

BadInputCase model_path_case(const char* id, const std::string& path, const std::string& names,
                             const char* known = nullptr) {
  return {id, {"run", path, "--backend", "{backend}"}, names, "", {}, known};
}

std::vector<BadInputCase> model_cases() {
  std::vector<BadInputCase> cases = {
      model_path_case("ModelEmpty", "{dir}/empty", "empty"),
      model_path_case("ModelGarbage", "{dir}/garbage.bin", "garbage.bin"),
      model_path_case("ModelTruncated", "{dir}/truncated.onnx", "truncated.onnx"),
      model_path_case("ModelIsADirectory", "{dir}/dir", "dir"),
      [] {
        // Opening a fifo for reading waits for a writer: it must be refused without waiting.
        BadInputCase fifo = model_path_case("ModelIsAFifo", "{dir}/fifo", "fifo");
        fifo.timeout_seconds = 3;
        return fifo;
      }(),
      model_path_case("ModelIsACharacterDevice", "/dev/zero", "/dev/zero"),
      model_case("ModelIsYaml", "backend: [vulkan]\n", "case-ModelIsYaml"),
      model_case("ModelOpsetTooNew", ModelBytes(99).input("x", {1}).output("x").bytes(), "opset 99"),
      model_case("ModelNoDefaultOpset", ModelBytes(1, "com.example").input("x", {1}).output("x").bytes(),
                 "opset"),
      model_case("ModelUnknownOp", relu_model([](ModelBytes& m) { m.node("NoSuchOp", {"x"}, {"z"}); }),
                 "NoSuchOp"),
      model_case("ModelUndefinedInput", relu_model([](ModelBytes& m) { m.node("Relu", {"ghost"}, {"z"}, "r2"); }),
                 "ghost"),
      model_case("ModelOutputNeverWritten", relu_model([](ModelBytes& m) { m.output("nowhere"); }), "nowhere"),
      model_case("ModelDuplicateOutput", relu_model([](ModelBytes& m) { m.node("Relu", {"x"}, {"y"}, "again"); }),
                 "'y'"),
      model_case("ModelCycle", [] {
        ModelBytes m;
        m.input("x", {1, 4}).output("b");
        m.node("Add", {"x", "b"}, {"a"}, "first");
        m.node("Relu", {"a"}, {"b"}, "second");
        return m.bytes();
      }(), "first"),
      model_case("ModelNegativeInputDim", ModelBytes().input("x", {-5}).output("y").bytes(), "'x'"),
      model_case("ModelHugeInputDims", [] {
        ModelBytes m;
        m.input("x", {1ll << 40, 1ll << 40}).output("y").node("Relu", {"x"}, {"y"});
        return m.bytes();
      }(), "'x'"),
      model_case("ModelStringInput", [] {
        ModelBytes m;
        m.input("x", {1, 4}, onnx::TensorProto::STRING).output("y").node("Relu", {"x"}, {"y"});
        return m.bytes();
      }(), "'x'"),
      model_case("ModelInitializerShortRawData",
                 relu_model([](ModelBytes& m) { m.initializer("w", {1000}, 8); }), "'w'"),
      // 2^26 floats claimed, 4 bytes present: 256 MiB must not be allocated to find that out.
      model_case("ModelInitializerHugeClaim",
                 relu_model([](ModelBytes& m) { m.initializer("w", {1 << 26}, 4); }), "'w'"),
      model_case("ModelAttributeWrongType", relu_model([](ModelBytes& m) {
        auto& leaky = m.node("LeakyRelu", {"y"}, {"z"}, "leaky");
        auto* alpha = leaky.add_attribute();
        alpha->set_name("alpha");
        alpha->set_type(onnx::AttributeProto::STRING);
        alpha->set_s("a lot");
      }), "leaky"),
      model_case("ModelConvHugePads", [] {
        ModelBytes m;
        m.input("x", {1, 1, 4, 4}).output("y").initializer("w", {1, 1, 1, 1}, 4);
        auto& conv = m.node("Conv", {"x", "w"}, {"y"}, "conv");
        auto* pads = conv.add_attribute();
        pads->set_name("pads");
        pads->set_type(onnx::AttributeProto::INTS);
        for (int i = 0; i < 4; ++i) pads->add_ints(1ll << 62);
        return m.bytes();
      }(), "conv"),
  };
  // An output named to climb out of --save-outputs must not write outside it.
  BadInputCase escape{"ModelOutputNameEscapes",
                      {"run", "{file}", "--backend", "{backend}", "--save-outputs", "{dir}/out"},
                      "../escaped",
                      relu_model([](ModelBytes& m) {
                        m.node("Relu", {"y"}, {"../escaped"}, "escape");
                        m.output("../escaped");
                      }),
                      {}};
  cases.push_back(escape);
  // Two outputs whose names make the same file name: neither may overwrite the other.
  BadInputCase collide{"ModelOutputNamesCollide",
                       {"run", "{file}", "--backend", "{backend}", "--save-outputs", "{dir}/out"},
                       "a_b.npy",
                       relu_model([](ModelBytes& m) {
                         m.node("Relu", {"y"}, {"a/b"}, "slash");
                         m.node("Relu", {"y"}, {"a_b"}, "underscore");
                         m.output("a/b").output("a_b");
                       }),
                       {}};
  cases.push_back(collide);
  return cases;
}

BadInputCase input_case(const char* id, const std::string& bytes, const std::string& names,
                        const char* known = nullptr) {
  BadInputCase bad{id, {"run", "{model}", "--backend", "{backend}", "--input", "x={file}"}, names,
                   bytes, {}, known};
  bad.max_extra_rss_kb = kExtraMemoryKb;
  return bad;
}

std::vector<BadInputCase> input_file_cases() {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4, 8, 8), }";
  return {
      {"NpyEmpty", {"run", "{model}", "--backend", "{backend}", "--input", "x={dir}/empty"}, "empty"},
      {"NpyDirectory", {"run", "{model}", "--backend", "{backend}", "--input", "x={dir}/dir"}, "dir"},
      {"NpyFifo", {"run", "{model}", "--backend", "{backend}", "--input", "x={dir}/fifo"}, "fifo"},
      input_case("NpyGarbage", random_text(512, 5), "case-NpyGarbage"),
      input_case("NpyText", "1, 2, 3\n", "case-NpyText"),
      input_case("NpyTruncatedData", npy(dict, std::string(100, '\1')), "case-NpyTruncatedData"),
      input_case("NpyHugeShapeClaim", f32_npy("(1099511627776, 4096)", 16), "case-NpyHugeShapeClaim"),
      input_case("NpyNegativeDim", f32_npy("(-1, 4)", 4), "case-NpyNegativeDim"),
      input_case("NpyHeaderLengthBeyondFile", std::string("\x93NUMPY\x01\x00\x60\xea{'descr'", 17),
                 "case-NpyHeaderLengthBeyondFile"),
      input_case("NpyUnterminatedDict", npy("{'descr': '<f4', 'shape': (1,", ""), "case-NpyUnterminatedDict"),
      input_case("NpyBigEndian", f32_npy("(1, 4, 8, 8)", 256, ">f4"), "case-NpyBigEndian"),
      input_case("NpyFortranOrder",
                 npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 4, 8, 8), }", std::string(1024, '\1')),
                 "case-NpyFortranOrder"),
      input_case("NpyStructuredDtype",
                 npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 4, 8, 8), }",
                     std::string(1024, '\1')),
                 "case-NpyStructuredDtype"),
      input_case("NpyWrongShape", f32_npy("(1, 4, 8, 9)", 288), "'x'"),
      input_case("NpyWrongDtype",
                 npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 4, 8, 8), }", std::string(2048, '\0')),
                 "'x'"),
  };
}

class BadModelFile : public ::testing::TestWithParam<BadInputCase> {};
TEST_P(BadModelFile, OneLineErrorAndNothingChanged) { check_bad_input(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Models, BadModelFile, ::testing::ValuesIn(model_cases()), BadInputName());

class BadInputFile : public ::testing::TestWithParam<BadInputCase> {};
TEST_P(BadInputFile, OneLineErrorAndNothingChanged) { check_bad_input(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Inputs, BadInputFile, ::testing::ValuesIn(input_file_cases()), BadInputName());

}  // namespace
}  // namespace tandem::reliability
