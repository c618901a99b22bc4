// `tandem cache inspect` and `verify` on sound and damaged files: inspect lists the header
// and every entry with its own validity even when the file does not load as a whole, and
// verify exits non-zero on any defect with one line naming the file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/cache/cache_file.h"
#include "core/cache/cache_format.h"
#include "tests/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using tandem::CacheEntry;
using tandem::CacheFileHeader;

CacheFileHeader header() {
  CacheFileHeader h;
  h.kind = "opencl-programs";
  h.engine_version = "0.1.0";
  h.identity = {{"device_name", "cpu-test"}, {"driver_version", "5.0"}};
  return h;
}

std::vector<CacheEntry> entries() {
  const std::string binary =
      "\x7f"
      "ELF binary bytes\x01\x02";
  const std::string choice = "64,1,1";
  return {{"program|eltwise.cl|0123456789abcdef|-cl-std=CL1.2",
           std::vector<std::uint8_t>(binary.begin(), binary.end()), 1700000000},
          {"tuning|unary|eltwise.cl|0123456789abcdef|-cl-std=CL1.2|1:3031x1x1",
           std::vector<std::uint8_t>(choice.begin(), choice.end()), 1700000001}};
}

// Offset of entry 0's payload, from the documented layout.
std::size_t first_payload_offset() {
  return tandem::kCachePreambleBytes + tandem::serialized_header_body_bytes(header()) + 4 + 4 + 4 +
         entries()[0].key.size() + 8 + 8 + 4;
}

class CacheInspectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tandem-inspect-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  fs::path dir_;
};

TEST_F(CacheInspectCli, SoundFileShowsEveryEntryAndTuningChoice) {
  const std::string path = write("sound.bin", tandem::serialize_cache(header(), entries()));
  const CliResult text = run_tandem("cache inspect " + path);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("header valid"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("entry tuning|unary|eltwise.cl|0123456789abcdef|-cl-std=CL1.2|1:3031x1x1:"
                          " 6 bytes, valid = 64,1,1"),
            std::string::npos)
      << text.out;
  EXPECT_EQ(text.out.find("defect"), std::string::npos) << text.out;
  const CliResult json = run_tandem("cache inspect --json " + path);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json r = nlohmann::json::parse(json.out);
  EXPECT_EQ(r["status"], "valid");
  ASSERT_EQ(r["entries"].size(), 2u);
  EXPECT_EQ(r["entries"][1]["text"], "64,1,1");
  EXPECT_FALSE(r["entries"][0].contains("text"));  // a binary is not shown as text
  EXPECT_TRUE(r["defects"].empty());
  const CliResult verify = run_tandem("cache verify " + path);
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_F(CacheInspectCli, DamagedEntryIsMarkedAndTheOthersStillShown) {
  std::vector<std::uint8_t> bytes = tandem::serialize_cache(header(), entries());
  bytes[first_payload_offset() + 3] ^= 0x40;
  const std::string path = write("damaged.bin", bytes);
  const CliResult json = run_tandem("cache inspect --json " + path);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json r = nlohmann::json::parse(json.out);
  EXPECT_EQ(r["status"], "corrupt");
  EXPECT_EQ(r["header_valid"], true);
  ASSERT_EQ(r["entries"].size(), 2u);
  EXPECT_EQ(r["entries"][0]["valid"], false);
  EXPECT_EQ(r["entries"][0]["reason"], "checksum mismatch");
  EXPECT_EQ(r["entries"][1]["valid"], true);
  EXPECT_EQ(r["defects"].size(), 2u);  // the entry and the file checksum
  const CliResult text = run_tandem("cache inspect " + path);
  EXPECT_NE(text.out.find("INVALID (checksum mismatch)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("1:3031x1x1: 6 bytes, valid"), std::string::npos) << text.out;
  const CliResult verify = run_tandem("cache verify " + path);
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_EQ(count_lines(verify.err), 1) << verify.err;
  EXPECT_NE(verify.err.find("damaged.bin"), std::string::npos) << verify.err;
  EXPECT_NE(verify.err.find("checksum mismatch"), std::string::npos) << verify.err;
}

TEST_F(CacheInspectCli, BadHeaderChecksumStillListsEntries) {
  std::vector<std::uint8_t> bytes = tandem::serialize_cache(header(), entries());
  bytes[tandem::kCachePreambleBytes + 6] ^= 0x01;  // inside the kind string
  const std::string path = write("header.bin", bytes);
  const CliResult json = run_tandem("cache inspect --json " + path);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json r = nlohmann::json::parse(json.out);
  EXPECT_EQ(r["header_valid"], false);
  EXPECT_NE(r["header_reason"].get<std::string>().find("header checksum mismatch"),
            std::string::npos);
  ASSERT_EQ(r["entries"].size(), 2u);
  EXPECT_EQ(r["entries"][0]["valid"], true);
  EXPECT_EQ(r["entries"][1]["valid"], true);
  EXPECT_NE(run_tandem("cache verify " + path).exit_code, 0);
}

TEST_F(CacheInspectCli, TruncatedFileShowsWhatPrecedesTheCut) {
  std::vector<std::uint8_t> bytes = tandem::serialize_cache(header(), entries());
  bytes.resize(bytes.size() - 8);  // inside the last payload
  const std::string path = write("cut.bin", bytes);
  const CliResult json = run_tandem("cache inspect --json " + path);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json r = nlohmann::json::parse(json.out);
  ASSERT_EQ(r["entries"].size(), 2u);
  EXPECT_EQ(r["entries"][0]["valid"], true);
  EXPECT_EQ(r["entries"][1]["valid"], false);
  EXPECT_NE(run_tandem("cache verify " + path).exit_code, 0);
}

}  // namespace
