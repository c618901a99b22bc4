#include "core/onnx/onnx_tensor.h"

#include <bit>
#include <cstring>
#include <utility>

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

// The field that holds the values when raw_data does not, and its length.
std::pair<const char*, std::int64_t> typed_field(const onnx::TensorProto& proto, DType dtype) {
  switch (dtype) {
    case DType::F32: return {"float_data", proto.float_data_size()};
    case DType::F64: return {"double_data", proto.double_data_size()};
    case DType::I64: return {"int64_data", proto.int64_data_size()};
    case DType::I32:
    case DType::F16:
    case DType::Bool: break;
  }
  return {"int32_data", proto.int32_data_size()};
}

// Before the Tensor exists: a few bytes of file may declare dims worth gigabytes, and only
// the values actually present may decide what is allocated.
void check_values_present(const onnx::TensorProto& proto, DType dtype, const Shape& shape,
                          const std::string& where) {
  const std::int64_t numel = shape_numel(shape);
  if (proto.has_raw_data()) {
    const std::uint64_t needed = static_cast<std::uint64_t>(numel) * dtype_size(dtype);
    const std::string& raw = proto.raw_data();
    check(raw.size() == needed, where + ": raw_data has " + std::to_string(raw.size()) +
                                    " bytes, " + dtype_name(dtype) + " " +
                                    shape_to_string(shape) + " needs " + std::to_string(needed));
    return;
  }
  const auto [field, held] = typed_field(proto, dtype);
  check_count(held, numel, field, shape, where);
}

void copy_raw(const onnx::TensorProto& proto, Tensor& tensor) {
  const std::string& raw = proto.raw_data();
  if (!raw.empty()) std::memcpy(tensor.raw(), raw.data(), raw.size());
}

// float16 and bool travel in int32_data, one element per entry (float16 as its bit pattern).
void copy_int32_field(const onnx::TensorProto& proto, Tensor& tensor) {
  const auto& field = proto.int32_data();
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
void copy_typed_field(const Field& field, Tensor& tensor) {
  auto out = tensor.data<T>();
  for (int i = 0; i < field.size(); ++i) out[static_cast<std::size_t>(i)] = field.Get(i);
}

void copy_typed(const onnx::TensorProto& proto, Tensor& tensor) {
  switch (tensor.dtype()) {
    case DType::F32: return copy_typed_field<float>(proto.float_data(), tensor);
    case DType::F64: return copy_typed_field<double>(proto.double_data(), tensor);
    case DType::I64: return copy_typed_field<std::int64_t>(proto.int64_data(), tensor);
    case DType::I32:
    case DType::F16:
    case DType::Bool: return copy_int32_field(proto, tensor);
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
  const Shape shape = checked_dims(proto, where);
  check_values_present(proto, dtype, shape, where);
  Tensor tensor(dtype, shape);
  if (proto.has_raw_data()) {
    copy_raw(proto, tensor);
  } else {
    copy_typed(proto, tensor);
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
