#include "core/cache/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace tandem {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// The textbook bit-at-a-time definition, independent of the table-driven code under test.
std::uint32_t crc32c_bitwise(std::span<const std::uint8_t> bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::uint8_t byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
  }
  return ~crc;
}

TEST(Crc32c, PublishedCheckValue) {
  // The "check" value of CRC-32C in the CRC catalogue (reveng): crc("123456789").
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c({}), 0u);
}

TEST(Crc32c, Rfc3720Vectors) {
  // RFC 3720 (iSCSI) appendix B.4: 32 bytes of zeros, of ones, ascending and descending.
  std::vector<std::uint8_t> zeros(32, 0x00), ones(32, 0xFF), up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = static_cast<std::uint8_t>(i);
    down[i] = static_cast<std::uint8_t>(31 - i);
  }
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c(up), 0x46DD794Eu);
  EXPECT_EQ(crc32c(down), 0x113FDB5Cu);
}

TEST(Crc32c, MatchesBitwiseDefinitionOnRandomData) {
  std::mt19937 rng(20240611);
  for (std::size_t length = 0; length < 200; ++length) {
    std::vector<std::uint8_t> data(length);
    for (auto& byte : data) byte = static_cast<std::uint8_t>(rng());
    EXPECT_EQ(crc32c(data), crc32c_bitwise(data)) << "length " << length;
  }
}

TEST(Crc32c, ContinuesARunningChecksum) {
  std::mt19937 rng(7);
  std::vector<std::uint8_t> data(1000);
  for (auto& byte : data) byte = static_cast<std::uint8_t>(rng());
  const std::span<const std::uint8_t> all(data);
  for (std::size_t split : {0u, 1u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
    EXPECT_EQ(crc32c(all.subspan(split), crc32c(all.first(split))), crc32c(all))
        << "split at " << split;
  }
}

}  // namespace
}  // namespace tandem
