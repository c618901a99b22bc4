#include "core/npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "core/cache/atomic_file.h"
#include "core/cache/posix_file.h"
#include "core/error.h"
#include "core/printable.h"

namespace tandem {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
// NumPy itself refuses headers over 10000 bytes by default; 64 KiB leaves room for any
// real shape while bounding what a hostile file can make us scan.
constexpr std::size_t kMaxHeaderBytes = 1 << 16;
constexpr std::size_t kMaxDimensions = 64;   // NumPy's NPY_MAXDIMS
constexpr std::size_t kHeaderAlignment = 64;  // what NumPy >= 1.14 pads the header to

struct DtypeCode {
  const char* descr;
  DType dtype;
};
// The first match per dtype is what write_npy emits; |u1 is read as bool.
constexpr DtypeCode kDtypeCodes[] = {
    {"<f4", DType::F32}, {"<f8", DType::F64}, {"<f2", DType::F16}, {"<i8", DType::I64},
    {"<i4", DType::I32}, {"|b1", DType::Bool}, {"|u1", DType::Bool},
};

struct NpyLayout {
  TensorInfo info;
  std::size_t data_offset = 0;
};

// What the header dict said, before it is checked for meaning.
struct HeaderFields {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<Shape> shape;
};

// A strict parser for the one Python literal NumPy writes:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderDictParser {
 public:
  HeaderDictParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  HeaderFields parse() {
    expect('{');
    while (!peek('}')) {
      parse_item();
      if (!peek('}')) expect(',');
    }
    expect('}');
    skip_space();
    if (pos_ != text_.size()) bad("unexpected text after the header dict");
    return fields_;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail(name_ + ": bad .npy header: " + what + " (at character " + std::to_string(pos_) +
         " of \"" + printable(text_, 120) + "\")");
  }

  void skip_space() {
    while (pos_ < text_.size() && std::strchr(" \t\r\n", text_[pos_]) != nullptr) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) bad(std::string("expected '") + c + "'");
    ++pos_;
  }

  std::string string_literal() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
      bad("expected a quoted string");
    }
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string value(text_.substr(pos_, end - pos_));
    if (value.find('\\') != std::string::npos) bad("escapes in strings are not supported");
    pos_ = end + 1;
    return value;
  }

  bool boolean_literal() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::string_view literal = word;
      if (text_.substr(pos_, literal.size()) == literal) {
        pos_ += literal.size();
        return value;
      }
    }
    bad("expected True or False");
  }

  std::int64_t dimension() {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '-') bad("negative dimension");
    const std::size_t start = pos_;
    std::int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (value > (INT64_MAX - 9) / 10) bad("dimension too large");
      value = value * 10 + (text_[pos_++] - '0');
    }
    if (pos_ == start) bad("expected a dimension");
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;   // Python 2 longs: "(3L, 4L)"
    return value;
  }

  // "()", "(5,)", "(2, 3)" or "(2, 3,)"; "(5)" is not a tuple in Python, so not here either.
  Shape shape_tuple() {
    expect('(');
    Shape shape;
    bool trailing_comma = false;
    while (!peek(')')) {
      if (shape.size() == kMaxDimensions) bad("more than 64 dimensions");
      shape.push_back(dimension());
      trailing_comma = peek(',');
      if (trailing_comma) {
        ++pos_;
      } else if (!peek(')')) {
        bad("expected ',' or ')' in shape");
      }
    }
    if (shape.size() == 1 && !trailing_comma) bad("shape (n) must be written (n,)");
    expect(')');
    return shape;
  }

  void parse_item() {
    const std::string key = string_literal();
    expect(':');
    if (key == "descr") {
      if (fields_.descr) bad("'descr' given twice");
      if (peek('[')) {
        throw Unsupported(name_ + ": structured dtypes are not supported");
      }
      fields_.descr = string_literal();
    } else if (key == "fortran_order") {
      if (fields_.fortran_order) bad("'fortran_order' given twice");
      fields_.fortran_order = boolean_literal();
    } else if (key == "shape") {
      if (fields_.shape) bad("'shape' given twice");
      fields_.shape = shape_tuple();
    } else {
      bad("unexpected key '" + printable(key, 40) + "'");
    }
  }

  std::string_view text_;
  const std::string& name_;
  std::size_t pos_ = 0;
  HeaderFields fields_;
};

