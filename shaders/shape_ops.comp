#version 450
// Data movement: Reshape/Flatten/Squeeze/Unsqueeze/Identity copies, Transpose, Slice, Concat,
// Gather and Pad, all one strided gather: for each element of the walked shape `dims`,
//   dst[dst_offset + sum c_d * dst_strides_d] = src[src_offset + sum s_d * src_strides_d]
// where s_d = c_d, or table[tables_d + c_d] when dim d has a lookup table (Gather's indices,
// Pad's source positions; -1 in a table reads the constant `value`).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(std430, binding = 0) buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer Src { float src_data[]; };
layout(std430, binding = 2) readonly buffer Tables { int table_data[]; };

layout(push_constant) uniform Params {
  uint count;
  uint rank;
  uint dst_offset;
  uint src_offset;
  uint table_offset;
  float value;
  uint unused0;
  uint unused1;
  uint dims[6];
  int src_strides[6];
  int dst_strides[6];
  int tables[6];          // start of dim d's table after table_offset, -1 = none
} p;

void main() {
  const uint i = invocation_index();
  if (i >= p.count) return;
  int src = int(p.src_offset);
  int dst = int(p.dst_offset);
  bool constant = false;
  uint rest = i;
  for (int d = int(p.rank) - 1; d >= 0; --d) {
    const int coordinate = int(rest % p.dims[d]);
    rest /= p.dims[d];
    const int source = p.tables[d] < 0 ? coordinate : table_data[p.table_offset + uint(p.tables[d] + coordinate)];
    constant = constant || source < 0;
    src += source * p.src_strides[d];
    dst += coordinate * p.dst_strides[d];
  }
  out_data[uint(dst)] = constant ? p.value : src_data[uint(src)];
}
