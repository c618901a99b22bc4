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

// Names, op types and attribute strings come from the file: a newline in one must not
// split the one-line message a user reads.
void expect_one_line(const tandem::Error& error) {
  const std::string message = error.what();
  if (message.find('\n') != std::string::npos) {
    tandem::fuzz::property_failed("message is not one line: " + message);
  }
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