DType dtype_from_descr(const std::string& descr, const std::string& name) {
  for (const DtypeCode& code : kDtypeCodes) {
    if (descr == code.descr) return code.dtype;
  }
  if (!descr.empty() && descr[0] == '>') {
    throw Unsupported(name + ": big-endian data ('" + printable(descr, 40) + "') is not supported");
  }
  std::string known;
  for (const DtypeCode& code : kDtypeCodes) {
    known += (known.empty() ? "" : ", ") + std::string(code.descr);
  }
  throw Unsupported(name + ": dtype '" + printable(descr, 40) + "' is not supported (supported: " +
                    known + ")");
}

TensorInfo tensor_info_from(const HeaderFields& fields, const std::string& name) {
  if (!fields.descr) fail(name + ": .npy header has no 'descr'");
  if (!fields.fortran_order) fail(name + ": .npy header has no 'fortran_order'");
  if (!fields.shape) fail(name + ": .npy header has no 'shape'");
  if (*fields.fortran_order) {
    throw Unsupported(name + ": fortran_order True is not supported (save a C-order array)");
  }
  TensorInfo info{dtype_from_descr(*fields.descr, name), *fields.shape};
  std::uint64_t bytes = dtype_size(info.dtype);
  for (std::int64_t dim : info.shape) {
    if (__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(dim), &bytes) ||
        bytes > static_cast<std::uint64_t>(INT64_MAX)) {
      fail(name + ": shape " + shape_to_string(info.shape) + " is too large");
    }
  }
  try {
    shape_numel(info.shape);   // the element limit of every tensor
  } catch (const Error& error) {
    fail(name + ": " + error.what());
  }
  return info;
}

// Parses the magic, version and header dict from `prefix` (the file's first bytes, as many
// as it has up to the largest header) and checks the data size against `file_size`.
NpyLayout parse_layout(std::span<const std::uint8_t> prefix, std::uint64_t file_size,
                       const std::string& name) {
  const std::string_view start(reinterpret_cast<const char*>(prefix.data()),
                               std::min(prefix.size(), kMagic.size()));
  if (start != kMagic.substr(0, start.size())) fail(name + ": not a .npy file (bad magic)");
  if (prefix.size() < 10) {
    fail(name + ": truncated .npy file (" + std::to_string(prefix.size()) +
         " bytes, not even the header length)");
  }
  const int major = prefix[6];
  const int minor = prefix[7];
  if (minor != 0 || major < 1 || major > 3) {
    throw Unsupported(name + ": .npy format version " + std::to_string(major) + "." +
                      std::to_string(minor) + " is not supported (1.0, 2.0 and 3.0 are)");
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (prefix.size() < 8 + length_bytes) fail(name + ": truncated .npy file (header length)");
  std::uint64_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    header_length |= static_cast<std::uint64_t>(prefix[8 + i]) << (8 * i);
  }
  if (header_length > kMaxHeaderBytes) {
    fail(name + ": .npy header length " + std::to_string(header_length) + " exceeds " +
         std::to_string(kMaxHeaderBytes) + " bytes");
  }
  const std::size_t data_offset = 8 + length_bytes + static_cast<std::size_t>(header_length);
  if (prefix.size() < data_offset) {
    fail(name + ": truncated .npy header (" + std::to_string(header_length) +
         " bytes declared, file has " + std::to_string(prefix.size() - 8 - length_bytes) + ")");
  }
  const std::string_view text(reinterpret_cast<const char*>(prefix.data()) + 8 + length_bytes,
                              static_cast<std::size_t>(header_length));
  NpyLayout layout{tensor_info_from(HeaderDictParser(text, name).parse(), name), data_offset};
  const std::uint64_t expected = layout.info.bytes();
  const std::uint64_t present = file_size - data_offset;
  if (present != expected) {
    fail(name + ": expected " + std::to_string(expected) + " bytes of data, file has " +
         std::to_string(present));
  }
  return layout;
}

