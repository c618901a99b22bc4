#pragma once
#include <cstdint>
#include <span>

namespace tandem {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 and
// LevelDB. Chosen over CRC-32 for its better error detection on the burst patterns torn
// writes produce; software slicing-by-8, so results never depend on the CPU.
// `crc` continues a running checksum: crc32c(b, crc32c(a)) == crc32c(a followed by b).
std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

}  // namespace tandem
