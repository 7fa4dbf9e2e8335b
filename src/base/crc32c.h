// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), as used by LevelDB, iSCSI and
// ext4. Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at run time), otherwise
// a slicing-by-8 table. Thread-safe: all functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace consulate::crc32c {

// Returns the crc32c of concat(A, data[0, n)), where init_crc is the crc32c of some string A.
// Extend(0, ...) starts a new checksum.
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);
inline uint32_t Extend(uint32_t init_crc, std::string_view data) {
  return Extend(init_crc, data.data(), data.size());
}

// The crc32c of data[0, n).
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

// Computing the CRC of a string that itself contains embedded CRCs is problematic, so files store
// masked CRCs (LevelDB's scheme: rotate right by 15 bits and add a constant).
inline constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
// Inverse of Mask.
inline uint32_t Unmask(uint32_t masked_crc) {
  const uint32_t rot = masked_crc - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

namespace internal {
// Both implementations, exposed so tests can check that they agree.
uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n);
// REQUIRES: HardwareAvailable()
uint32_t ExtendHardware(uint32_t init_crc, const char* data, size_t n);
bool HardwareAvailable();
}  // namespace internal

}  // namespace consulate::crc32c
