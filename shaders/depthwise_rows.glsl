// Shared by the depthwise shaders of runs of a row (conv_depthwise.comp and
// conv_depthwise_quad.comp): the push constants, as vulkan/conv_depthwise.cpp records them
// (offsets in floats), and the split of an invocation's item.
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

// An invocation's run of `outputs` neighbouring outputs of a row: its output row ((image x C +
// channel) x OH + oh), first column, channel, first input row (that of tap 0) and where its
// input plane starts in x (floats).
struct DepthwiseItem {
  uint row;
  uint ow0;
  uint channel;
  int ih0;
  uint x_plane;
};

DepthwiseItem depthwise_item(uint item, uint outputs) {
  DepthwiseItem it;
  it.row = item / p.row_items;
  it.ow0 = (item % p.row_items) * outputs;
  const uint plane = it.row / p.out_h;  // image * C + channel
  it.channel = plane % p.channels;
  it.ih0 = int(it.row % p.out_h) * p.stride_h - p.pad_h;
  it.x_plane = p.x_offset + plane * p.in_h * p.in_w;
  return it;
}
