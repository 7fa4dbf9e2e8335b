#include "base/coding.h"

namespace consulate {

void PutFixed32(std::string* dst, uint32_t value) {
  char buf[4];
  EncodeFixed32(buf, value);
  dst->append(buf, sizeof(buf));
}

void PutFixed64(std::string* dst, uint64_t value) {
  char buf[8];
  EncodeFixed64(buf, value);
  dst->append(buf, sizeof(buf));
}

char* EncodeVarint32(char* dst, uint32_t value) { return EncodeVarint64(dst, value); }

char* EncodeVarint64(char* dst, uint64_t value) {
  auto* p = reinterpret_cast<unsigned char*>(dst);
  while (value >= 0x80) {
    *p++ = static_cast<unsigned char>(value | 0x80);
    value >>= 7;
  }
  *p++ = static_cast<unsigned char>(value);
  return reinterpret_cast<char*>(p);
}

void PutVarint32(std::string* dst, uint32_t value) {
  char buf[kMaxVarint32Bytes];
  char* end = EncodeVarint32(buf, value);
  dst->append(buf, end - buf);
}

void PutVarint64(std::string* dst, uint64_t value) {
  char buf[kMaxVarint64Bytes];
  char* end = EncodeVarint64(buf, value);
  dst->append(buf, end - buf);
}

void PutLengthPrefixedString(std::string* dst, std::string_view value) {
  PutVarint32(dst, static_cast<uint32_t>(value.size()));
  dst->append(value.data(), value.size());
}

int VarintLength(uint64_t v) {
  int len = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++len;
  }
  return len;
}

namespace {

// Decodes up to max_bytes groups; the last group may only carry the bits that still fit in
// value_bits, so an over-long or overflowing varint is rejected instead of silently truncated.
const char* DecodeVarint(const char* p, const char* limit, int max_bytes, int value_bits,
                         uint64_t* value) {
  uint64_t result = 0;
  for (int i = 0; i < max_bytes && p < limit; ++i) {
    const uint64_t byte = static_cast<unsigned char>(*p++);
    const int shift = 7 * i;
    if (i == max_bytes - 1) {
      // Only value_bits - shift bits remain, and no continuation is allowed.
      const uint64_t remaining = static_cast<uint64_t>(value_bits - shift);
      if (byte >> remaining) return nullptr;
    }
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return p;
    }
  }
  return nullptr;
}

}  // namespace

const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* value) {
  uint64_t v = 0;
  const char* q = DecodeVarint(p, limit, kMaxVarint32Bytes, 32, &v);
  if (q != nullptr) *value = static_cast<uint32_t>(v);
  return q;
}

const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* value) {
  return DecodeVarint(p, limit, kMaxVarint64Bytes, 64, value);
}

bool GetFixed32(std::string_view* input, uint32_t* value) {
  if (input->size() < 4) return false;
  *value = DecodeFixed32(input->data());
  input->remove_prefix(4);
  return true;
}

bool GetFixed64(std::string_view* input, uint64_t* value) {
  if (input->size() < 8) return false;
  *value = DecodeFixed64(input->data());
  input->remove_prefix(8);
  return true;
}

bool GetVarint32(std::string_view* input, uint32_t* value) {
  const char* p = input->data();
  const char* limit = p + input->size();
  const char* q = GetVarint32Ptr(p, limit, value);
  if (q == nullptr) return false;
  input->remove_prefix(q - p);
  return true;
}

bool GetVarint64(std::string_view* input, uint64_t* value) {
  const char* p = input->data();
  const char* limit = p + input->size();
  const char* q = GetVarint64Ptr(p, limit, value);
  if (q == nullptr) return false;
  input->remove_prefix(q - p);
  return true;
}

bool GetLengthPrefixedString(std::string_view* input, std::string_view* result) {
  uint32_t len = 0;
  if (!GetVarint32(input, &len) || input->size() < len) return false;
  *result = input->substr(0, len);
  input->remove_prefix(len);
  return true;
}

}  // namespace consulate
