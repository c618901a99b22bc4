// .npy reading and writing: round trips, byte strings as NumPy writes them, and every class
// of malformed file.
#include "core/npy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "core/cache/test_scratch_directory.h"
#include "core/error.h"

namespace tandem {
namespace {

using testing::read_bytes;
using testing::ScratchDirectory;
using testing::write_bytes;

using Bytes = std::vector<std::uint8_t>;

Bytes as_bytes(const std::string& text) { return {text.begin(), text.end()}; }

template <typename T>
void append_values(Bytes& bytes, const std::vector<T>& values) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(values.data());
  bytes.insert(bytes.end(), p, p + values.size() * sizeof(T));
}

// A version 1.0 file: magic, version, u16 header length, `dict` padded with spaces to
// `alignment` and a newline, then `data`, as numpy.save lays it out.
Bytes npy_v1(const std::string& dict, const Bytes& data, std::size_t alignment = 64) {
  std::string header = dict;
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((alignment - unpadded % alignment) % alignment, ' ');
  header += '\n';
  Bytes bytes = as_bytes(std::string("\x93NUMPY\x01\x00", 8));
  bytes.push_back(static_cast<std::uint8_t>(header.size() & 0xFF));
  bytes.push_back(static_cast<std::uint8_t>(header.size() >> 8));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

// Versions 2.0 and 3.0 differ from 1.0 only in a u32 header length.
Bytes npy_v2_or_3(int major, const std::string& dict, const Bytes& data) {
  std::string header = dict + "\n";
  Bytes bytes = as_bytes(std::string("\x93NUMPY", 6));
  bytes.push_back(static_cast<std::uint8_t>(major));
  bytes.push_back(0);
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(header.size() >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

std::string error_of(const Bytes& bytes) {
  try {
    parse_npy(bytes, "x.npy");
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

bool is_unsupported(const Bytes& bytes) {
  try {
    parse_npy(bytes, "x.npy");
  } catch (const Unsupported&) {
    return true;
  } catch (const Error&) {
    return false;
  }
  return false;
}

Tensor random_tensor(DType dtype, const Shape& shape, std::mt19937& rng) {
  Tensor tensor(dtype, shape);
  for (std::size_t i = 0; i < tensor.bytes(); ++i) {
    tensor.raw()[i] = static_cast<std::uint8_t>(rng());
  }
  if (dtype == DType::Bool) {
    for (std::size_t i = 0; i < tensor.bytes(); ++i) tensor.raw()[i] &= 1;
  }
  return tensor;
}

TEST(Npy, RoundTripsEveryDtypeAndShape) {
  ScratchDirectory dir;
  std::mt19937 rng(42);
  const std::vector<Shape> shapes = {{2, 3, 4}, {13}, {}, {0, 3}, {1, 1, 5, 1}};
  for (DType dtype : {DType::F32, DType::F64, DType::F16, DType::I64, DType::I32, DType::Bool}) {
    for (const Shape& shape : shapes) {
      const Tensor written = random_tensor(dtype, shape, rng);
      const std::string path = dir / "t.npy";
      write_npy(path, written);
      const Tensor read = read_npy(path);
      SCOPED_TRACE(std::string(dtype_name(dtype)) + " " + shape_to_string(shape));
      EXPECT_EQ(read.dtype(), dtype);
      EXPECT_EQ(read.shape(), shape);
      ASSERT_EQ(read.bytes(), written.bytes());
      if (read.bytes() > 0) {
        EXPECT_EQ(std::memcmp(read.raw(), written.raw(), read.bytes()), 0);
      }
    }
  }
}

TEST(Npy, WriterEmitsExactlyWhatNumpySaveWrites) {
  // numpy.save("a.npy", numpy.arange(6, dtype="<f4").reshape(2, 3)): header length 118
  // ('v'), the 59-character dict padded with 58 spaces and a newline to 128 bytes.
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  ASSERT_EQ(dict.size(), 59u);
  Bytes expected = as_bytes(std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
                            std::string(58, ' ') + "\n");
  append_values<float>(expected, {0, 1, 2, 3, 4, 5});
  ASSERT_EQ(expected.size(), 128u + 24u);
  ScratchDirectory dir;
  write_npy(dir / "a.npy", Tensor::from<float>(DType::F32, {2, 3}, {0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(read_bytes(dir / "a.npy"), expected);
  // One-dimensional shapes keep Python's trailing comma; scalars are ().
  const auto one_d = npy_header_bytes({DType::I64, {7}});
  EXPECT_NE(std::string(one_d.begin(), one_d.end()).find("'descr': '<i8'"), std::string::npos);
  EXPECT_NE(std::string(one_d.begin(), one_d.end()).find("'shape': (7,), }"), std::string::npos);
  const auto scalar = npy_header_bytes({DType::Bool, {}});
  EXPECT_NE(std::string(scalar.begin(), scalar.end()).find("'|b1'"), std::string::npos);
  EXPECT_NE(std::string(scalar.begin(), scalar.end()).find("'shape': (), }"), std::string::npos);
  EXPECT_EQ(one_d.size() % 64, 0u);
  EXPECT_EQ(scalar.size() % 64, 0u);
}

TEST(Npy, ReadsHandWrittenNumpyFiles) {
  Bytes data;
  append_values<double>(data, {1.5, -2.0, 1e300});
  Tensor t = parse_npy(npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", data),
                       "x.npy");
  EXPECT_EQ(t.dtype(), DType::F64);
  EXPECT_EQ(t.shape(), (Shape{3}));
  EXPECT_EQ(t.value_f64(0), 1.5);
  EXPECT_EQ(t.value_f64(1), -2.0);
  EXPECT_EQ(t.value_f64(2), 1e300);

  // NumPy before 1.14 aligned to 16 bytes; Python 2 wrote longs as "2L".
  data.clear();
  append_values<std::int64_t>(data, {-7, 1ll << 40});
  t = parse_npy(npy_v1("{'descr': '<i8', 'fortran_order': False, 'shape': (2L,), }", data, 16),
                "x.npy");
  EXPECT_EQ(t.to_i64_vector(), (std::vector<std::int64_t>{-7, 1ll << 40}));

  // Keys in another order, double quotes, no trailing comma, version 2.0.
  data.clear();
  append_values<std::int32_t>(data, {3, -4, 5, -6});
  t = parse_npy(npy_v2_or_3(2, "{\"shape\": (2, 2), \"fortran_order\": False, \"descr\": \"<i4\"}",
                            data), "x.npy");
  EXPECT_EQ(t.dtype(), DType::I32);
  EXPECT_EQ(t.to_i64_vector(), (std::vector<std::int64_t>{3, -4, 5, -6}));

  // Version 3.0, half floats: 0x3C00 = 1.0, 0xC000 = -2.0, 0x3555 ~ 0.333.
  data.clear();
  append_values<std::uint16_t>(data, {0x3C00, 0xC000, 0x3555});
  t = parse_npy(npy_v2_or_3(3, "{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }",
                            data), "x.npy");
  EXPECT_EQ(t.dtype(), DType::F16);
  EXPECT_EQ(t.value_f64(0), 1.0);
  EXPECT_EQ(t.value_f64(1), -2.0);
  EXPECT_NEAR(t.value_f64(2), 1.0 / 3.0, 1e-3);

  // A 0-d float32 scalar.
  data.clear();
  append_values<float>(data, {2.5f});
  t = parse_npy(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", data), "x.npy");
  EXPECT_EQ(t.shape(), Shape{});
  EXPECT_EQ(t.value_f64(0), 2.5);
}

TEST(Npy, BoolAndUint8ReadAsBool) {
  const Bytes bits = {0, 1, 1, 0};
  Tensor t = parse_npy(npy_v1("{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", bits),
                       "x.npy");
  EXPECT_EQ(t.dtype(), DType::Bool);
  EXPECT_EQ(t.to_i64_vector(), (std::vector<std::int64_t>{0, 1, 1, 0}));
  const Bytes bytes = {0, 2, 255, 1};
  t = parse_npy(npy_v1("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", bytes),
                "x.npy");
  EXPECT_EQ(t.dtype(), DType::Bool);
  EXPECT_EQ(std::vector<std::uint8_t>(t.raw(), t.raw() + 4), (Bytes{0, 1, 1, 1}));
}

const std::string kGoodDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

Bytes good_file() { return npy_v1(kGoodDict, Bytes(24, 0x11)); }

TEST(Npy, TruncatedHeaderAndBadMagic) {
  Bytes bytes = good_file();
  bytes.resize(50);
  EXPECT_EQ(error_of(bytes), "x.npy: truncated .npy header (118 bytes declared, file has 40)");
  bytes.resize(9);
  EXPECT_EQ(error_of(bytes),
            "x.npy: truncated .npy file (9 bytes, not even the header length)");
  bytes = good_file();
  bytes[1] = 'X';
  EXPECT_EQ(error_of(bytes), "x.npy: not a .npy file (bad magic)");
  EXPECT_EQ(error_of(as_bytes("PK\x03\x04 a zip file")), "x.npy: not a .npy file (bad magic)");
  const Bytes whole = good_file();
  for (std::size_t length = 0; length < whole.size(); ++length) {
    const Bytes prefix(whole.begin(), whole.begin() + static_cast<long>(length));
    EXPECT_THROW(parse_npy(prefix, "x.npy"), Error) << "length " << length;
  }
}

TEST(Npy, DataShorterOrLongerThanDeclared) {
  EXPECT_EQ(error_of(npy_v1(kGoodDict, Bytes(20, 1))),
            "x.npy: expected 24 bytes of data, file has 20");
  EXPECT_EQ(error_of(npy_v1(kGoodDict, Bytes(30, 1))),
            "x.npy: expected 24 bytes of data, file has 30");
  EXPECT_EQ(error_of(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }",
                            Bytes(1000, 1))),
            "x.npy: expected 602112 bytes of data, file has 1000");
}

TEST(Npy, AbsurdShapes) {
  EXPECT_EQ(error_of(npy_v1("{'descr': '<f8', 'fortran_order': False, "
                            "'shape': (4294967296, 4294967296), }", {})),
            "x.npy: shape [4294967296, 4294967296] is too large");
  // Large but representable: refused by the size check, before any allocation.
  EXPECT_EQ(error_of(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }",
                            Bytes(8, 0))),
            "x.npy: expected 4398046511104 bytes of data, file has 8");
  EXPECT_NE(error_of(npy_v1("{'descr': '<f4', 'fortran_order': False, "
                            "'shape': (99999999999999999999,), }", {}))
                .find("dimension too large"),
            std::string::npos);
  std::string many = "(";
  for (int i = 0; i < 65; ++i) many += "1, ";
  EXPECT_NE(error_of(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': " + many + "), }",
                            Bytes(4, 0)))
                .find("more than 64 dimensions"),
            std::string::npos);
  EXPECT_NE(error_of(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", {}))
                .find("negative dimension"),
            std::string::npos);
}

TEST(Npy, UnsupportedLayoutsAndTypes) {
  const Bytes data(24, 0);
  const Bytes fortran = npy_v1("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data);
  EXPECT_TRUE(is_unsupported(fortran));
  EXPECT_EQ(error_of(fortran),
            "x.npy: fortran_order True is not supported (save a C-order array)");
  const Bytes big = npy_v1("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", data);
  EXPECT_TRUE(is_unsupported(big));
  EXPECT_EQ(error_of(big), "x.npy: big-endian data ('>f4') is not supported");
  const Bytes newline = npy_v1("{'descr': '<f\n4', 'fortran_order': False, 'shape': (6,), }", data);
  EXPECT_EQ(error_of(newline), "x.npy: dtype '<f\\x0a4' is not supported (supported: <f4, <f8, "
                               "<f2, <i8, <i4, |b1, |u1)");
  const Bytes u2 = npy_v1("{'descr': '<u2', 'fortran_order': False, 'shape': (12,), }", data);
  EXPECT_EQ(error_of(u2), "x.npy: dtype '<u2' is not supported (supported: <f4, <f8, <f2, <i8, "
                          "<i4, |b1, |u1)");
  EXPECT_EQ(error_of(npy_v1("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }",
                            data)),
            "x.npy: structured dtypes are not supported");
  Bytes version4 = good_file();
  version4[6] = 4;
  EXPECT_EQ(error_of(version4), "x.npy: .npy format version 4.0 is not supported (1.0, 2.0 and "
                                "3.0 are)");
}

TEST(Npy, StrictHeaderDict) {
  const Bytes data(24, 0);
  auto message = [&](const std::string& dict) { return error_of(npy_v1(dict, data)); };
  EXPECT_EQ(message("{'descr': '<f4', 'shape': (2, 3), }"),
            "x.npy: .npy header has no 'fortran_order'");
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}")
                .find("unexpected key 'x'"), std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}")
                .find("'descr' given twice"), std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}")
                .find("shape (n) must be written (n,)"), std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': false, 'shape': (2, 3)}")
                .find("expected True or False"), std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} junk")
                .find("unexpected text after the header dict"), std::string::npos);
  EXPECT_NE(message("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)")
                .find("expected ','"), std::string::npos);
  // A v2 header claiming 4 GB is refused by its length, before anything is read.
  Bytes huge = npy_v2_or_3(2, kGoodDict, data);
  huge[8] = 0x00, huge[9] = 0xCA, huge[10] = 0x9A, huge[11] = 0x3B;   // 1000000000
  EXPECT_EQ(error_of(huge), "x.npy: .npy header length 1000000000 exceeds 65536 bytes");
}

// Seeded random damage to a valid file: each result is a clean Error or a tensor whose
// size matches its shape, never a crash (the sanitizer build makes overreads visible).
TEST(Npy, RandomDamageIsAnErrorOrAConsistentTensor) {
  std::mt19937 rng(314159);
  const Bytes original = npy_v1(kGoodDict, Bytes(24, 0x42));
  int errors = 0;
  for (int round = 0; round < 3000; ++round) {
    Bytes bytes = original;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      bytes[rng() % bytes.size()] = static_cast<std::uint8_t>(rng());
    }
    if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
    try {
      const Tensor t = parse_npy(bytes, "x.npy");
      EXPECT_EQ(t.bytes(), static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype()));
    } catch (const Error&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 1000);   // most damage must be noticed
}

TEST(Npy, FilesOnDisk) {
  ScratchDirectory dir;
  EXPECT_THROW(read_npy(dir / "missing.npy"), Error);
  try {
    read_npy(dir / "missing.npy");
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), dir / "missing.npy" + ": cannot open: No such file or "
                                                                "directory");
  }
  const std::string fifo = dir / "fifo.npy";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ::alarm(10);   // a blocking open would hang; the alarm turns that into a failure
  try {
    read_npy(fifo);
    ADD_FAILURE() << "a FIFO was read";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), fifo + ": not a regular file (fifo)");
  }
  ::alarm(0);
  try {
    read_npy(dir.path());
    ADD_FAILURE() << "a directory was read";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()), dir.path() + ": not a regular file (directory)");
  }
  write_bytes(dir / "short.npy", npy_v1(kGoodDict, Bytes(20, 1)));
  try {
    read_npy(dir / "short.npy");
    ADD_FAILURE() << "a short file was read";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              dir / "short.npy" + ": expected 24 bytes of data, file has 20");
  }
}

TEST(Npy, LargeFileAndAtomicOverwrite) {
  ScratchDirectory dir;
  std::mt19937 rng(99);
  const Tensor big = random_tensor(DType::F32, {3, 256, 257}, rng);   // larger than the prefix
  const std::string path = dir / "big.npy";
  write_npy(path, Tensor(DType::I32, {4}));
  write_npy(path, big);
  const Tensor read = read_npy(path);
  ASSERT_EQ(read.bytes(), big.bytes());
  EXPECT_EQ(std::memcmp(read.raw(), big.raw(), big.bytes()), 0);
  std::vector<std::string> names;   // no temporary file left behind
  for (const auto& item : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(item.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"big.npy"});
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
}

}  // namespace
}  // namespace tandem
