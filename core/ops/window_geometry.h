#pragma once
#include <cstdint>
#include <vector>

#include "core/graph.h"

namespace tandem {

// Sliding-window geometry shared by Conv, ConvTranspose and the pools, and by every backend
// that implements them: the node's attributes resolved against the input shape to one set of
// numbers per spatial dimension, so no backend re-derives auto_pad or ceil_mode rules.

enum class AutoPad { NotSet, SameUpper, SameLower, Valid };

// One spatial dimension of a window op. Positions on the two sides of the window are related
// by dense = strided * stride + tap * dilation - pad_begin, where for Conv and the pools the
// dense side is the input and the strided side the output, and for ConvTranspose the dense
// side is the output and the strided side the input. Padding may be negative for
// ConvTranspose with output_shape (it then crops or extends the full result).
struct WindowDim {
  std::int64_t input = 0;      // the node's input extent
  std::int64_t output = 0;     // the node's output extent
  std::int64_t kernel = 1;
  std::int64_t stride = 1;
  std::int64_t dilation = 1;
  std::int64_t pad_begin = 0;
  std::int64_t pad_end = 0;

  std::int64_t effective_kernel() const { return (kernel - 1) * dilation + 1; }
  std::int64_t dense_index(std::int64_t strided, std::int64_t tap) const {
    return strided * stride + tap * dilation - pad_begin;
  }
};

// All spatial dimensions of one node, outermost first.
struct WindowGeometry {
  std::vector<WindowDim> dims;

  std::size_t rank() const { return dims.size(); }
  Shape input_spatial() const;
  Shape output_spatial() const;
  Shape kernel_spatial() const;
  std::int64_t kernel_numel() const;
  // Kernel 1, stride 1, no padding in every dim: a conv that reads its input as a
  // [channels, positions] matrix.
  bool is_unpadded_1x1() const;
};

// The half-open range [first, last) of strided positions p in [0, count) whose dense index
// p * stride + offset lies inside [0, extent). Empty ranges have first == last.
struct StridedRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
};
StridedRange strided_positions_inside(std::int64_t count, std::int64_t stride,
                                      std::int64_t offset, std::int64_t extent);

// The window attributes as written on a node, checked for values but not yet resolved
// against a shape. Empty vectors mean "not given".
struct WindowAttributes {
  std::vector<std::int64_t> kernel_shape;
  std::vector<std::int64_t> strides;
  std::vector<std::int64_t> dilations;
  std::vector<std::int64_t> pads;   // ONNX order: all begins, then all ends
  AutoPad auto_pad = AutoPad::NotSet;
  bool ceil_mode = false;
};

// Reads auto_pad, kernel_shape, strides, dilations, pads and ceil_mode (those present) and
// checks them: positive kernel/strides/dilations, non-negative pads, equal lengths, a known
// auto_pad, ceil_mode 0 or 1. Errors name the node.
WindowAttributes read_window_attributes(const Node& node);

// Conv and pools: the output extent and the padding actually applied, per spatial dimension.
// `kernel_spatial` is the weight's spatial shape (Conv) or kernel_shape (pools). Follows the
// ONNX shape inference: SAME_* gives ceil(input / stride) and splits the total padding with
// the odd element at the end (SAME_UPPER) or the beginning (SAME_LOWER); with ceil_mode the
// output rounds up, but a window that would start past the input and its begin padding is
// dropped (as PyTorch and onnxruntime do: such a window would read nothing).
WindowGeometry resolve_window(const Node& node, const WindowAttributes& attributes,
                              const Shape& input_spatial, const Shape& kernel_spatial);

// MaxPool and AveragePool on an [N, C, spatial...] input, kernel from kernel_shape.
WindowGeometry resolve_pool_window(const Node& node, const Shape& input_shape);

// ConvTranspose: output = stride * (input - 1) + output_padding + effective_kernel - pads;
// with output_shape (spatial dims, or all dims) the pads are derived from it, and with
// SAME_* the output is input * stride. Derived pads split as the ONNX spec says (floor
// division, so an output larger than the full result extends it at the end).
WindowGeometry resolve_transposed_window(const Node& node, const WindowAttributes& attributes,
                                         const Shape& input_spatial, const Shape& kernel_spatial,
                                         const std::vector<std::int64_t>& output_padding,
                                         const std::vector<std::int64_t>& output_shape);

}  // namespace tandem
