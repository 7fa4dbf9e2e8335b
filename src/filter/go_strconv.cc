#include "filter/go_strconv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "base/go_escape.h"

namespace consulate::filter {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Go's unicode.IsPrint, approximated: Go consults the Unicode tables; we know the control and
// space-like ranges that matter for quoting error messages and treat the rest as printable.
bool IsPrint(char32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r < 0x7F) return true;
  if (r < 0xA1) return false;   // C1 controls and U+00A0 (a space that is not ASCII space)
  if (r == 0xAD) return false;  // soft hyphen (Cf)
  if ((r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
      (r >= 0x205F && r <= 0x206F)) {
    return false;
  }
  if (r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) || r == 0xFFFE || r == 0xFFFF)
    return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;  // private use
  if (r >= 0xF0000) return false;                // supplementary private use planes
  return true;
}

std::string NumError(std::string_view fn, std::string_view input, std::string_view what) {
  std::string msg = "strconv.";
  msg.append(fn);
  msg += ": parsing ";
  msg += GoQuote(input);
  msg += ": ";
  msg.append(what);
  return msg;
}
constexpr std::string_view kSyntax = "invalid syntax";
constexpr std::string_view kRange = "value out of range";

// Go's underscoreOK: underscores may only separate digits (a base prefix counts as a digit).
bool UnderscoreOK(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// ParseUint's body; `fn` and `report` name the Go function and input that errors mention.
enum class UintResult { kOk, kSyntax, kRange };
UintResult ParseUintBody(std::string_view s, int bits, uint64_t* out) {
  if (s.empty()) return UintResult::kSyntax;
  std::string_view original = s;
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && Lower(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  const uint64_t max_value = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const uint64_t cutoff = ~uint64_t{0} / static_cast<uint64_t>(base) + 1;
  bool underscores = false;
  uint64_t n = 0;
  for (char c : s) {
    int digit = 0;
    if (c == '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (Lower(c) >= 'a' && Lower(c) <= 'z') {
      digit = Lower(c) - 'a' + 10;
    } else {
      return UintResult::kSyntax;
    }
    if (digit >= base) return UintResult::kSyntax;
    if (n >= cutoff) {
      *out = max_value;
      return UintResult::kRange;
    }
    n *= static_cast<uint64_t>(base);
    uint64_t next = n + static_cast<uint64_t>(digit);
    if (next < n || next > max_value) {
      *out = max_value;
      return UintResult::kRange;
    }
    n = next;
  }
  if (underscores && !UnderscoreOK(original)) return UintResult::kSyntax;
  *out = n;
  return UintResult::kOk;
}

// Go's special(): "inf", "infinity" (optionally signed) and "nan", case-insensitively.
bool ParseSpecial(std::string_view s, double* out) {
  auto prefix_len = [](std::string_view a, std::string_view b) {
    size_t n = 0;
    while (n < a.size() && n < b.size() && Lower(a[n]) == b[n]) ++n;
    return n;
  };
  if (s.empty()) return false;
  double sign = 1;
  size_t consumed = 0;
  char c = s[0];
  if (c == '+' || c == '-') {
    if (c == '-') sign = -1;
    consumed = 1;
    s.remove_prefix(1);
    c = s.empty() ? '\0' : s[0];
    if (c != 'i' && c != 'I') return false;
  }
  if (c == 'i' || c == 'I') {
    size_t n = prefix_len(s, "infinity");
    if (n > 3 && n < 8) n = 3;
    if ((n == 3 || n == 8) && consumed + n == consumed + s.size()) {
      *out = sign * HUGE_VAL;
      return true;
    }
    return false;
  }
  if ((c == 'n' || c == 'N') && consumed == 0 && s.size() == 3 && prefix_len(s, "nan") == 3) {
    *out = std::nan("");
    return true;
  }
  return false;
}

// Go's readFloat syntax check (the value itself comes from strtod). Returns true when all of `s`
// is one well-formed decimal or hexadecimal floating-point literal.
bool WellFormedFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  bool hex = false;
  if (i + 2 < s.size() && s[i] == '0' && Lower(s[i + 1]) == 'x') {
    hex = true;
    i += 2;
  }
  bool underscores = false, saw_dot = false, saw_digits = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
    } else if (c == '.') {
      if (saw_dot) break;
      saw_dot = true;
    } else if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw_digits = true;
    } else {
      break;
    }
  }
  if (!saw_digits) return false;
  char exp_char = hex ? 'p' : 'e';
  if (i < s.size() && Lower(s[i]) == exp_char) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); ++i) {
      if (s[i] == '_') underscores = true;
    }
  } else if (hex) {
    return false;  // a hexadecimal mantissa needs a 'p' exponent
  }
  if (underscores && !UnderscoreOK(s.substr(0, i))) return false;
  return i == s.size();
}

}  // namespace

