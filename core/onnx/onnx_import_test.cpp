#include "core/onnx/onnx_import.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>

#include "core/onnx/onnx_test_model.h"
#include "core/reference_backend.h"

namespace tandem {
namespace {

using namespace onnx_test;

std::map<std::string, int> op_counts(const Graph& graph) {
  std::map<std::string, int> counts;
  for (const Node& node : graph.nodes()) ++counts[node.op_type];
  return counts;
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// Runs `call` and returns the Error's message; fails the test when nothing is thrown.
template <typename Call>
std::string error_of(Call call) {
  try {
    call();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "no Error thrown";
  return "";
}

template <typename Call>
bool throws_unsupported(Call call) {
  try {
    call();
  } catch (const Unsupported&) {
    return true;
  } catch (const Error&) {
    return false;
  }
  return false;
}

// ------------------------------------------------------------------ the example models

TEST(OnnxImport, MobilenetTinyHasItsOpsAndDynamicBatch) {
  const Graph graph = import_onnx_file(example_path("mobilenet_tiny.onnx"));
  EXPECT_EQ(graph.opset, 14);
  const std::map<std::string, int> expected = {
      {"Add", 2}, {"BatchNormalization", 10}, {"Conv", 14}, {"Flatten", 1}, {"Gemm", 1},
      {"GlobalAveragePool", 3}, {"HardSigmoid", 2}, {"HardSwish", 4}, {"Mul", 2}, {"Relu", 5},
      {"Softmax", 1}};
  EXPECT_EQ(op_counts(graph), expected);
  ASSERT_EQ(graph.inputs().size(), 1u);   // initializers are constants, not inputs
  const Value& input = graph.value(graph.inputs()[0]);
  EXPECT_EQ(input.name, "input");
  EXPECT_EQ(input.dims, (std::vector<std::int64_t>{-1, 3, 32, 32}));
  EXPECT_EQ(input.dim_names[0], "batch");
  int depthwise = 0;
  for (const Node& node : graph.nodes()) {
    if (node.op_type == "Conv" && node.attributes.get_int("group", 1) > 1) ++depthwise;
  }
  EXPECT_EQ(depthwise, 3);
  const std::vector<TensorInfo> info = infer_shapes(graph, {{DType::F32, {2, 3, 32, 32}}});
  EXPECT_EQ(info[static_cast<std::size_t>(graph.outputs()[0])].shape, (Shape{2, 10}));
  const auto stem = graph.find_value("stem");
  ASSERT_TRUE(stem.has_value());
  EXPECT_EQ(info[static_cast<std::size_t>(*stem)].shape, (Shape{2, 16, 16, 16}));
}

TEST(OnnxImport, TransformerBlockFoldsItsShapeChain) {
  Graph graph = import_onnx_file(example_path("transformer_block.onnx"));
  EXPECT_EQ(graph.opset, 17);
  const std::map<std::string, int> expected = {
      {"Add", 9}, {"Concat", 2}, {"Div", 2}, {"Erf", 1}, {"Gather", 2}, {"LayerNormalization", 2},
      {"MatMul", 8}, {"Mul", 2}, {"Reshape", 4}, {"Shape", 1}, {"Softmax", 1}, {"Transpose", 4},
      {"Unsqueeze", 2}};
  EXPECT_EQ(op_counts(graph), expected);
  const Plan plan = plan_folding(std::move(graph), {{DType::F32, {1, 16, 64}}});
  const auto counts = op_counts(plan.graph);
  for (const char* folded : {"Shape", "Gather", "Unsqueeze", "Concat"}) EXPECT_EQ(counts.count(folded), 0u) << folded;
  EXPECT_EQ(plan.graph.nodes().size(), 40u - 7u);
  EXPECT_EQ(plan.info_of(plan.graph.outputs()[0]).shape, (Shape{1, 16, 64}));
  const auto scores = plan.graph.find_value("attn.scores");
  ASSERT_TRUE(scores.has_value());
  EXPECT_EQ(plan.info_of(*scores).shape, (Shape{1, 4, 16, 16}));
}

// ------------------------------------------------------------------ values and nodes

TEST(OnnxImport, ReadsTypedAndRawTensorDataAndNamesUnnamedNodes) {
  ModelBuilder m(13);
  m.input("x", {2, 3}, {"n", ""});
  m.input("w", {3});                       // also an initializer: a constant
  m.initializer_f32("w", {3}, {0.5f, -1.0f, 2.0f});
  auto* raw = m.graph->add_initializer();
  raw->set_name("b");
  raw->set_data_type(onnx::TensorProto::FLOAT);
  raw->add_dims(3);
  const float values[3] = {1.5f, 2.5f, -3.25f};
  raw->set_raw_data(std::string(reinterpret_cast<const char*>(values), sizeof values));
  m.node("Mul", {"x", "w"}, {"xw"});
  m.node("Add", {"xw", "b"}, {"y"});
  m.output("y");
  const Graph graph = m.import();
  ASSERT_EQ(graph.inputs().size(), 1u);
  EXPECT_EQ(graph.value(graph.inputs()[0]).dim_names, (std::vector<std::string>{"n", ""}));
  EXPECT_EQ(graph.value(graph.inputs()[0]).dims, (std::vector<std::int64_t>{-1, 3}));
  EXPECT_EQ(graph.nodes()[0].name, "Mul_0");
  EXPECT_EQ(graph.nodes()[1].name, "Add_1");
  const Value& b = graph.value(*graph.find_value("b"));
  ASSERT_TRUE(b.constant.has_value());
  EXPECT_EQ(b.constant->value_f64(2), -3.25);
  EXPECT_EQ(graph.value(*graph.find_value("w")).constant->value_f64(1), -1.0);

  const Tensor x = Tensor::from(DType::F32, {2, 3}, std::vector<float>{1, 2, 3, -4, 5, 0.25f});
  const auto out = run_reference(plan_unoptimized(graph, {x.info()}), {x});
  const std::vector<double> expected = {2.0, 0.5, 2.75, -0.5, -2.5, -2.75};   // x*w+b by hand
  for (std::int64_t i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(out[0].value_f64(i), expected[static_cast<std::size_t>(i)]);
}

TEST(OnnxImport, ConstantNodesBecomeConstants) {
  ModelBuilder m(13);
  m.input("x", {4});
  auto* c = m.node("Constant", {}, {"c"});
  auto* a = c->add_attribute();
  a->set_name("value_floats");
  a->set_type(onnx::AttributeProto::FLOATS);
  for (float v : {1.0f, 2.0f, 3.0f, 4.0f}) a->add_floats(v);
  m.node("Add", {"x", "c"}, {"y"}, "add");
  m.output("y");
  const Graph graph = m.import();
  ASSERT_EQ(graph.nodes().size(), 1u);
  const Value& constant = graph.value(graph.nodes()[0].inputs[1]);
  ASSERT_TRUE(constant.constant.has_value());
  EXPECT_EQ(constant.constant->shape(), (Shape{4}));
  EXPECT_EQ(constant.constant->value_f64(3), 4.0);
}

TEST(OnnxImport, DropsUnreadTrailingOutputs) {
  ModelBuilder m(9);
  m.input("x", {1, 2, 3, 3});
  for (const char* p : {"s", "b", "m", "v"}) m.initializer_f32(p, {2}, {1.0f, 0.5f});
  auto* bn = m.node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y", "mean_out", "var_out"}, "bn");
  set_float(bn, "momentum", 0.9f);   // a training parameter, dropped
  m.output("y");
  const Graph graph = m.import();
  ASSERT_EQ(graph.nodes().size(), 1u);
  EXPECT_EQ(graph.nodes()[0].outputs.size(), 1u);
  EXPECT_FALSE(graph.nodes()[0].attributes.has("momentum"));
}

// ------------------------------------------------------------------ errors

TEST(OnnxImportErrors, GarbageBytesAreAnError) {
  std::mt19937 random(1234);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<std::uint8_t> bytes(1 + random() % 4096);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
    const std::string message = error_of([&] { import_onnx_bytes(bytes, "garbage.onnx"); });
    EXPECT_EQ(message.rfind("garbage.onnx: ", 0), 0u) << message;
  }
  EXPECT_NE(error_of([] { import_onnx_bytes({}, "empty.onnx"); }).find("empty.onnx: not an ONNX model"),
            std::string::npos);
}

TEST(OnnxImportErrors, TruncatedFileIsAnError) {
  const std::vector<std::uint8_t> bytes = read_bytes(example_path("mobilenet_tiny.onnx"));
  ASSERT_GT(bytes.size(), 10000u);
  for (std::size_t cut : {bytes.size() - 1, bytes.size() - 7, bytes.size() / 2, bytes.size() / 3, std::size_t{100}, std::size_t{9}}) {
    const std::span<const std::uint8_t> head(bytes.data(), cut);
    const std::string message = error_of([&] { import_onnx_bytes(head, "cut.onnx"); });
    EXPECT_EQ(message.rfind("cut.onnx: ", 0), 0u) << "cut at " << cut << ": " << message;
  }
  EXPECT_NE(error_of([] { import_onnx_file("/nonexistent/model.onnx"); }).find("cannot open"), std::string::npos);
}

// Flipped bytes anywhere in a real model: each import either succeeds or throws Error.
TEST(OnnxImportErrors, CorruptedBytesNeverCrash) {
  const std::vector<std::uint8_t> original = read_bytes(example_path("transformer_block.onnx"));
  std::mt19937 random(4321);
  int rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<std::uint8_t> bytes = original;
    // Mostly the structure at the front (nodes, names, dims) rather than weight payload.
    const std::size_t span = trial % 2 ? bytes.size() : std::min<std::size_t>(bytes.size(), 4096);
    for (int flips = 1 + static_cast<int>(random() % 4); flips > 0; --flips) {
      bytes[random() % span] ^= static_cast<std::uint8_t>(1u << (random() % 8));
    }
    try {
      import_onnx_bytes(bytes, "flipped.onnx");
    } catch (const Error& error) {
      ++rejected;
      EXPECT_EQ(std::string(error.what()).rfind("flipped.onnx: ", 0), 0u) << error.what();
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(OnnxImportErrors, UnknownOpNamesFileNodeAndOp) {
  ModelBuilder m(13);
  m.input("x", {2});
  m.node("FancyOp", {"x"}, {"y"}, "fancy_1");
  m.output("y");
  EXPECT_TRUE(throws_unsupported([&] { m.import("model.onnx"); }));
  EXPECT_EQ(error_of([&] { m.import("model.onnx"); }),
            "model.onnx: node 'fancy_1' (FancyOp): op FancyOp is not supported");
}

TEST(OnnxImportErrors, UnknownAttributeIsReportedAtLoad) {
  ModelBuilder m(13);
  m.input("x", {2});
  set_int(m.node("Relu", {"x"}, {"y"}, "relu_3"), "foo", 1);
  m.output("y");
  EXPECT_EQ(error_of([&] { m.import("model.onnx"); }),
            "model.onnx: node 'relu_3' (Relu): attribute 'foo' is not supported");
}

TEST(OnnxImportErrors, OpsetsOutsideNineToSeventeenAreUnsupported) {
  for (int opset : {8, 18}) {
    ModelBuilder m(opset);
    m.input("x", {2});
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    EXPECT_TRUE(throws_unsupported([&] { m.import("old.onnx"); }));
    EXPECT_NE(error_of([&] { m.import("old.onnx"); }).find("old.onnx: opset " + std::to_string(opset) + " is not supported"),
              std::string::npos);
  }
}

TEST(OnnxImportErrors, TensorSizeMustMatchItsDims) {
  ModelBuilder raw_model(13);
  raw_model.input("x", {2});
  auto* w = raw_model.graph->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(2);
  w->set_raw_data(std::string(7, '\0'));   // 7 bytes for two floats
  raw_model.node("Add", {"x", "w"}, {"y"});
  raw_model.output("y");
  EXPECT_EQ(error_of([&] { raw_model.import("w.onnx"); }),
            "w.onnx: initializer 'w': raw_data has 7 bytes, float32 [2] needs 8");

  ModelBuilder typed(13);
  typed.input("x", {2});
  typed.initializer_f32("w", {1000000000, 1000000000}, {1.0f});   // huge dims, one value
  typed.node("Add", {"x", "w"}, {"y"});
  typed.output("y");
  EXPECT_NE(error_of([&] { typed.import("w.onnx"); }).find("initializer 'w'"), std::string::npos);

  ModelBuilder counted(13);
  counted.input("x", {3});
  counted.initializer_f32("w", {3}, {1.0f, 2.0f});
  counted.node("Add", {"x", "w"}, {"y"});
  counted.output("y");
  EXPECT_EQ(error_of([&] { counted.import("w.onnx"); }),
            "w.onnx: initializer 'w': float_data holds 2 values, shape [3] needs 3");
}

TEST(OnnxImportErrors, UnsupportedFeaturesAreNamed) {
  ModelBuilder external(13);
  external.input("x", {1});
  auto* w = external.initializer_f32("w", {1}, {});
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  external.node("Add", {"x", "w"}, {"y"});
  external.output("y");
  EXPECT_TRUE(throws_unsupported([&] { external.import(); }));
  EXPECT_NE(error_of([&] { external.import(); }).find("initializer 'w': external data"), std::string::npos);

  ModelBuilder domain(13);
  domain.input("x", {1});
  domain.node("Gelu", {"x"}, {"y"}, "g")->set_domain("com.microsoft");
  domain.output("y");
  EXPECT_EQ(error_of([&] { domain.import("m.onnx"); }),
            "m.onnx: node 'g' (Gelu): domain 'com.microsoft' is not supported (only the default ONNX domain is)");

  ModelBuilder subgraph(13);
  subgraph.input("x", {1});
  auto* node = subgraph.node("Relu", {"x"}, {"y"}, "r");
  auto* a = node->add_attribute();
  a->set_name("body");
  a->set_type(onnx::AttributeProto::GRAPH);
  a->mutable_g()->set_name("inner");
  subgraph.output("y");
  EXPECT_EQ(error_of([&] { subgraph.import("m.onnx"); }),
            "m.onnx: node 'r' (Relu): attribute 'body': subgraph attributes are not supported");

  ModelBuilder strings(13);
  strings.input("x", {1});
  auto* s = strings.graph->add_initializer();
  s->set_name("s");
  s->set_data_type(onnx::TensorProto::STRING);
  strings.node("Identity", {"x"}, {"y"});
  strings.output("y");
  EXPECT_TRUE(throws_unsupported([&] { strings.import(); }));
}

TEST(OnnxImportErrors, UndefinedInputsAndOutputs) {
  ModelBuilder m(13);
  m.input("x", {1});
  m.node("Add", {"x", "nowhere"}, {"y"}, "add");
  m.output("y");
  EXPECT_NE(error_of([&] { m.import(); }).find("node 'add' (Add): input 'nowhere'"), std::string::npos);

  ModelBuilder missing(13);
  missing.input("x", {1});
  missing.node("Relu", {"x"}, {"y"});
  missing.output("z");
  EXPECT_EQ(error_of([&] { missing.import(); }), "test.onnx: graph output 'z' is never computed");

  ModelBuilder twice(13);
  twice.input("x", {1});
  twice.node("Relu", {"x"}, {"y"});
  twice.node("Relu", {"x"}, {"y"});
  twice.output("y");
  EXPECT_EQ(error_of([&] { twice.import(); }), "test.onnx: value 'y' is defined twice");
}

// 2^26 floats declared, 4 bytes present: the mismatch is found before 256 MiB is allocated.
TEST(OnnxImportErrors, DeclaredDimsAreCheckedBeforeAllocating) {
  ModelBuilder m(13);
  m.input("x", {1});
  auto* w = m.graph->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(1 << 26);
  w->set_raw_data(std::string(4, '\0'));
  m.node("Add", {"x", "w"}, {"y"});
  m.output("y");
  struct rusage before {};
  ::getrusage(RUSAGE_SELF, &before);
  EXPECT_EQ(error_of([&] { m.import("w.onnx"); }),
            "w.onnx: initializer 'w': raw_data has 4 bytes, float32 [67108864] needs 268435456");
  struct rusage after {};
  ::getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 64 << 10) << "KB of peak memory added";
}

TEST(OnnxImportErrors, InputDimsWhoseProductOverflowsAreAnError) {
  ModelBuilder m(13);
  m.input("x", {std::int64_t{1} << 40, std::int64_t{1} << 40});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  EXPECT_EQ(error_of([&] { m.import("big.onnx"); }),
            "big.onnx: value 'x': shape [1099511627776, 1099511627776] has more than 2^48 elements");
}

// A newline in a name would split the one line of every message that quotes it.
TEST(OnnxImportErrors, NamesWithControlCharactersAreRefused) {
  ModelBuilder node_name(13);
  node_name.input("x", {1});
  node_name.node("Relu", {"x"}, {"y"}, "evil\nname");
  node_name.output("y");
  EXPECT_EQ(error_of([&] { node_name.import(); }),
            "test.onnx: node name 'evil\\x0aname' holds a control character");

  ModelBuilder value_name(13);
  value_name.input("x\r", {1});
  value_name.node("Relu", {"x\r"}, {"y"});
  value_name.output("y");
  EXPECT_EQ(error_of([&] { value_name.import(); }),
            "test.onnx: value name 'x\\x0d' holds a control character");
}

// A fifo would block the open for ever, a directory or /dev/zero the read.
TEST(OnnxImportErrors, ModelPathsThatAreNotRegularFilesAreRefused) {
  const std::string dir = ::testing::TempDir() + "onnx-import-test-" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  const std::string fifo = dir + "/model.onnx";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_of([&] { import_onnx_file(fifo); }), fifo + ": not a model file (it is a fifo)");
  EXPECT_EQ(error_of([&] { import_onnx_file(dir); }), dir + ": not a model file (it is a directory)");
  EXPECT_EQ(error_of([&] { import_onnx_file("/dev/zero"); }),
            "/dev/zero: not a model file (it is a character device)");
  ::unlink(fifo.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace tandem