// NumPy's bool is one byte, 0 or 1; |u1 data and damaged bools may hold other values.
void normalise_bools(Tensor& tensor) {
  if (tensor.dtype() != DType::Bool) return;
  for (std::uint8_t& byte : tensor.data<std::uint8_t>()) byte = byte != 0 ? 1 : 0;
}

const char* descr_of(DType dtype) {
  for (const DtypeCode& code : kDtypeCodes) {
    if (code.dtype == dtype) return code.descr;
  }
  fail(std::string("write_npy: no .npy dtype for ") + dtype_name(dtype));
}

}  // namespace

Tensor parse_npy(std::span<const std::uint8_t> bytes, const std::string& name) {
  const NpyLayout layout = parse_layout(bytes, bytes.size(), name);
  Tensor tensor(layout.info);
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(layout.data_offset), bytes.end(),
            tensor.raw());
  normalise_bools(tensor);
  return tensor;
}

Tensor read_npy(const std::string& path) {
  // O_NONBLOCK: a FIFO given by mistake must not hang us before fstat can refuse it.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) fail(path + ": cannot open: " + errno_text(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) fail(path + ": cannot stat: " + errno_text(errno));
  if (!S_ISREG(info.st_mode)) {
    fail(path + ": not a regular file (" + file_type_name(info.st_mode) + ")");
  }
  const auto file_size = static_cast<std::uint64_t>(info.st_size);
  std::vector<std::uint8_t> prefix(
      static_cast<std::size_t>(std::min<std::uint64_t>(file_size, 12 + kMaxHeaderBytes)));
  const std::int64_t got = read_fully(fd.get(), prefix);
  if (got < 0) fail(path + ": read failed: " + errno_text(static_cast<int>(-got)));
  prefix.resize(static_cast<std::size_t>(got));
  const NpyLayout layout = parse_layout(prefix, file_size, path);
  // Only now, with the size checked against the file, is the tensor allocated.
  Tensor tensor(layout.info);
  const std::size_t in_prefix = std::min(prefix.size() - layout.data_offset, tensor.bytes());
  std::copy_n(prefix.begin() + static_cast<std::ptrdiff_t>(layout.data_offset), in_prefix,
              tensor.raw());
  const std::int64_t rest = read_fully(
      fd.get(), {tensor.raw() + in_prefix, tensor.bytes() - in_prefix});
  if (rest < 0) fail(path + ": read failed: " + errno_text(static_cast<int>(-rest)));
  if (static_cast<std::size_t>(rest) != tensor.bytes() - in_prefix) {
    fail(path + ": file shrank while being read");
  }
  normalise_bools(tensor);
  return tensor;
}

std::vector<std::uint8_t> npy_header_bytes(const TensorInfo& info) {
  std::string shape = "(";
  for (std::size_t i = 0; i < info.shape.size(); ++i) {
    shape += (i ? ", " : "") + std::to_string(info.shape[i]);
  }
  shape += info.shape.size() == 1 ? ",)" : ")";
  std::string dict = std::string("{'descr': '") + descr_of(info.dtype) +
                     "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Version 1.0 holds a header up to 65535 bytes; only absurd ranks need 2.0.
  const bool version1 = dict.size() + 1 + 10 + kHeaderAlignment <= 65535;
  const std::size_t prefix = version1 ? 10 : 12;
  const std::size_t unpadded = prefix + dict.size() + 1;   // + the closing newline
  dict.append((kHeaderAlignment - unpadded % kHeaderAlignment) % kHeaderAlignment, ' ');
  dict += '\n';
  std::vector<std::uint8_t> bytes(kMagic.begin(), kMagic.end());
  bytes.push_back(version1 ? 1 : 2);
  bytes.push_back(0);
  for (std::size_t i = 0; i < prefix - 8; ++i) {
    bytes.push_back(static_cast<std::uint8_t>(dict.size() >> (8 * i)));
  }
  bytes.insert(bytes.end(), dict.begin(), dict.end());
  return bytes;
}

void write_npy(const std::string& path, const Tensor& tensor) {
  const std::vector<std::uint8_t> header = npy_header_bytes(tensor.info());
  write_file_atomically(path, {header, {tensor.raw(), tensor.bytes()}}, 0644);
}

}  // namespace tandem
