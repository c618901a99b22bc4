// Shared by conv_window_shallow.comp and conv_window_quad.comp, after shallow_conv.glsl: the
// push constants of a 2-D window (1-D as height 1), and which outputs an invocation takes:
// `run` neighbouring ones of a row, from column ow.
layout(push_constant) uniform Params {
  uint count;  // batch x out_h x row_items
  uint out_offset;
  uint x_offset;
  uint w_offset;
  uint b_offset;
  uint has_bias;
  uint in_h, in_w, out_h, out_w, row_items;
  uint stride_h, stride_w;
  int pad_h, pad_w;
  uint dilation_h, dilation_w;
  float alpha;
  float beta;
} p;

struct WindowItem {
  uint image;
  uint oh;
  uint ow;
};

WindowItem window_item(uint item, uint run) {
  const uint row = item / p.row_items;  // image * out_h + oh
  return WindowItem(row / p.out_h, row % p.out_h, (item % p.row_items) * run);
}

// The index of the item's first output in output plane 0 (of M).
uint window_output(WindowItem it) {
  return p.out_offset + (it.image * M * p.out_h + it.oh) * p.out_w + it.ow;
}
