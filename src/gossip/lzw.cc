#include "gossip/lzw.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace consulate::gossip::lzw {

namespace {

constexpr uint32_t kClear = 256;
constexpr uint32_t kEof = 257;
constexpr uint32_t kMaxCode = (1u << 12) - 1;  // 4095
constexpr unsigned kMaxWidth = 12;

class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  void Write(uint32_t code, unsigned width) {
    bits_ |= code << n_bits_;
    n_bits_ += width;
    while (n_bits_ >= 8) {
      out_->push_back(static_cast<char>(bits_ & 0xff));
      bits_ >>= 8;
      n_bits_ -= 8;
    }
  }
  void Flush() {
    if (n_bits_ > 0) out_->push_back(static_cast<char>(bits_ & 0xff));
  }

 private:
  std::string* out_;
  uint32_t bits_ = 0;
  unsigned n_bits_ = 0;
};

}  // namespace

std::string Compress(std::string_view input) {
  std::string out;
  BitWriter bw(&out);
  // The table maps (prefix code << 8 | next byte) to the code for that string. "hi" is the last
  // code assigned; the width grows when hi reaches `overflow`, as in Go's incHi.
  std::unordered_map<uint32_t, uint32_t> table;
  unsigned width = 9;
  uint32_t hi = kEof;
  uint32_t overflow = 1u << 9;
  // Go's incHi: returns true when the table just filled and a clear was emitted.
  auto inc_hi = [&]() {
    ++hi;
    if (hi == overflow) {
      ++width;
      overflow <<= 1;
    }
    if (hi == kMaxCode) {
      bw.Write(kClear, width);
      width = 9;
      hi = kEof;
      overflow = 1u << 9;
      table.clear();
      return true;
    }
    return false;
  };

  bw.Write(kClear, width);
  if (input.empty()) {
    // Go's Close on a writer that saw no data: a clear (already written above, as Close writes it
    // when savedCode is invalid) then eof.
    bw.Write(kEof, width);
    bw.Flush();
    return out;
  }
  uint32_t code = static_cast<uint8_t>(input[0]);
  for (size_t i = 1; i < input.size(); ++i) {
    const uint32_t literal = static_cast<uint8_t>(input[i]);
    const uint32_t key = (code << 8) | literal;
    if (auto it = table.find(key); it != table.end()) {
      code = it->second;
      continue;
    }
    bw.Write(code, width);
    code = literal;
    if (inc_hi()) continue;  // table was reset; the new string is not recorded
    table.emplace(key, hi);
  }
  bw.Write(code, width);
  inc_hi();
  bw.Write(kEof, width);
  bw.Flush();
  return out;
}

Result<std::string> Decompress(std::string_view input, size_t max_output) {
  std::string out;
  // prefix[c], suffix[c]: code c (>= 258) is the string of code prefix[c] followed by suffix[c].
  std::vector<uint16_t> prefix(1u << kMaxWidth, 0);
  std::vector<uint8_t> suffix(1u << kMaxWidth, 0);
  std::string scratch;  // one code's expansion, built backwards
  constexpr uint32_t kInvalid = 0xffff;
  unsigned width = 9;
  uint32_t hi = kEof, overflow = 1u << 9, last = kInvalid;
  uint32_t bits = 0;
  unsigned n_bits = 0;
  size_t pos = 0;

  // First byte of the string for code c (c valid and < hi).
  auto first_byte = [&](uint32_t c) {
    while (c >= kClear) c = prefix[c];
    return static_cast<uint8_t>(c);
  };

  for (;;) {
    while (n_bits < width) {
      if (pos >= input.size()) return Status::Corruption("lzw: stream ends before the eof code");
      bits |= static_cast<uint32_t>(static_cast<uint8_t>(input[pos++])) << n_bits;
      n_bits += 8;
    }
    const uint32_t code = bits & ((1u << width) - 1);
    bits >>= width;
    n_bits -= width;

    if (code == kClear) {
      width = 9;
      hi = kEof;
      overflow = 1u << 9;
      last = kInvalid;
      continue;
    }
    if (code == kEof) return out;
    if (code > hi || (code == hi && last == kInvalid)) {
      return Status::Corruption("lzw: invalid code");
    }
    // Expand `code`. The code == hi case (KwKwK) is the string of `last` plus its own first byte.
    scratch.clear();
    uint32_t c = code;
    if (code == hi) {
      scratch.push_back(static_cast<char>(first_byte(last)));
      c = last;
    }
    while (c >= kClear) {
      scratch.push_back(static_cast<char>(suffix[c]));
      c = prefix[c];
    }
    scratch.push_back(static_cast<char>(c));
    if (out.size() + scratch.size() > max_output) {
      return Status::TooLarge("lzw: decompressed data over the limit");
    }
    out.append(scratch.rbegin(), scratch.rend());
    if (last != kInvalid) {
      // The new entry is last's string plus the first byte of this code's string.
      suffix[hi] = static_cast<uint8_t>(c);
      prefix[hi] = static_cast<uint16_t>(last);
    }
    last = code;
    ++hi;
    if (hi >= overflow) {
      if (width == kMaxWidth) {
        // Table full: stop adding entries until the writer sends a clear.
        last = kInvalid;
        --hi;
      } else {
        ++width;
        overflow <<= 1;
      }
    }
  }
}

}  // namespace consulate::gossip::lzw
