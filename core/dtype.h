#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace tandem {

// Element types. Device backends compute in F32 today; F16 is carried through the IR and
// the cache keys so half-precision kernels can be added without changing the graph core.
// F64 is the reference backend's working type. I64/I32/Bool hold shapes and indices.
enum class DType : std::uint8_t { F32, F16, F64, I64, I32, Bool };

std::size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);          // "float32", "float16", ... (numpy names)
DType dtype_from_onnx(int onnx_data_type);    // throws Unsupported for other types
bool is_float(DType dtype);

}  // namespace tandem
