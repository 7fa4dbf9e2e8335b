#include "cli/go_json.h"

#include <cstdint>

namespace consulate::cli {

namespace {

constexpr char kHex[] = "0123456789abcdef";

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// strconv.IsPrint for U+0080..U+00FF: the C1 controls, NBSP and the soft hyphen are not printable.
bool IsPrintLatin1(unsigned c) { return c >= 0xa1 && c != 0xad; }

void AppendUtf8(std::string* out, uint32_t r) {
  if (r < 0x80) {
    *out += static_cast<char>(r);
  } else if (r < 0x800) {
    *out += static_cast<char>(0xc0 | (r >> 6));
    *out += static_cast<char>(0x80 | (r & 0x3f));
  } else if (r < 0x10000) {
    *out += static_cast<char>(0xe0 | (r >> 12));
    *out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (r & 0x3f));
  } else {
    *out += static_cast<char>(0xf0 | (r >> 18));
    *out += static_cast<char>(0x80 | ((r >> 12) & 0x3f));
    *out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (r & 0x3f));
  }
}

// Go's utf8.DecodeRune: the rune at s[0] and its size, or (0xFFFD, 1) for an invalid sequence
// (overlong forms, surrogates and values past U+10FFFF are invalid).
std::pair<uint32_t, size_t> DecodeRune(std::string_view s) {
  unsigned char c0 = static_cast<unsigned char>(s[0]);
  if (c0 < 0x80) return {c0, 1};
  auto cont = [&](size_t i, unsigned char lo, unsigned char hi) {
    if (i >= s.size()) return false;
    unsigned char c = static_cast<unsigned char>(s[i]);
    return c >= lo && c <= hi;
  };
  const std::pair<uint32_t, size_t> bad = {0xfffd, 1};
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    if (!cont(1, 0x80, 0xbf)) return bad;
    return {((c0 & 0x1fu) << 6) | (static_cast<unsigned char>(s[1]) & 0x3fu), 2};
  }
  if (c0 >= 0xe0 && c0 <= 0xef) {
    unsigned char lo = c0 == 0xe0 ? 0xa0 : 0x80, hi = c0 == 0xed ? 0x9f : 0xbf;
    if (!cont(1, lo, hi) || !cont(2, 0x80, 0xbf)) return bad;
    return {((c0 & 0x0fu) << 12) | ((static_cast<unsigned char>(s[1]) & 0x3fu) << 6) |
                (static_cast<unsigned char>(s[2]) & 0x3fu),
            3};
  }
  if (c0 >= 0xf0 && c0 <= 0xf4) {
    unsigned char lo = c0 == 0xf0 ? 0x90 : 0x80, hi = c0 == 0xf4 ? 0x8f : 0xbf;
    if (!cont(1, lo, hi) || !cont(2, 0x80, 0xbf) || !cont(3, 0x80, 0xbf)) return bad;
    return {((c0 & 0x07u) << 18) | ((static_cast<unsigned char>(s[1]) & 0x3fu) << 12) |
                ((static_cast<unsigned char>(s[2]) & 0x3fu) << 6) |
                (static_cast<unsigned char>(s[3]) & 0x3fu),
            4};
  }
  return bad;
}

// Go's quoteChar: how a byte is shown in "invalid character ... ".
std::string QuoteChar(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string s = "'";
  switch (c) {
    case '\a':
      s += "\\a";
      break;
    case '\b':
      s += "\\b";
      break;
    case '\f':
      s += "\\f";
      break;
    case '\n':
      s += "\\n";
      break;
    case '\r':
      s += "\\r";
      break;
    case '\t':
      s += "\\t";
      break;
    case '\v':
      s += "\\v";
      break;
    case '\\':
      s += "\\\\";
      break;
    default:
      if (c < 0x20) {
        s += "\\x";
        s += kHex[c >> 4];
        s += kHex[c & 15];
      } else if (c == 0x7f) {
        s += "\\u007f";
      } else if (c < 0x80) {
        s += static_cast<char>(c);
      } else if (IsPrintLatin1(c)) {
        AppendUtf8(&s, c);  // Go converts the byte to the rune U+00XX
      } else {
        s += "\\u00";
        s += kHex[c >> 4];
        s += kHex[c & 15];
      }
  }
  return s + "'";
}

