// The forgiving walk behind `tandem cache inspect`: every entry of a damaged file is listed
// with its own validity, and every defect is reported, where the strict reader stops.
#include "core/cache/cache_inspect.h"

#include <gtest/gtest.h>

#include <random>

#include "core/cache/cache_format.h"

namespace tandem {
namespace {

CacheFileHeader sample_header() {
  CacheFileHeader header;
  header.kind = "opencl-programs";
  header.engine_version = "0.1.0";
  header.identity = {{"device_name", "pocl-cpu"}, {"driver_version", "5.0"}};
  return header;
}

std::vector<CacheEntry> sample_entries() {
  std::mt19937 rng(71);
  std::vector<CacheEntry> entries;
  for (int i = 0; i < 3; ++i) {
    CacheEntry entry;
    entry.key = "program|k" + std::to_string(i) + ".cl|00|";
    entry.payload.resize(20 + 7 * static_cast<std::size_t>(i));
    for (std::uint8_t& byte : entry.payload) byte = static_cast<std::uint8_t>(rng());
    entry.last_used = 1700000000 + i;
    entries.push_back(entry);
  }
  return entries;
}

// Where entry `index` starts in the serialized sample, from the documented layout.
std::size_t entry_offset(std::size_t index) {
  std::size_t offset = kCachePreambleBytes + serialized_header_body_bytes(sample_header()) + 4 + 4;
  const std::vector<CacheEntry> entries = sample_entries();
  for (std::size_t i = 0; i < index; ++i) offset += serialized_entry_bytes(entries[i]);
  return offset;
}

std::size_t payload_offset(std::size_t index) {
  return entry_offset(index) + 4 + sample_entries()[index].key.size() + 8 + 8 + 4;
}

std::vector<std::uint8_t> sample_bytes() {
  return serialize_cache(sample_header(), sample_entries());
}

bool mentions(const std::vector<std::string>& defects, const std::string& text) {
  for (const std::string& defect : defects) {
    if (defect.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(CacheInspect, SoundFileHasNoDefects) {
  const CacheFileHeader header = sample_header();
  const CacheInspection inspection = inspect_cache_bytes(sample_bytes(), &header);
  EXPECT_TRUE(inspection.defects.empty()) << inspection.defects.front();
  EXPECT_TRUE(inspection.header_valid);
  EXPECT_EQ(inspection.header.identity, header.identity);
  ASSERT_EQ(inspection.entries.size(), 3u);
  const std::vector<CacheEntry> entries = sample_entries();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(inspection.entries[i].valid) << inspection.entries[i].reason;
    EXPECT_EQ(inspection.entries[i].key, entries[i].key);
    EXPECT_EQ(inspection.entries[i].payload, entries[i].payload);
    EXPECT_EQ(inspection.entries[i].last_used, entries[i].last_used);
  }
}

TEST(CacheInspect, OneDamagedPayloadMarksOnlyThatEntry) {
  std::vector<std::uint8_t> bytes = sample_bytes();
  bytes[payload_offset(1) + 5] ^= 0x10;
  const CacheInspection inspection = inspect_cache_bytes(bytes, nullptr);
  ASSERT_EQ(inspection.entries.size(), 3u);
  EXPECT_TRUE(inspection.entries[0].valid);
  EXPECT_FALSE(inspection.entries[1].valid);
  EXPECT_EQ(inspection.entries[1].reason, "checksum mismatch");
  EXPECT_TRUE(inspection.entries[2].valid);
  EXPECT_TRUE(inspection.header_valid);
  EXPECT_TRUE(mentions(inspection.defects, "entry 1 ('program|k1.cl|00|') checksum mismatch"));
  EXPECT_TRUE(mentions(inspection.defects, "file checksum mismatch"));
  EXPECT_EQ(inspection.defects.size(), 2u);
}

TEST(CacheInspect, BadHeaderChecksumStillListsEntries) {
  std::vector<std::uint8_t> bytes = sample_bytes();
  bytes[entry_offset(0) - 20] ^= 0x01;  // inside the key "driver_version"
  const CacheInspection inspection = inspect_cache_bytes(bytes, nullptr);
  EXPECT_FALSE(inspection.header_valid);
  EXPECT_NE(inspection.header_reason.find("header checksum mismatch"), std::string::npos)
      << inspection.header_reason;
  ASSERT_EQ(inspection.entries.size(), 3u);
  for (const InspectedEntry& entry : inspection.entries) EXPECT_TRUE(entry.valid) << entry.reason;
}

TEST(CacheInspect, BadMagicStillListsEntries) {
  std::vector<std::uint8_t> bytes = sample_bytes();
  bytes[0] = 'X';
  const CacheInspection inspection = inspect_cache_bytes(bytes, nullptr);
  EXPECT_EQ(inspection.header_reason, "bad magic");
  EXPECT_EQ(inspection.entries.size(), 3u);
}

TEST(CacheInspect, WrongDeviceListsEveryDifferingField) {
  CacheFileHeader expected = sample_header();
  expected.identity[0].second = "other-device";
  expected.identity[1].second = "6.0";
  const CacheInspection inspection = inspect_cache_bytes(sample_bytes(), &expected);
  EXPECT_TRUE(inspection.header_valid);
  EXPECT_TRUE(mentions(inspection.defects, "device_name pocl-cpu != other-device"));
  EXPECT_TRUE(mentions(inspection.defects, "driver_version 5.0 != 6.0"));
  EXPECT_EQ(inspection.entries.size(), 3u);
}

TEST(CacheInspect, TruncatedFileListsEntriesBeforeTheCut) {
  std::vector<std::uint8_t> bytes = sample_bytes();
  bytes.resize(payload_offset(2) + 3);
  const CacheInspection inspection = inspect_cache_bytes(bytes, nullptr);
  ASSERT_EQ(inspection.entries.size(), 3u);
  EXPECT_TRUE(inspection.entries[0].valid);
  EXPECT_TRUE(inspection.entries[1].valid);
  EXPECT_FALSE(inspection.entries[2].valid);
  EXPECT_NE(inspection.entries[2].reason.find("runs past the end"), std::string::npos);
  EXPECT_EQ(inspection.defects.size(), 1u) << inspection.defects.back();
}

TEST(CacheInspect, AbsurdEntryCountEndsAtTheData) {
  std::vector<std::uint8_t> bytes = sample_bytes();
  bytes[entry_offset(0) - 4] = 0xe8;  // 1000 entries declared
  bytes[entry_offset(0) - 3] = 0x03;
  const CacheInspection inspection = inspect_cache_bytes(bytes, nullptr);
  EXPECT_EQ(inspection.declared_entries, 1000u);
  EXPECT_EQ(inspection.entries.size(), 3u);
  EXPECT_TRUE(mentions(inspection.defects, "file ends after 3 of 1000 entries"));
}

TEST(CacheInspect, RepeatedKeyIsInvalid) {
  // serialize_cache refuses repeated keys, so splice entry 0's key bytes into entry 2 by hand.
  std::vector<std::uint8_t> bytes = sample_bytes();
  const std::string key = sample_entries()[0].key;
  std::copy(key.begin(), key.end(), bytes.begin() + static_cast<long>(entry_offset(2) + 4));
  const CacheInspection inspection = inspect_cache_bytes(bytes, nullptr);
  ASSERT_EQ(inspection.entries.size(), 3u);
  EXPECT_FALSE(inspection.entries[2].valid);
  EXPECT_EQ(inspection.entries[2].reason, "repeats the key of entry 0");
}

TEST(CacheInspect, EmptyAndTinyFiles) {
  EXPECT_EQ(inspect_cache_bytes({}, nullptr).header_reason, "empty file");
  const std::vector<std::uint8_t> bytes = sample_bytes();
  const CacheInspection tiny =
      inspect_cache_bytes(std::span<const std::uint8_t>(bytes).first(5), nullptr);
  EXPECT_FALSE(tiny.header_valid);
  EXPECT_TRUE(tiny.entries.empty());
  EXPECT_FALSE(tiny.defects.empty());
}

}  // namespace
}  // namespace tandem
