#include "base/base64.h"

#include <array>
#include <cstdint>

namespace consulate {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xff;
constexpr char kPad = '=';

constexpr std::array<uint8_t, 256> MakeDecodeMap() {
  std::array<uint8_t, 256> map{};
  for (auto& v : map) v = kInvalid;
  for (int i = 0; i < 64; ++i) map[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  return map;
}
constexpr std::array<uint8_t, 256> kDecodeMap = MakeDecodeMap();

Status IllegalAt(size_t offset) {
  return Status::InvalidArgument("illegal base64 data at input byte " + std::to_string(offset));
}

bool IsNewline(char c) { return c == '\n' || c == '\r'; }

// Decodes one group of up to four symbols starting at `*pos`, appending its bytes to `out`. Mirrors
// Go's decodeQuantum, including which offset an error names. Returns OK with nothing appended at
// end of input. `*done` is set once padding (the end of the data) was seen.
Status DecodeQuantum(std::string_view src, size_t* pos, std::string* out, bool* done) {
  uint8_t sextets[4] = {0, 0, 0, 0};
  size_t symbols = 4;  // symbols in this group that carry data
  size_t si = *pos;
  Status trailing;
  for (size_t j = 0; j < 4; ++j) {
    if (si == src.size()) {
      if (j == 0) {
        *pos = si;
        *done = true;
        return Status::OK();
      }
      // Padding is mandatory, so a short final group is an error at its start.
      *pos = si;
      return IllegalAt(si - j);
    }
    char in = src[si];
    ++si;
    uint8_t v = kDecodeMap[static_cast<uint8_t>(in)];
    if (v != kInvalid) {
      sextets[j] = v;
      continue;
    }
    if (IsNewline(in)) {
      --j;  // newlines are skipped wherever they appear
      continue;
    }
    if (in != kPad) {
      *pos = si;
      return IllegalAt(si - 1);
    }
    // Padding: only valid as the third or fourth symbol of the final group.
    if (j == 0 || j == 1) {
      *pos = si;
      return IllegalAt(si - 1);
    }
    if (j == 2) {
      // "==" expected; the first '=' is consumed.
      while (si < src.size() && IsNewline(src[si])) ++si;
      if (si == src.size()) {
        *pos = si;
        return IllegalAt(src.size());
      }
      if (src[si] != kPad) {
        *pos = si;
        return IllegalAt(si - 1);
      }
      ++si;
    }
    while (si < src.size() && IsNewline(src[si])) ++si;
    if (si < src.size()) trailing = IllegalAt(si);  // garbage after the padding
    symbols = j;
    *done = true;
    break;
  }
  uint32_t val = (uint32_t{sextets[0]} << 18) | (uint32_t{sextets[1]} << 12) |
                 (uint32_t{sextets[2]} << 6) | uint32_t{sextets[3]};
  const char bytes[3] = {static_cast<char>(val >> 16), static_cast<char>(val >> 8),
                         static_cast<char>(val)};
  // Go's StdEncoding is not strict: stray low bits in the last symbol are ignored.
  out->append(bytes, symbols - 1);
  *pos = si;
  return trailing;
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<uint8_t>(data[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(data[i + 1])} << 8) |
                 uint32_t{static_cast<uint8_t>(data[i + 2])};
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{static_cast<uint8_t>(data[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<uint8_t>(data[i + 1])} << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : kPad;
    out += kPad;
  }
  return out;
}

Status Base64Decode(std::string_view text, std::string* out) {
  out->clear();
  out->reserve(text.size() / 4 * 3);
  size_t pos = 0;
  bool done = false;
  while (pos < text.size() && !done) {
    CONSULATE_RETURN_IF_ERROR(DecodeQuantum(text, &pos, out, &done));
  }
  return Status::OK();
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string out;
  Status s = Base64Decode(text, &out);
  if (!s.ok()) return s;
  return out;
}

}  // namespace consulate
