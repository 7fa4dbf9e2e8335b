// Binary encodings shared by every on-disk and on-wire format (house rule 4), after LevelDB's
// util/coding.h:
//   * Fixed-width integers are little-endian.
//   * Varints use 7 bits per byte, low groups first; the high bit of a byte means "more follows".
//     A varint32 takes at most 5 bytes, a varint64 at most 10.
//   * A length-prefixed string is a varint32 length followed by that many bytes.
// Put* functions append to a std::string. Get* functions consume from the front of a
// std::string_view and return false (leaving *input unspecified) when it is too short or malformed;
// they never read past the end of the view.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace consulate {

// Maximum encoded sizes.
inline constexpr int kMaxVarint32Bytes = 5;
inline constexpr int kMaxVarint64Bytes = 10;

void PutFixed32(std::string* dst, uint32_t value);
void PutFixed64(std::string* dst, uint64_t value);
void PutVarint32(std::string* dst, uint32_t value);
void PutVarint64(std::string* dst, uint64_t value);
// REQUIRES: value.size() <= UINT32_MAX
void PutLengthPrefixedString(std::string* dst, std::string_view value);

bool GetFixed32(std::string_view* input, uint32_t* value);
bool GetFixed64(std::string_view* input, uint64_t* value);
// Rejects varints longer than the maximum or whose value does not fit the type.
bool GetVarint32(std::string_view* input, uint32_t* value);
bool GetVarint64(std::string_view* input, uint64_t* value);
// On success *result points into the input's storage (no copy).
bool GetLengthPrefixedString(std::string_view* input, std::string_view* result);

// Number of bytes PutVarint64(v) appends.
int VarintLength(uint64_t v);

// Pointer-based variants: Encode* write into dst and return the byte past the last one written.
// REQUIRES: dst has room for kMaxVarint32Bytes / kMaxVarint64Bytes.
char* EncodeVarint32(char* dst, uint32_t value);
char* EncodeVarint64(char* dst, uint64_t value);
// Decode from [p, limit); return the byte past the varint, or nullptr if malformed or truncated.
const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* value);
const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* value);

// REQUIRES: dst has room for 4 (resp. 8) bytes.
inline void EncodeFixed32(char* dst, uint32_t value) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}
inline void EncodeFixed64(char* dst, uint64_t value) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}
// REQUIRES: ptr points at 4 (resp. 8) readable bytes.
inline uint32_t DecodeFixed32(const char* ptr) {
  const auto* p = reinterpret_cast<const unsigned char*>(ptr);
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t DecodeFixed64(const char* ptr) {
  return static_cast<uint64_t>(DecodeFixed32(ptr)) |
         (static_cast<uint64_t>(DecodeFixed32(ptr + 4)) << 32);
}

}  // namespace consulate
