// Shared by conv_depthwise_flat.comp and conv_depthwise_column.comp: the window as
// specialization constants 2-13, the bindings and the push constants, as
// vulkan/conv_depthwise.cpp's flat_dispatch records them (offsets in floats).
layout(constant_id = 1) const int ACTIVATION = 0;  // vulkan/activation.h codes
layout(constant_id = 2) const uint KH = 3;
layout(constant_id = 3) const uint KW = 3;
layout(constant_id = 4) const uint IN_H = 1;
layout(constant_id = 5) const uint IN_W = 1;
layout(constant_id = 6) const uint OUT_H = 1;
layout(constant_id = 7) const uint OUT_W = 1;
layout(constant_id = 8) const int STRIDE_H = 1;
layout(constant_id = 9) const int STRIDE_W = 1;
layout(constant_id = 10) const int PAD_H = 0;
layout(constant_id = 11) const int PAD_W = 0;
layout(constant_id = 12) const int DILATION_H = 1;
layout(constant_id = 13) const int DILATION_W = 1;

const uint kInPlane = IN_H * IN_W;
const uint kOutPlane = OUT_H * OUT_W;

layout(std430, binding = 0) writeonly buffer Out { float out_data[]; };
layout(std430, binding = 1) readonly buffer X { float x_data[]; };
layout(std430, binding = 2) readonly buffer W { float w_data[]; };
layout(std430, binding = 3) readonly buffer B { float b_data[]; };

layout(push_constant) uniform Params {
  uint count;  // invocations
  uint out_offset;  // in floats
  uint x_offset;
  uint w_offset;
  uint b_offset;
  uint has_bias;
  uint channels;
  float alpha;
  float beta;
} p;