// A port of the state machine of Go's encoding/json scanner, used only to find the first syntax
// error with Go's exact wording; values are built afterwards by a simple recursive descent.
class Scanner {
 public:
  // Returns "" when `data` is one valid JSON document, else Go's error message.
  std::string Check(std::string_view data) {
    for (unsigned char c : data) {
      Step(c);
      if (!error_.empty()) return error_;
    }
    // At the end, Go feeds a space to finish a pending number or literal.
    if (end_top_) return "";
    Step(' ');
    if (!error_.empty()) return error_;
    if (end_top_) return "";
    return "unexpected end of JSON input";
  }

 private:
  enum class State {
    kBeginValueOrEmpty,
    kBeginValue,
    kBeginStringOrEmpty,
    kBeginString,
    kEndValue,
    kEndTop,
    kInString,
    kInStringEsc,
    kInStringEscU,
    kNeg,
    kOne,
    kZero,
    kDot,
    kDot0,
    kE,
    kESign,
    kE0,
    kLiteral,
  };
  enum class Parse { kObjectKey, kObjectValue, kArrayValue };

  void Fail(unsigned char c, std::string_view context) {
    error_ = "invalid character " + QuoteChar(c) + " " + std::string(context);
  }

  void PopParse() {
    stack_.pop_back();
    if (stack_.empty()) {
      state_ = State::kEndTop;
      end_top_ = true;
    } else {
      state_ = State::kEndValue;
    }
  }

  void BeginValue(unsigned char c) {
    if (IsSpace(c)) return;
    switch (c) {
      case '{':
        state_ = State::kBeginStringOrEmpty;
        stack_.push_back(Parse::kObjectKey);
        return;
      case '[':
        state_ = State::kBeginValueOrEmpty;
        stack_.push_back(Parse::kArrayValue);
        return;
      case '"':
        state_ = State::kInString;
        return;
      case '-':
        state_ = State::kNeg;
        return;
      case '0':
        state_ = State::kZero;
        return;
      case 't':
        StartLiteral("true");
        return;
      case 'f':
        StartLiteral("false");
        return;
      case 'n':
        StartLiteral("null");
        return;
      default:
        break;
    }
    if (c >= '1' && c <= '9') {
      state_ = State::kOne;
      return;
    }
    Fail(c, "looking for beginning of value");
  }

  void StartLiteral(std::string_view word) {
    state_ = State::kLiteral;
    literal_ = word;
    literal_pos_ = 1;
  }

  void EndValue(unsigned char c) {
    if (stack_.empty()) {
      state_ = State::kEndTop;
      end_top_ = true;
      EndTop(c);
      return;
    }
    if (IsSpace(c)) {
      state_ = State::kEndValue;
      return;
    }
    switch (stack_.back()) {
      case Parse::kObjectKey:
        if (c == ':') {
          stack_.back() = Parse::kObjectValue;
          state_ = State::kBeginValue;
          return;
        }
        Fail(c, "after object key");
        return;
      case Parse::kObjectValue:
        if (c == ',') {
          stack_.back() = Parse::kObjectKey;
          state_ = State::kBeginString;
          return;
        }
        if (c == '}') {
          PopParse();
          return;
        }
        Fail(c, "after object key:value pair");
        return;
      case Parse::kArrayValue:
        if (c == ',') {
          state_ = State::kBeginValue;
          return;
        }
        if (c == ']') {
          PopParse();
          return;
        }
        Fail(c, "after array element");
        return;
    }
  }

  void EndTop(unsigned char c) {
    if (!IsSpace(c)) Fail(c, "after top-level value");
  }

