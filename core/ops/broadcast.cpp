#include "core/ops/broadcast.h"

#include <algorithm>

#include "core/error.h"
#include "core/ops/op_util.h"

namespace tandem {

Shape broadcast_shape(const Shape& a, const Shape& b, const std::string& where) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    // Dimension i counted from the right; a missing dimension acts as 1.
    const std::int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const std::int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    check(da == db || da == 1 || db == 1,
          where + ": cannot broadcast " + shape_to_string(a) + " with " + shape_to_string(b));
    result[rank - 1 - i] = da == 1 ? db : da;
  }
  return result;
}

bool broadcasts_to(const Shape& input, const Shape& output) {
  if (input.size() > output.size()) return false;
  const std::size_t lead = output.size() - input.size();
  for (std::size_t d = 0; d < input.size(); ++d) {
    if (input[d] != output[lead + d] && input[d] != 1) return false;
  }
  return true;
}

std::vector<std::int64_t> broadcast_strides(const Shape& input, const Shape& output) {
  check(broadcasts_to(input, output),
        "cannot broadcast " + shape_to_string(input) + " to " + shape_to_string(output));
  const std::vector<std::int64_t> input_strides = strides_of(input);
  const std::size_t lead = output.size() - input.size();
  std::vector<std::int64_t> strides(output.size(), 0);
  for (std::size_t d = 0; d < input.size(); ++d) {
    strides[lead + d] = input[d] == 1 ? 0 : input_strides[d];
  }
  return strides;
}

std::vector<std::int64_t> strided_offsets(const Shape& shape,
                                          const std::vector<std::int64_t>& strides,
                                          std::int64_t base) {
  check(strides.size() == shape.size(), "strided_offsets: " + std::to_string(strides.size()) +
                                            " strides for shape " + shape_to_string(shape));
  const std::int64_t count = shape_numel(shape);
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(count));
  // An odometer over the multi-index: the last dimension turns fastest, and the offset is
  // updated incrementally rather than recomputed from the index.
  std::vector<std::int64_t> index(shape.size(), 0);
  std::int64_t offset = base;
  for (std::int64_t i = 0; i < count; ++i) {
    offsets[static_cast<std::size_t>(i)] = offset;
    for (std::size_t d = shape.size(); d-- > 0;) {
      offset += strides[d];
      if (++index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return offsets;
}

std::vector<std::int64_t> broadcast_offsets(const Shape& input, const Shape& output) {
  return strided_offsets(output, broadcast_strides(input, output));
}

}  // namespace tandem
