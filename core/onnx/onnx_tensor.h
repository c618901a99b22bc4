#pragma once
#include <string>

#include "core/attribute.h"
#include "core/onnx/onnx_proto.h"
#include "core/tensor.h"

namespace tandem {

// Conversions from ONNX protobuf messages to core types, used by the importer. Nothing in a
// message is trusted: dims, element counts and byte sizes are checked against each other
// before anything is allocated. `where` names the thing in messages ("initializer 'w'").

Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& where);
Attribute attribute_from_proto(const onnx::AttributeProto& proto, const std::string& where);

}  // namespace tandem
