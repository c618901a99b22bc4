#include "core/onnx/onnx_tensor.h"

#include <bit>
#include <cstring>

namespace tandem {

static_assert(std::endian::native == std::endian::little,
              "ONNX raw_data is little-endian; a big-endian host would need byte swaps");

namespace {

// More elements than this cannot come from a file protobuf is able to parse (2 GiB).
constexpr std::int64_t kMaxElements = std::int64_t{1} << 31;

Shape checked_dims(const onnx::TensorProto& proto, const std::string& where) {
  Shape shape;
  std::int64_t count = 1;
  for (std::int64_t dim : proto.dims()) {
    check(dim >= 0, where + ": negative dimension " + std::to_string(dim));
    shape.push_back(dim);
    check(dim == 0 || count <= kMaxElements / dim,
          where + ": dimensions " + shape_to_string(shape) + "... are too large");
    count *= dim;
  }
  return shape;
}

DType checked_dtype(const onnx::TensorProto& proto, const std::string& where) {
  try {
    return dtype_from_onnx(proto.data_type());
  } catch (const Unsupported& error) {
    throw Unsupported(where + ": " + error.what());
  }
}

void check_count(std::int64_t held, std::int64_t needed, const std::string& field,
                 const Shape& shape, const std::string& where) {
  check(held == needed, where + ": " + field + " holds " + std::to_string(held) +
                            " values, shape " + shape_to_string(shape) + " needs " +
                            std::to_string(needed));
}

void copy_raw(const onnx::TensorProto& proto, Tensor& tensor, const std::string& where) {
  const std::string& raw = proto.raw_data();
  check(raw.size() == tensor.bytes(),
        where + ": raw_data has " + std::to_string(raw.size()) + " bytes, " +
            dtype_name(tensor.dtype()) + " " + shape_to_string(tensor.shape()) + " needs " +
            std::to_string(tensor.bytes()));
  if (!raw.empty()) std::memcpy(tensor.raw(), raw.data(), raw.size());
}

// float16 and bool travel in int32_data, one element per entry (float16 as its bit pattern).
void copy_int32_field(const onnx::TensorProto& proto, Tensor& tensor, const std::string& where) {
  const auto& field = proto.int32_data();
  check_count(field.size(), tensor.numel(), "int32_data", tensor.shape(), where);
  std::uint8_t* out = tensor.raw();
  for (int i = 0; i < field.size(); ++i) {
    if (tensor.dtype() == DType::F16) {
      const auto bits = static_cast<std::uint16_t>(field.Get(i));
      std::memcpy(out + 2 * i, &bits, 2);
    } else if (tensor.dtype() == DType::Bool) {
      out[i] = field.Get(i) != 0 ? 1 : 0;
    } else {
      const std::int32_t value = field.Get(i);
      std::memcpy(out + 4 * i, &value, 4);
    }
  }
}

template <typename T, typename Field>
void copy_typed_field(const Field& field, const char* field_name, Tensor& tensor,
                      const std::string& where) {
  check_count(field.size(), tensor.numel(), field_name, tensor.shape(), where);
  auto out = tensor.data<T>();
  for (int i = 0; i < field.size(); ++i) out[static_cast<std::size_t>(i)] = field.Get(i);
}

void copy_typed(const onnx::TensorProto& proto, Tensor& tensor, const std::string& where) {
  switch (tensor.dtype()) {
    case DType::F32: return copy_typed_field<float>(proto.float_data(), "float_data", tensor, where);
    case DType::F64: return copy_typed_field<double>(proto.double_data(), "double_data", tensor, where);
    case DType::I64: return copy_typed_field<std::int64_t>(proto.int64_data(), "int64_data", tensor, where);
    case DType::I32:
    case DType::F16:
    case DType::Bool: return copy_int32_field(proto, tensor, where);
  }
}

}  // namespace

Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& where) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL || proto.external_data_size() > 0) {
    throw Unsupported(where + ": external data is not supported (save the model with its "
                              "weights inside the file)");
  }
  if (proto.has_segment()) throw Unsupported(where + ": segmented tensors are not supported");
  const DType dtype = checked_dtype(proto, where);
  Tensor tensor(dtype, checked_dims(proto, where));
  if (proto.has_raw_data()) {
    copy_raw(proto, tensor, where);
  } else {
    copy_typed(proto, tensor, where);
  }
  return tensor;
}

namespace {

// Files written before attribute types were recorded leave `type` undefined.
onnx::AttributeProto::AttributeType attribute_type(const onnx::AttributeProto& proto) {
  using A = onnx::AttributeProto;
  if (proto.type() != A::UNDEFINED) return proto.type();
  if (proto.has_f()) return A::FLOAT;
  if (proto.has_i()) return A::INT;
  if (proto.has_s()) return A::STRING;
  if (proto.has_t()) return A::TENSOR;
  if (proto.has_g()) return A::GRAPH;
  if (proto.floats_size() > 0) return A::FLOATS;
  if (proto.ints_size() > 0) return A::INTS;
  return A::UNDEFINED;
}

}  // namespace

Attribute attribute_from_proto(const onnx::AttributeProto& proto, const std::string& where) {
  using A = onnx::AttributeProto;
  if (!proto.ref_attr_name().empty()) {
    throw Unsupported(where + ": references to function attributes are not supported");
  }
  switch (attribute_type(proto)) {
    case A::INT: return proto.i();
    case A::FLOAT: return static_cast<double>(proto.f());
    case A::STRING: return proto.s();
    case A::INTS: return std::vector<std::int64_t>(proto.ints().begin(), proto.ints().end());
    case A::FLOATS: return std::vector<double>(proto.floats().begin(), proto.floats().end());
    case A::TENSOR: return tensor_from_proto(proto.t(), where);
    case A::GRAPH:
    case A::GRAPHS: throw Unsupported(where + ": subgraph attributes are not supported");
    case A::SPARSE_TENSOR:
    case A::SPARSE_TENSORS: throw Unsupported(where + ": sparse tensors are not supported");
    case A::TENSORS: throw Unsupported(where + ": tensor-list attributes are not supported");
    case A::STRINGS: throw Unsupported(where + ": string-list attributes are not supported");
    case A::TYPE_PROTO:
    case A::TYPE_PROTOS: throw Unsupported(where + ": type attributes are not supported");
    case A::UNDEFINED: break;
  }
  fail(where + ": has no value");
}

}  // namespace tandem
