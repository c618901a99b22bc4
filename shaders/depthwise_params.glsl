// The push constants of both depthwise shaders (conv_depthwise.comp and
// conv_depthwise_quad.comp), as vulkan/conv_depthwise.cpp records them; offsets in floats.
layout(push_constant) uniform Params {
  uint count;        // invocations: batch x C x OH x row_items
  uint out_offset;
  uint x_offset;
  uint w_offset;
  uint b_offset;
  uint has_bias;
  uint channels;
  uint in_h;
  uint in_w;
  uint out_h;
  uint out_w;
  uint row_items;    // ceil(OW / 4)
  int stride_h;
  int stride_w;
  int pad_h;
  int pad_w;
  int dilation_h;
  int dilation_w;
  float alpha;
  float beta;
} p;
