// Data movement through shaders/shape_ops.comp, one strided gather for all of it:
// Reshape/Flatten/Squeeze/Unsqueeze/Identity (copies: the memory plan gives every value its
// own buffer), Transpose, Slice, Concat (one dispatch per input into its slice of the
// output), Gather (constant indices as a lookup table) and Pad (source positions as tables).
#include <algorithm>

#include "core/ops/op_util.h"
#include "vulkan/broadcast_layout.h"
#include "vulkan/op_table.h"

namespace tandem::vulkan {
namespace {

// One walk of `dims`: dst[dst_base + c . dst_strides] = src[src_base + s . src_strides], with
// s_d = tables[d][c_d] where dim d has a table (-1 there reads `value`).
struct Movement {
  Shape dims;
  std::vector<std::int64_t> src_strides;
  std::vector<std::int64_t> dst_strides;
  std::int64_t src_base = 0;
  std::int64_t dst_base = 0;
  std::vector<std::vector<std::int64_t>> tables;  // per dim; empty = the coordinate itself
  float value = 0.0f;
  std::size_t source = 0;      // which input is read
  bool partial_write = false;  // writes only part of the output (Concat)
};

std::uint32_t word(std::int64_t value) {
  return static_cast<std::uint32_t>(static_cast<std::int32_t>(value));
}

void record_movement(NodeContext& context, Movement m) {
  if (m.tables.empty()) {
    const BroadcastLayout merged = collapse_layout(m.dims, {m.src_strides, m.dst_strides});
    m.dims = merged.shape;
    m.src_strides = merged.strides[0];
    m.dst_strides = merged.strides[1];
  }
  if (m.dims.size() > kMaxRank)
    context.unsupported("moving data over more than 6 non-mergeable dims");
  m.tables.resize(m.dims.size());
  std::int64_t last_written = m.dst_base;
  for (std::size_t d = 0; d < m.dims.size(); ++d)
    last_written += (m.dims[d] - 1) * m.dst_strides[d];
  // A partial write binds only the span it covers (destination strides are positive there),
  // so independent parts need no barrier between them.
  const Slot whole = context.output_slot();
  const Slot out = m.partial_write ? context.part(whole, m.dst_base, last_written + 1) : whole;
  const std::int64_t dst_base = m.partial_write ? 0 : m.dst_base;
  const Slot src = context.input_slot(m.source);
  std::vector<std::uint32_t> table_words;
  std::vector<std::uint32_t> table_starts(kMaxRank, word(-1));
  for (std::size_t d = 0; d < m.dims.size(); ++d) {
    if (m.tables[d].empty()) continue;
    table_starts[d] = static_cast<std::uint32_t>(table_words.size());
    for (std::int64_t position : m.tables[d]) table_words.push_back(word(position));
  }
  const Slot tables = table_words.empty() ? src : context.add_constant(table_words);
  const std::int64_t count = shape_numel(m.dims);
  Dispatch dispatch;
  dispatch.bindings = {out, src, tables};
  dispatch.invocations = static_cast<std::uint64_t>(count);
  dispatch.push = {checked_u32(context, count, "element count"),
                   static_cast<std::uint32_t>(m.dims.size()),
                   checked_u32(context, out.element_offset() + dst_base, "offset"),
                   checked_u32(context, src.element_offset() + m.src_base, "offset"),
                   tables.element_offset(),
                   float_word(m.value),
                   0,
                   0};
  dispatch.push.resize(8 + 4 * kMaxRank, 0);
  for (std::size_t d = 0; d < m.dims.size(); ++d) {
    dispatch.push[8 + d] = checked_u32(context, m.dims[d], "dimension");
    dispatch.push[8 + kMaxRank + d] = word(m.src_strides[d]);
    dispatch.push[8 + 2 * kMaxRank + d] = word(m.dst_strides[d]);
  }
  std::copy(table_starts.begin(), table_starts.end(), dispatch.push.begin() + 8 + 3 * kMaxRank);
  context.dispatch(std::move(dispatch));
}

void compile_copy(NodeContext& context) {
  Movement m;
  m.dims = {shape_numel(context.output().shape)};
  m.src_strides = {1};
  m.dst_strides = {1};
  record_movement(context, m);
}

void compile_transpose(NodeContext& context) {
  const Shape& in = context.input(0).shape;
  std::vector<std::int64_t> reversed(in.size());
  for (std::size_t d = 0; d < in.size(); ++d)
    reversed[d] = static_cast<std::int64_t>(in.size() - 1 - d);
  const std::vector<std::int64_t> perm = context.attributes().get_ints("perm", reversed);
  const std::vector<std::int64_t> in_strides = strides_of(in);
  Movement m;
  m.dims = context.output().shape;
  for (std::int64_t axis : perm)
    m.src_strides.push_back(in_strides[static_cast<std::size_t>(axis)]);
  m.dst_strides = strides_of(m.dims);
  record_movement(context, m);
}

// ONNX Slice on one axis, as core/ops/movement_ops.cpp resolves it: negative bounds count
// from the end, then clamp ([0, dim] forward, [-1, dim - 1] backward).
std::int64_t slice_start(std::int64_t dim, std::int64_t start, std::int64_t step) {
  if (start < 0) start += dim;
  return step > 0 ? std::clamp<std::int64_t>(start, 0, dim)
                  : std::clamp<std::int64_t>(start, 0, dim - 1);
}

std::vector<std::int64_t> constant_ints(NodeContext& context, std::size_t i, const char* what) {
  const Tensor* values = context.constant(i);
  if (values == nullptr) context.unsupported(std::string(what) + " must be a constant");
  return values->to_i64_vector();
}

void compile_slice(NodeContext& context) {
  const Shape& in = context.input(0).shape;
  const std::vector<std::int64_t> starts = constant_ints(context, 1, "starts");
  std::vector<std::int64_t> axes(starts.size());
  for (std::size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<std::int64_t>(i);
  if (context.has_input(3)) axes = constant_ints(context, 3, "axes");
  std::vector<std::int64_t> steps(starts.size(), 1);
  if (context.has_input(4)) steps = constant_ints(context, 4, "steps");
  const std::vector<std::int64_t> in_strides = strides_of(in);
  Movement m;
  m.dims = context.output().shape;
  m.src_strides = in_strides;
  m.dst_strides = strides_of(m.dims);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto d = static_cast<std::size_t>(
        normalize_axis(context.node(), axes[i], static_cast<std::int64_t>(in.size())));
    if (in[d] == 0 || m.dims[d] == 0) continue;
    m.src_base += slice_start(in[d], starts[i], steps[i]) * in_strides[d];
    // A window of one element never steps (and a step like INT64_MIN would overflow).
    m.src_strides[d] = m.dims[d] > 1 ? steps[i] * in_strides[d] : 0;
  }
  record_movement(context, m);
}

void compile_concat(NodeContext& context) {
  const Shape& out = context.output().shape;
  const auto axis = static_cast<std::size_t>(normalize_axis(
      context.node(), context.attributes().get_int("axis"), static_cast<std::int64_t>(out.size())));
  const std::vector<std::int64_t> out_strides = strides_of(out);
  std::int64_t position = 0;
  for (std::size_t i = 0; i < context.node().inputs.size(); ++i) {
    Movement m;
    m.dims = context.input(i).shape;
    m.src_strides = strides_of(m.dims);
    m.dst_strides = out_strides;
    m.dst_base = position * out_strides[axis];
    m.source = i;
    m.partial_write = true;
    position += m.dims[axis];
    record_movement(context, m);
  }
}

// data viewed as [outer, axis, inner]; the output as [outer, indices, inner].
void compile_gather(NodeContext& context) {
  const Shape& data = context.input(0).shape;
  const auto axis = static_cast<std::size_t>(
      normalize_axis(context.node(), context.attributes().get_int("axis", 0),
                     static_cast<std::int64_t>(data.size())));
  std::vector<std::int64_t> indices = constant_ints(context, 1, "indices");
  for (std::int64_t& index : indices) {
    if (index < -data[axis] || index >= data[axis]) {
      context.error("index " + std::to_string(index) + " is out of range for a dimension of " +
                    std::to_string(data[axis]));
    }
    if (index < 0) index += data[axis];
  }
  const std::int64_t outer =
      shape_numel(Shape(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(axis)));
  const std::int64_t inner =
      shape_numel(Shape(data.begin() + static_cast<std::ptrdiff_t>(axis) + 1, data.end()));
  const auto count = static_cast<std::int64_t>(indices.size());
  Movement m;
  m.dims = {outer, count, inner};
  m.src_strides = {data[axis] * inner, inner, 1};
  m.dst_strides = {count * inner, inner, 1};
  m.tables = {{}, indices, {}};
  record_movement(context, m);
}

// Input position read by padded position i (already shifted by the leading pad), or -1 for
// the constant; reflect mirrors without repeating the edge, as numpy's 'reflect' does.
std::int64_t pad_source(std::int64_t i, std::int64_t dim, const std::string& mode) {
  if (i >= 0 && i < dim) return i;
  if (mode == "constant") return -1;
  if (mode == "edge" || dim == 1) return i < 0 ? 0 : dim - 1;
  const std::int64_t period = 2 * (dim - 1);
  const std::int64_t folded = ((i % period) + period) % period;
  return folded < dim ? folded : period - folded;
}

void compile_pad(NodeContext& context) {
  const Shape& in = context.input(0).shape;
  const std::vector<std::int64_t> pads = constant_ints(context, 1, "pads");
  const std::string mode = context.attributes().get_string("mode", "constant");
  Movement m;
  m.dims = context.output().shape;
  m.src_strides = strides_of(in);
  m.dst_strides = strides_of(m.dims);
  if (context.has_input(2)) {
    const Tensor* value = context.constant(2);
    if (value == nullptr) context.unsupported("constant_value must be a constant");
    if (value->numel() == 1) m.value = static_cast<float>(value->value_f64(0));
  }
  for (std::size_t d = 0; d < in.size(); ++d) {
    std::vector<std::int64_t> table;
    for (std::int64_t o = 0; o < m.dims[d]; ++o)
      table.push_back(pad_source(o - pads[d], in[d], mode));
    m.tables.push_back(std::move(table));
  }
  record_movement(context, m);
}

const OpTableRegistration copy_registration({"Reshape", "Flatten", "Squeeze", "Unsqueeze",
                                             "Identity"},
                                            {"shape_ops", compile_copy, {}});
const OpTableRegistration transpose_registration({"Transpose"},
                                                 {"shape_ops", compile_transpose, {}});
const OpTableRegistration slice_registration({"Slice"}, {"shape_ops", compile_slice, {}});
const OpTableRegistration concat_registration({"Concat"}, {"shape_ops", compile_concat, {}});
const OpTableRegistration gather_registration({"Gather"}, {"shape_ops", compile_gather, {}});
const OpTableRegistration pad_registration({"Pad"}, {"shape_ops", compile_pad, {}});

}  // namespace
}  // namespace tandem::vulkan