DecodedRune DecodeRune(std::string_view s, size_t offset) {
  if (offset >= s.size()) return {kRuneError, 0};
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[offset + k]); };
  size_t left = s.size() - offset;
  unsigned char b0 = b(0);
  if (b0 < 0x80) return {b0, 1};
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (left >= 2 && IsContinuation(b(1)))
      return {static_cast<char32_t>(((b0 & 0x1F) << 6) | (b(1) & 0x3F)), 2};
    return {kRuneError, 1};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3) return {kRuneError, 1};
    unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
    if (b(1) < lo || b(1) > hi || !IsContinuation(b(2))) return {kRuneError, 1};
    return {static_cast<char32_t>(((b0 & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F)), 3};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4) return {kRuneError, 1};
    unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (b(1) < lo || b(1) > hi || !IsContinuation(b(2)) || !IsContinuation(b(3)))
      return {kRuneError, 1};
    return {static_cast<char32_t>(((b0 & 0x07) << 18) | ((b(1) & 0x3F) << 12) |
                                  ((b(2) & 0x3F) << 6) | (b(3) & 0x3F)),
            4};
  }
  return {kRuneError, 1};
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    DecodedRune d = DecodeRune(s, i);
    if (d.rune == kRuneError && d.width == 1) {
      unsigned char byte = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out.push_back(kHexDigits[byte >> 4]);
      out.push_back(kHexDigits[byte & 0xF]);
      i += 1;
      continue;
    }
    char32_t r = d.rune;
    i += static_cast<size_t>(d.width);
    if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
    } else if (IsPrint(r)) {
      consulate::AppendUtf8(&out, r);
    } else {
      switch (r) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default: {
          int digits = 0;
          if (r < ' ' || r == 0x7F) {
            out += "\\x";
            digits = 2;
          } else if (r < 0x10000) {
            out += "\\u";
            digits = 4;
          } else {
            out += "\\U";
            digits = 8;
          }
          for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            out.push_back(kHexDigits[(r >> shift) & 0xF]);
        }
      }
    }
  }
  out.push_back('"');
  return out;
}

bool GoUnquote(std::string_view literal, std::string* out) {
  if (literal.size() < 2) return false;
  char quote = literal.front();
  if (quote != literal.back()) return false;
  std::string_view s = literal.substr(1, literal.size() - 2);
  out->clear();
  if (quote == '`') {
    if (s.find('`') != std::string_view::npos) return false;
    for (char c : s) {
      if (c != '\r') out->push_back(c);  // Go drops carriage returns from raw strings
    }
    return true;
  }
  if (quote != '"') return false;
  if (s.find('\n') != std::string_view::npos) return false;
  while (!s.empty()) {
    unsigned char c = static_cast<unsigned char>(s[0]);
    if (c == '"') return false;
    if (c >= 0x80) {
      DecodedRune d = DecodeRune(s, 0);
      consulate::AppendUtf8(out, d.rune);  // an invalid byte becomes U+FFFD, as in Go
      s.remove_prefix(static_cast<size_t>(d.width));
      continue;
    }
    if (c != '\\') {
      out->push_back(static_cast<char>(c));
      s.remove_prefix(1);
      continue;
    }
    s.remove_prefix(1);                          // the backslash
    if (!DecodeGoEscape(&s, out)) return false;  // includes \' inside a double-quoted string
  }
  return true;
}

bool GoParseUint(std::string_view s, int bits, uint64_t* out, std::string* err) {
  uint64_t v = 0;
  switch (ParseUintBody(s, bits, &v)) {
    case UintResult::kOk:
      *out = v;
      return true;
    case UintResult::kSyntax:
      *err = NumError("ParseUint", s, kSyntax);
      return false;
    case UintResult::kRange:
      *err = NumError("ParseUint", s, kRange);
      return false;
  }
  return false;
}

bool GoParseInt(std::string_view s, int bits, int64_t* out, std::string* err) {
  if (s.empty()) {
    *err = NumError("ParseInt", s, kSyntax);
    return false;
  }
  std::string_view digits = s;
  bool negative = false;
  if (digits[0] == '+') {
    digits.remove_prefix(1);
  } else if (digits[0] == '-') {
    negative = true;
    digits.remove_prefix(1);
  }
  uint64_t magnitude = 0;
  UintResult r = ParseUintBody(digits, bits, &magnitude);
  if (r == UintResult::kSyntax) {
    *err = NumError("ParseInt", s, kSyntax);
    return false;
  }
  const uint64_t cutoff = uint64_t{1} << (bits - 1);
  if (r == UintResult::kRange || (!negative && magnitude >= cutoff) ||
      (negative && magnitude > cutoff)) {
    *err = NumError("ParseInt", s, kRange);
    return false;
  }
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

bool GoParseFloat(std::string_view s, int bits, double* out, std::string* err) {
  if (ParseSpecial(s, out)) return true;
  if (!WellFormedFloat(s)) {
    *err = NumError("ParseFloat", s, kSyntax);
    return false;
  }
  std::string clean;
  for (char c : s) {
    if (c != '_') clean.push_back(c);
  }
  errno = 0;
  double v = bits == 32 ? static_cast<double>(std::strtof(clean.c_str(), nullptr))
                        : std::strtod(clean.c_str(), nullptr);
  if (std::isinf(v)) {
    *err = NumError("ParseFloat", s, kRange);
    return false;
  }
  *out = v;
  return true;
}

bool GoParseBool(std::string_view s, bool* out, std::string* err) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    *out = false;
    return true;
  }
  *err = NumError("ParseBool", s, kSyntax);
  return false;
}

}  // namespace consulate::filter
