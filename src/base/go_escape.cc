#include "base/go_escape.h"

namespace consulate {

void AppendUtf8(std::string* out, uint32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

bool DecodeGoEscape(std::string_view* s, std::string* out) {
  if (s->empty()) return false;
  const char e = (*s)[0];
  s->remove_prefix(1);
  switch (e) {
    case 'a':
      out->push_back('\a');
      return true;
    case 'b':
      out->push_back('\b');
      return true;
    case 'f':
      out->push_back('\f');
      return true;
    case 'n':
      out->push_back('\n');
      return true;
    case 'r':
      out->push_back('\r');
      return true;
    case 't':
      out->push_back('\t');
      return true;
    case 'v':
      out->push_back('\v');
      return true;
    case '\\':
      out->push_back('\\');
      return true;
    case '"':
      out->push_back('"');
      return true;
    case 'x':
    case 'u':
    case 'U': {
      const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (s->size() < n) return false;
      uint32_t v = 0;
      for (size_t k = 0; k < n; ++k) {
        char h = (*s)[k];
        int digit = 0;
        if (h >= '0' && h <= '9')
          digit = h - '0';
        else if (h >= 'a' && h <= 'f')
          digit = h - 'a' + 10;
        else if (h >= 'A' && h <= 'F')
          digit = h - 'A' + 10;
        else
          return false;
        v = (v << 4) | static_cast<uint32_t>(digit);
      }
      s->remove_prefix(n);
      if (e == 'x') {
        out->push_back(static_cast<char>(v));  // a raw byte, as Go's \x is
        return true;
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
      AppendUtf8(out, v);
      return true;
    }
    default: {
      if (e < '0' || e > '7' || s->size() < 2) return false;
      uint32_t v = static_cast<uint32_t>(e - '0');
      for (size_t k = 0; k < 2; ++k) {
        char d = (*s)[k];
        if (d < '0' || d > '7') return false;
        v = (v << 3) | static_cast<uint32_t>(d - '0');
      }
      if (v > 255) return false;
      s->remove_prefix(2);
      out->push_back(static_cast<char>(v));
      return true;
    }
  }
}

}  // namespace consulate
