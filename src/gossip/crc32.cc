#include "gossip/crc32.h"

#include <array>

namespace consulate::gossip {

namespace {

// Byte-at-a-time table: memberlist only checksums UDP packets (<= 64 KiB), so speed is moot.
constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

}  // namespace

uint32_t Crc32Ieee(std::string_view data, uint32_t init) {
  uint32_t crc = ~init;
  for (char ch : data) crc = kTable[(crc ^ static_cast<uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace consulate::gossip
