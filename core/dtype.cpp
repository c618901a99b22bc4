#include "core/dtype.h"

#include "core/error.h"

namespace tandem {

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::F32: return 4;
    case DType::F16: return 2;
    case DType::F64: return 8;
    case DType::I64: return 8;
    case DType::I32: return 4;
    case DType::Bool: return 1;
  }
  fail("dtype_size: bad dtype");
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32: return "float32";
    case DType::F16: return "float16";
    case DType::F64: return "float64";
    case DType::I64: return "int64";
    case DType::I32: return "int32";
    case DType::Bool: return "bool";
  }
  return "?";
}

DType dtype_from_onnx(int onnx_data_type) {
  // Values of onnx::TensorProto_DataType, spelled out so the core needs no ONNX header.
  switch (onnx_data_type) {
    case 1: return DType::F32;
    case 6: return DType::I32;
    case 7: return DType::I64;
    case 9: return DType::Bool;
    case 10: return DType::F16;
    case 11: return DType::F64;
  }
  throw Unsupported("ONNX data type " + std::to_string(onnx_data_type) + " is not supported");
}

bool is_float(DType dtype) {
  return dtype == DType::F32 || dtype == DType::F16 || dtype == DType::F64;
}

}  // namespace tandem
