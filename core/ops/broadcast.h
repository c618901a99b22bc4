#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tandem {

// numpy's multidirectional broadcasting and the strided index mapping behind it. The
// reference kernels use it, and so may a backend that computes indices on the host.

// The shape `a` and `b` broadcast to: right-aligned, each pair of dimensions equal or one
// of them 1. Throws Error "<where>: cannot broadcast [2, 3] with [4]" otherwise.
Shape broadcast_shape(const Shape& a, const Shape& b, const std::string& where);

// Whether `input` broadcasts to exactly `output` (no dimension of output grows from it).
bool broadcasts_to(const Shape& input, const Shape& output);

// The element strides with which `input` is read along each dimension of `output`, one per
// output dimension: 0 where the input is broadcast (its dimension is 1 or missing).
// Throws Error when `input` does not broadcast to `output`.
std::vector<std::int64_t> broadcast_strides(const Shape& input, const Shape& output);

// For every element of `shape` in row-major order, base + sum(index[d] * strides[d]): the
// flat offset a strided view reads. With broadcast_strides it maps each output element to
// its input element; with permuted strides it is a transpose, with scaled ones a slice.
std::vector<std::int64_t> strided_offsets(const Shape& shape,
                                          const std::vector<std::int64_t>& strides,
                                          std::int64_t base = 0);

// strided_offsets(output, broadcast_strides(input, output)).
std::vector<std::int64_t> broadcast_offsets(const Shape& input, const Shape& output);

}  // namespace tandem
