// libFuzzer target: the ONNX importer (protobuf parse, opset upgrade, registry validation)
// and the planning pipeline behind it (input binding, shape inference, passes with constant
// folding, memory plan), the way `tandem run` meets a model file. Open dimensions are bound
// to 1, as random_inputs does; models with large inputs are imported but not planned, so
// the run measures robustness rather than the speed of folding big tensors.
#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "core/onnx/onnx_import.h"
#include "core/onnx/onnx_proto.h"
#include "core/planner.h"
#include "fuzz/cache_fuzzing.h"

namespace {

constexpr std::int64_t kMaxInputElements = 1 << 16;

void expect_one_line(const tandem::Error& error) {
  // Open finding: node names and op types from the file reach messages unescaped
  // (core/graph.cpp Node::label), so a name with a newline splits the line.
  if (tandem::fuzz::skip_known_bugs()) return;
  const std::string message = error.what();
  if (message.find('\n') != std::string::npos) {
    tandem::fuzz::property_failed("message is not one line: " + message);
  }
}

// Open finding: tensor_from_proto (core/onnx/onnx_tensor.cpp) allocates what a tensor's
// dims claim before comparing with the data present, so a few bytes can ask for gigabytes.
// Such inputs stop the fuzzer on its memory limit every time; they are stepped over here.
bool claims_more_than_it_holds(const onnx::TensorProto& tensor) {
  double claimed = 8;   // bytes, at the widest element
  for (std::int64_t dim : tensor.dims()) claimed *= static_cast<double>(std::max<std::int64_t>(dim, 0));
  const double held = static_cast<double>(tensor.raw_data().size()) +
                      8.0 * (tensor.float_data_size() + tensor.double_data_size() +
                             tensor.int64_data_size() + tensor.int32_data_size());
  return claimed > (64 << 20) && claimed > 8 * held;
}

bool hits_known_allocation_bug(const std::uint8_t* data, std::size_t size) {
  onnx::ModelProto model;
  if (size > INT32_MAX || !model.ParseFromArray(data, static_cast<int>(size))) return false;
  for (const onnx::TensorProto& tensor : model.graph().initializer()) {
    if (claims_more_than_it_holds(tensor)) return true;
  }
  for (const onnx::NodeProto& node : model.graph().node()) {
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      if (attribute.has_t() && claims_more_than_it_holds(attribute.t())) return true;
    }
  }
  return false;
}

// Graph inputs with open dimensions set to 1; false when they would be too large to plan.
bool bound_inputs(const tandem::Graph& graph, std::vector<tandem::TensorInfo>& infos) {
  for (tandem::ValueId id : graph.inputs()) {
    const tandem::Value& value = graph.value(id);
    tandem::TensorInfo info{value.dtype, value.dims};
    std::int64_t elements = 1;
    for (std::int64_t& dim : info.shape) {
      if (dim < 0) dim = 1;
      if (dim > kMaxInputElements) return false;
      elements *= std::max<std::int64_t>(dim, 1);
      if (elements > kMaxInputElements) return false;
    }
    infos.push_back(info);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (tandem::fuzz::skip_known_bugs() && hits_known_allocation_bug(data, size)) return 0;
  try {
    const tandem::Graph graph = tandem::import_onnx_bytes({data, size}, "fuzz.onnx");
    std::vector<tandem::TensorInfo> inputs;
    if (!bound_inputs(graph, inputs)) return 0;
    tandem::make_plan(graph, inputs, tandem::PlanOptions{});
  } catch (const tandem::Error& error) {
    expect_one_line(error);
  }
  return 0;
}