  static bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
  static bool IsHex(unsigned char c) {
    return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  void Step(unsigned char c) {
    switch (state_) {
      case State::kBeginValueOrEmpty:
        if (IsSpace(c)) return;
        if (c == ']') {
          EndValue(c);
          return;
        }
        BeginValue(c);
        return;
      case State::kBeginValue:
        BeginValue(c);
        return;
      case State::kBeginStringOrEmpty:
        if (IsSpace(c)) return;
        if (c == '}') {
          stack_.back() = Parse::kObjectValue;
          EndValue(c);
          return;
        }
        [[fallthrough]];
      case State::kBeginString:
        if (IsSpace(c)) return;
        if (c == '"') {
          state_ = State::kInString;
          return;
        }
        Fail(c, "looking for beginning of object key string");
        return;
      case State::kEndValue:
        EndValue(c);
        return;
      case State::kEndTop:
        EndTop(c);
        return;
      case State::kInString:
        if (c == '"') {
          state_ = State::kEndValue;
        } else if (c == '\\') {
          state_ = State::kInStringEsc;
        } else if (c < 0x20) {
          Fail(c, "in string literal");
        }
        return;
      case State::kInStringEsc:
        switch (c) {
          case 'b':
          case 'f':
          case 'n':
          case 'r':
          case 't':
          case '\\':
          case '/':
          case '"':
            state_ = State::kInString;
            return;
          case 'u':
            state_ = State::kInStringEscU;
            hex_digits_ = 0;
            return;
          default:
            Fail(c, "in string escape code");
            return;
        }
      case State::kInStringEscU:
        if (!IsHex(c)) {
          Fail(c, "in \\u hexadecimal character escape");
          return;
        }
        if (++hex_digits_ == 4) state_ = State::kInString;
        return;
      case State::kNeg:
        if (c == '0') {
          state_ = State::kZero;
        } else if (c >= '1' && c <= '9') {
          state_ = State::kOne;
        } else {
          Fail(c, "in numeric literal");
        }
        return;
      case State::kOne:
        if (IsDigit(c)) return;
        [[fallthrough]];
      case State::kZero:
        if (c == '.') {
          state_ = State::kDot;
        } else if (c == 'e' || c == 'E') {
          state_ = State::kE;
        } else {
          EndValue(c);
        }
        return;
      case State::kDot:
        if (IsDigit(c)) {
          state_ = State::kDot0;
        } else {
          Fail(c, "after decimal point in numeric literal");
        }
        return;
      case State::kDot0:
        if (IsDigit(c)) return;
        if (c == 'e' || c == 'E') {
          state_ = State::kE;
        } else {
          EndValue(c);
        }
        return;
      case State::kE:
        if (c == '+' || c == '-') {
          state_ = State::kESign;
          return;
        }
        [[fallthrough]];
      case State::kESign:
        if (IsDigit(c)) {
          state_ = State::kE0;
        } else {
          Fail(c, "in exponent of numeric literal");
        }
        return;
      case State::kE0:
        if (!IsDigit(c)) EndValue(c);
        return;
      case State::kLiteral:
        if (c != static_cast<unsigned char>(literal_[literal_pos_])) {
          Fail(c, "in literal " + std::string(literal_) + " (expecting '" +
                      std::string(1, literal_[literal_pos_]) + "')");
          return;
        }
        if (++literal_pos_ == literal_.size()) state_ = State::kEndValue;
        return;
    }
  }

  State state_ = State::kBeginValue;
  std::vector<Parse> stack_;
  bool end_top_ = false;
  std::string error_;
  std::string_view literal_;
  size_t literal_pos_ = 0;
  int hex_digits_ = 0;
};

// Builds values from text the Scanner accepted.
class Builder {
 public:
  explicit Builder(std::string_view text) : s_(text) {}

