#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "core/graph.h"

namespace tandem {

// Reads an ONNX model (default domain, opsets 9 to 17) into the core graph. Older op forms
// are rewritten into the opset-17 form the IR uses (Clip/Slice/Squeeze/Unsqueeze/ReduceSum/
// Pad attributes become constant inputs, Resize-10 gains its opset-11 inputs, Softmax-<13
// keeps its flatten-to-2-D meaning), Constant nodes become constants, and every node is
// checked against the op registry, so an unknown op or attribute is reported at load time.
// Graph.opset records the opset the file declared. Every failure is an Error (Unsupported
// for valid ONNX that tandem does not implement) whose message starts with `source_name`.
Graph import_onnx_file(const std::string& path);
Graph import_onnx_bytes(std::span<const std::uint8_t> bytes, const std::string& source_name);

}  // namespace tandem
