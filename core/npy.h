#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tandem {

// NumPy .npy files (format versions 1.0, 2.0 and 3.0), the way inputs and expected outputs
// travel between tandem, the conformance cases and Python. Supported: little-endian
// <f4 <f8 <f2 <i8 <i4, |b1 and |u1 (read as bool), C order. Everything else - big-endian,
// fortran_order True, structured dtypes - is refused with an Error naming the file; nothing
// is allocated before the declared data size has been checked against the bytes present.

Tensor read_npy(const std::string& path);
// Atomic: the file is either the old one or the complete new one (temporary file + rename).
void write_npy(const std::string& path, const Tensor& tensor);

// The same checks on bytes in memory; `name` prefixes every message (fuzzers, tests).
Tensor parse_npy(std::span<const std::uint8_t> bytes, const std::string& name);
// The bytes write_npy puts in front of the data: magic, version, padded header dict.
std::vector<std::uint8_t> npy_header_bytes(const TensorInfo& info);

}  // namespace tandem
