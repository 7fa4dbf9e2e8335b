// JSON config files parsed with Go's error messages. Consul reads them with encoding/json, whose
// scanner (encoding/json/scanner.go) words syntax errors as "invalid character '}' looking for
// beginning of object key string"; operators see those messages, so the validator below follows
// the scanner's states one for one. Boost.JSON then builds the value.
#include <boost/json/parser.hpp>

#include "config/internal.h"

namespace consulate::config::internal {
namespace json = boost::json;

namespace {

// Deeper documents are refused (Go allows 10000; the decoders after this one recurse).
constexpr size_t kMaxDepth = 1000;

// encoding/json's quoteChar: the byte as a Go-quoted character in single quotes.
std::string QuoteChar(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string s;
  switch (c) {
    case '\a':
      s = "\\a";
      break;
    case '\b':
      s = "\\b";
      break;
    case '\f':
      s = "\\f";
      break;
    case '\n':
      s = "\\n";
      break;
    case '\r':
      s = "\\r";
      break;
    case '\t':
      s = "\\t";
      break;
    case '\v':
      s = "\\v";
      break;
    case '\\':
      s = "\\\\";
      break;
    default:
      if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\x%02x", c);
        s = buf;
      } else if (c >= 0x80 && (c < 0xa0 || c == 0xad)) {
        // Go converts the byte to the rune U+00XX; these are not printable.
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        s = buf;
      } else if (c >= 0x80) {
        s.push_back(static_cast<char>(0xC0 | (c >> 6)));
        s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      } else {
        s.push_back(static_cast<char>(c));
      }
  }
  return "'" + s + "'";
}

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsHex(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

class GoScanner {
 public:
  explicit GoScanner(std::string_view s) : s_(s) {}

  // "" when valid.
  std::string Check() {
    if (!Value()) return err_;
    SkipSpace();
    if (i_ < s_.size()) return Invalid("after top-level value");
    return "";
  }

 private:
  bool Eof() {
    err_ = "unexpected end of JSON input";
    return false;
  }
  std::string Invalid(std::string_view context) {
    return "invalid character " + QuoteChar(s_[i_]) + " " + std::string(context);
  }
  bool Fail(std::string_view context) {
    err_ = Invalid(context);
    return false;
  }
  void SkipSpace() {
    while (i_ < s_.size() && IsSpace(s_[i_])) ++i_;
  }

  bool Value() {
    SkipSpace();
    if (i_ >= s_.size()) return Eof();
    unsigned char c = s_[i_];
    switch (c) {
      case '{':
        return Object();
      case '[':
        return Array();
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        if (c == '-' || IsDigit(c)) return Number();
        return Fail("looking for beginning of value");
    }
  }

  bool Object() {
    if (++depth_ > kMaxDepth) return Fail("exceeded max depth");
    ++i_;  // '{'
    SkipSpace();
    if (i_ >= s_.size()) return Eof();
    if (s_[i_] == '}') {
      ++i_;
      --depth_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (i_ >= s_.size()) return Eof();
      if (s_[i_] != '"') return Fail("looking for beginning of object key string");
      if (!String()) return false;
      SkipSpace();
      if (i_ >= s_.size()) return Eof();
      if (s_[i_] != ':') return Fail("after object key");
      ++i_;
      if (!Value()) return false;
      SkipSpace();
      if (i_ >= s_.size()) return Eof();
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == '}') {
        ++i_;
        --depth_;
        return true;
      }
      return Fail("after object key:value pair");
    }
  }

  bool Array() {
    if (++depth_ > kMaxDepth) return Fail("exceeded max depth");
    ++i_;  // '['
    SkipSpace();
    if (i_ >= s_.size()) return Eof();
    if (s_[i_] == ']') {
      ++i_;
      --depth_;
      return true;
    }
    for (;;) {
      if (!Value()) return false;
      SkipSpace();
      if (i_ >= s_.size()) return Eof();
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == ']') {
        ++i_;
        --depth_;
        return true;
      }
      return Fail("after array element");
    }
  }

  bool String() {
    ++i_;  // '"'
    for (;;) {
      if (i_ >= s_.size()) return Eof();
      unsigned char c = s_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return Fail("in string literal");
      ++i_;
      if (c != '\\') continue;
      if (i_ >= s_.size()) return Eof();
      c = s_[i_];
      if (c == 'u') {
        ++i_;
        for (int k = 0; k < 4; ++k, ++i_) {
          if (i_ >= s_.size()) return Eof();
          if (!IsHex(s_[i_])) return Fail("in \\u hexadecimal character escape");
        }
        continue;
      }
      if (c != 'b' && c != 'f' && c != 'n' && c != 'r' && c != 't' && c != '\\' && c != '/' &&
          c != '"')
        return Fail("in string escape code");
      ++i_;
    }
  }

  bool Number() {
    if (s_[i_] == '-') {
      ++i_;
      if (i_ >= s_.size()) return Eof();
      if (!IsDigit(s_[i_])) return Fail("in numeric literal");
    }
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (i_ >= s_.size()) return Eof();
      if (!IsDigit(s_[i_])) return Fail("after decimal point in numeric literal");
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size()) return Eof();
      if (!IsDigit(s_[i_])) return Fail("in exponent of numeric literal");
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    return true;
  }

  bool Literal(std::string_view word) {
    ++i_;  // first letter, already matched
    for (size_t k = 1; k < word.size(); ++k, ++i_) {
      if (i_ >= s_.size()) return Eof();
      if (s_[i_] != word[k])
        return Fail("in literal " + std::string(word) + " (expecting " + QuoteChar(word[k]) + ")");
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  size_t depth_ = 0;
  std::string err_;
};

}  // namespace

std::string GoJSONSyntaxError(std::string_view text) { return GoScanner(text).Check(); }

bool ParseGoJSONObject(std::string_view text, json::object* out, std::string* error) {
  std::string syntax = GoJSONSyntaxError(text);
  if (!syntax.empty()) {
    *error = syntax;
    return false;
  }
  json::parse_options opts;
  opts.max_depth = kMaxDepth + 1;
  opts.allow_invalid_utf8 = true;  // Go substitutes U+FFFD rather than failing
  json::parser p(json::storage_ptr(), opts);
  boost::system::error_code ec;
  p.write_some(text.data(), text.size(), ec);
  if (ec) {
    // Valid for Go's scanner but not representable (e.g. a number out of double's range).
    *error = "json: " + ec.message();
    return false;
  }
  json::value v = p.release();
  if (v.is_null()) {
    out->clear();
    return true;
  }
  if (!v.is_object()) {
    const char* what = v.is_array()    ? "array"
                       : v.is_string() ? "string"
                       : v.is_bool()   ? "bool"
                                       : "number";
    *error = std::string("json: cannot unmarshal ") + what +
             " into Go value of type map[string]interface {}";
    return false;
  }
  *out = std::move(v.as_object());
  return true;
}

}  // namespace consulate::config::internal
