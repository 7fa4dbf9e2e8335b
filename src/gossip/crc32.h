// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum Go's crc32.ChecksumIEEE
// computes and memberlist puts in its hasCrcMsg packets. Not CRC32C (base/crc32c.h), which our own
// files use: memberlist peers would reject it.
#pragma once

#include <cstdint>
#include <string_view>

namespace consulate::gossip {

// Returns the CRC-32 of concat(A, data) where init is the CRC-32 of A (0 for a new checksum).
uint32_t Crc32Ieee(std::string_view data, uint32_t init = 0);

}  // namespace consulate::gossip