  GoJsonValue Value() {
    SkipSpace();
    GoJsonValue v;
    char c = s_[pos_];
    if (c == '{') {
      v.kind = GoJsonValue::Kind::kObject;
      ++pos_;
      SkipSpace();
      if (s_[pos_] == '}') {
        ++pos_;
        return v;
      }
      while (true) {
        SkipSpace();
        std::string key = String();
        SkipSpace();
        ++pos_;  // ':'
        GoJsonValue member = Value();
        v.members.emplace_back(std::move(key), std::move(member));
        SkipSpace();
        if (s_[pos_++] == '}') return v;  // else ','
      }
    }
    if (c == '[') {
      v.kind = GoJsonValue::Kind::kArray;
      ++pos_;
      SkipSpace();
      if (s_[pos_] == ']') {
        ++pos_;
        return v;
      }
      while (true) {
        v.items.push_back(Value());
        SkipSpace();
        if (s_[pos_++] == ']') return v;  // else ','
      }
    }
    if (c == '"') {
      v.kind = GoJsonValue::Kind::kString;
      v.text = String();
      return v;
    }
    if (c == 't' || c == 'f') {
      v.kind = GoJsonValue::Kind::kBool;
      v.boolean = c == 't';
      pos_ += v.boolean ? 4 : 5;
      return v;
    }
    if (c == 'n') {
      pos_ += 4;
      return v;
    }
    v.kind = GoJsonValue::Kind::kNumber;
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::string_view("+-.eE0123456789").find(s_[pos_]) != std::string_view::npos)) {
      ++pos_;
    }
    v.text = std::string(s_.substr(start, pos_ - start));
    return v;
  }

 private:
  void SkipSpace() {
    while (pos_ < s_.size() && IsSpace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  int Hex4(size_t at) const {
    if (at + 4 > s_.size()) return -1;
    int v = 0;
    for (size_t i = at; i < at + 4; ++i) {
      char c = s_[i];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return -1;
      }
    }
    return v;
  }

  // Decodes the string starting at the opening quote, like Go's unquote.
  std::string String() {
    ++pos_;  // '"'
    std::string out;
    while (true) {
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '\\') {
        char e = s_[pos_ + 1];
        pos_ += 2;
        switch (e) {
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            uint32_t r = static_cast<uint32_t>(Hex4(pos_));
            pos_ += 4;
            if (r >= 0xd800 && r < 0xe000) {
              // A high surrogate followed by an escaped low one makes a pair; anything else is
              // replaced.
              int r2 = (s_.substr(pos_, 2) == "\\u") ? Hex4(pos_ + 2) : -1;
              if (r < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000) {
                r = 0x10000 + ((r - 0xd800) << 10) + (static_cast<uint32_t>(r2) - 0xdc00);
                pos_ += 6;
              } else {
                r = 0xfffd;
              }
            }
            AppendUtf8(&out, r);
            break;
          }
          default:
            out += e;
            break;  // '"', '\\', '/'
        }
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x80) {
        out += c;
        ++pos_;
        continue;
      }
      auto [r, size] = DecodeRune(s_.substr(pos_));
      AppendUtf8(&out, r);
      pos_ += size;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

const char* GoJsonValue::KindName() const {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "bool";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "value";
}

Result<GoJsonValue> ParseGoJson(std::string_view text) {
  std::string error = Scanner().Check(text);
  if (!error.empty()) return Status::InvalidArgument(error);
  return Builder(text).Value();
}

std::string GoJsonQuote(std::string_view s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
        out += static_cast<char>(b);
        continue;
      }
      switch (b) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
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
        default:
          out += "\\u00";
          out += kHex[b >> 4];
          out += kHex[b & 15];
      }
      continue;
    }
    auto [r, size] = DecodeRune(s.substr(i));
    if (r == 0xfffd && size == 1) {
      out += "\\ufffd";
    } else if (r == 0x2028 || r == 0x2029) {
      out += r == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, size));
    }
    i += size;
  }
  return out + "\"";
}

}  // namespace consulate::cli
