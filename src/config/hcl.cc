// HCL v1 scanner and recursive-descent parser. The grammar, token names and error wording follow
// github.com/hashicorp/hcl v1 (hcl/scanner/scanner.go, hcl/parser/parser.go), so that error
// messages read like Consul's ("At 3:7: object expected closing RBRACE got: EOF"). Where hcl v1
// silently ignores a mistake (a trailing "key =" at end of file) or is stricter than useful (a
// heredoc anchor on the last line without a newline), we report the error / accept the input.
#include "config/hcl.h"

#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "base/go_escape.h"

namespace consulate::config {
namespace json = boost::json;

namespace {

// Deeper nesting than this is rejected, keeping recursion (and the fuzzer) bounded.
constexpr int kMaxDepth = 256;

enum class Tok {
  kIllegal,
  kEOF,
  kIdent,
  kNumber,
  kFloat,
  kBool,
  kString,
  kHeredoc,
  kLBrack,
  kLBrace,
  kComma,
  kPeriod,
  kRBrack,
  kRBrace,
  kAssign,
  kAdd,
  kSub,
};

// hcl v1's token names, used in error messages.
const char* TokName(Tok t) {
  switch (t) {
    case Tok::kIllegal:
      return "ILLEGAL";
    case Tok::kEOF:
      return "EOF";
    case Tok::kIdent:
      return "IDENT";
    case Tok::kNumber:
      return "NUMBER";
    case Tok::kFloat:
      return "FLOAT";
    case Tok::kBool:
      return "BOOL";
    case Tok::kString:
      return "STRING";
    case Tok::kHeredoc:
      return "HEREDOC";
    case Tok::kLBrack:
      return "LBRACK";
    case Tok::kLBrace:
      return "LBRACE";
    case Tok::kComma:
      return "COMMA";
    case Tok::kPeriod:
      return "PERIOD";
    case Tok::kRBrack:
      return "RBRACK";
    case Tok::kRBrace:
      return "RBRACE";
    case Tok::kAssign:
      return "ASSIGN";
    case Tok::kAdd:
      return "ADD";
    case Tok::kSub:
      return "SUB";
  }
  return "ILLEGAL";
}

struct Token {
  Tok type = Tok::kEOF;
  int line = 1;
  int column = 1;
  std::string_view text;  // a view into the source
};

bool IsLetter(unsigned char c) {
  // Non-ASCII bytes count as letters: hcl accepts Unicode letters in identifiers, and treating
  // every UTF-8 byte as one keeps the scanner byte-oriented without rejecting valid input.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsHex(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

class Scanner {
 public:
  explicit Scanner(std::string_view src) : src_(src) {}

  // Returns the next token, skipping blanks and comments. After an error, returns kIllegal and
  // failed() is true; error() says where and why.
  Token Next() {
    for (;;) {
      while (pos_ < src_.size() &&
             (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\n' || src_[pos_] == '\r'))
        Advance();
      Token tok;
      tok.line = line_;
      tok.column = column_;
      size_t start = pos_;
      if (pos_ >= src_.size()) {
        tok.type = Tok::kEOF;
        return tok;
      }
      unsigned char c = src_[pos_];
      if (IsLetter(c)) {
        while (pos_ < src_.size() && (IsLetter(src_[pos_]) || IsDigit(src_[pos_]) ||
                                      src_[pos_] == '-' || src_[pos_] == '.'))
          Advance();
        tok.text = src_.substr(start, pos_ - start);
        tok.type = (tok.text == "true" || tok.text == "false") ? Tok::kBool : Tok::kIdent;
        return tok;
      }
      if (IsDigit(c) || (c == '-' && IsDigit(PeekAt(pos_ + 1)))) {
        tok.type = ScanNumber();
        tok.text = src_.substr(start, pos_ - start);
        return tok;
      }
      switch (c) {
        case '"':
          Advance();
          if (!ScanString()) return Illegal(tok);
          tok.type = Tok::kString;
          tok.text = src_.substr(start, pos_ - start);
          return tok;
        case '#':
          SkipLineComment();
          continue;
        case '/':
          if (PeekAt(pos_ + 1) == '/') {
            SkipLineComment();
            continue;
          }
          if (PeekAt(pos_ + 1) == '*') {
            if (!SkipBlockComment()) return Illegal(tok);
            continue;
          }
          Fail(line_, column_ + 1, "expected '/' for comment");
          return Illegal(tok);
        case '<':
          if (!ScanHeredoc()) return Illegal(tok);
          tok.type = Tok::kHeredoc;
          tok.text = src_.substr(start, pos_ - start);
          return tok;
        case '[':
          tok.type = Tok::kLBrack;
          break;
        case ']':
          tok.type = Tok::kRBrack;
          break;
        case '{':
          tok.type = Tok::kLBrace;
          break;
        case '}':
          tok.type = Tok::kRBrace;
          break;
        case ',':
          tok.type = Tok::kComma;
          break;
        case '.':
          if (IsDigit(PeekAt(pos_ + 1))) {  // ".5": hcl scans a FLOAT
            Advance();
            ScanDigits(IsDigit);
            tok.type = Tok::kFloat;
            tok.text = src_.substr(start, pos_ - start);
            return tok;
          }
          tok.type = Tok::kPeriod;
          break;
        case '=':
          tok.type = Tok::kAssign;
          break;
        case '+':
          tok.type = Tok::kAdd;
          break;
        case '-':
          tok.type = Tok::kSub;
          break;
        default: {
          Fail(tok.line, tok.column, "illegal char");
          return Illegal(tok);
        }
      }
      Advance();
      tok.text = src_.substr(start, 1);
      return tok;
    }
  }

  bool failed() const { return failed_; }
  const HclError& error() const { return error_; }

  // The heredoc's value, computed from its token text as hcl v1's unindentHeredoc does.
  static std::string HeredocValue(std::string_view text);

 private:
  unsigned char PeekAt(size_t i) const { return i < src_.size() ? src_[i] : 0; }
  void Advance() {
    if (src_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }
  void Fail(int line, int column, std::string msg) {
    if (failed_) return;
    failed_ = true;
    error_ = HclError{line, column, std::move(msg)};
  }
  Token Illegal(Token tok) {
    tok.type = Tok::kIllegal;
    return tok;
  }

  void SkipLineComment() {
    while (pos_ < src_.size() && src_[pos_] != '\n') Advance();
  }
  bool SkipBlockComment() {
    Advance();  // '/'
    Advance();  // '*'
    while (pos_ < src_.size()) {
      if (src_[pos_] == '*' && PeekAt(pos_ + 1) == '/') {
        Advance();
        Advance();
        return true;
      }
      Advance();
    }
    Fail(line_, column_, "comment not terminated");
    return false;
  }

  void ScanDigits(auto pred) {
    while (pos_ < src_.size() && pred(static_cast<unsigned char>(src_[pos_]))) Advance();
  }

  // Number syntax as hcl v1: [-] (0x hex | digits) [. digits] [(e|E) [+-] digits].
  Tok ScanNumber() {
    if (src_[pos_] == '-') Advance();
    if (src_[pos_] == '0' && (PeekAt(pos_ + 1) == 'x' || PeekAt(pos_ + 1) == 'X')) {
      Advance();
      Advance();
      size_t before = pos_;
      ScanDigits(IsHex);
      if (pos_ == before) Fail(line_, column_, "illegal hexadecimal number");
      return Tok::kNumber;
    }
    ScanDigits(IsDigit);
    bool is_float = false;
    if (pos_ < src_.size() && src_[pos_] == '.' && IsDigit(PeekAt(pos_ + 1))) {
      Advance();
      ScanDigits(IsDigit);
      is_float = true;
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      // hcl takes "e[+-]digits*" as the exponent even without digits: "1e" is a FLOAT that
      // fails to convert later.
      Advance();
      if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) Advance();
      ScanDigits(IsDigit);
      is_float = true;
    }
    return is_float ? Tok::kFloat : Tok::kNumber;
  }

  // Validates one escape after '\' (hcl's scanEscape). pos_ is at the character after '\'.
  bool ScanEscape() {
    unsigned char c = PeekAt(pos_);
    int digits = 0;
    auto pred = IsHex;
    switch (c) {
      case 'a':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
      case '\\':
      case '"':
        Advance();
        return true;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        digits = 3;
        pred = [](unsigned char d) { return d >= '0' && d <= '7'; };
        break;
      case 'x':
        digits = 2;
        Advance();
        break;
      case 'u':
        digits = 4;
        Advance();
        break;
      case 'U':
        digits = 8;
        Advance();
        break;
      default:
        Fail(line_, column_, "illegal char escape");
        return false;
    }
    for (int i = 0; i < digits; ++i) {
      if (pos_ >= src_.size() || !pred(static_cast<unsigned char>(src_[pos_]))) {
        Fail(line_, column_, "illegal char escape");
        return false;
      }
      Advance();
    }
    return true;
  }

  // pos_ is just after the opening quote. Inside "${ ... }" quotes and newlines do not end the
  // string (hcl v1 interpolation syntax is kept verbatim).
  bool ScanString() {
    int braces = 0;
    for (;;) {
      if (pos_ >= src_.size() || (src_[pos_] == '\n' && braces == 0)) {
        Fail(line_, column_, "literal not terminated");
        return false;
      }
      unsigned char c = src_[pos_];
      Advance();
      if (c == '"' && braces == 0) return true;
      if (braces == 0 && c == '$' && PeekAt(pos_) == '{') {
        ++braces;
        Advance();
      } else if (braces > 0 && c == '{') {
        ++braces;
      }
      if (braces > 0 && c == '}') --braces;
      if (c == '\\' && !ScanEscape()) return false;
    }
  }

  // "<<ANCHOR\n ... \n  ANCHOR\n" or "<<-ANCHOR ...". The closing line may be indented.
  bool ScanHeredoc() {
    if (PeekAt(pos_ + 1) != '<') {
      Fail(line_, column_ + 1, "heredoc expected second '<', didn't see it");
      return false;
    }
    Advance();
    Advance();
    if (PeekAt(pos_) == '-') Advance();
    size_t name_start = pos_;
    while (pos_ < src_.size() && (IsLetter(src_[pos_]) || IsDigit(src_[pos_]))) Advance();
    std::string_view anchor = src_.substr(name_start, pos_ - name_start);
    if (pos_ >= src_.size()) {
      Fail(line_, column_, "heredoc not terminated");
      return false;
    }
    if (src_[pos_] == '\r' && PeekAt(pos_ + 1) == '\n') Advance();
    if (src_[pos_] != '\n') {
      Fail(line_, column_, "invalid characters in heredoc anchor");
      return false;
    }
    if (anchor.empty()) {
      Fail(line_, column_, "zero-length heredoc anchor");
      return false;
    }
    Advance();  // the anchor line's newline
    for (;;) {
      size_t line_start = pos_;
      while (pos_ < src_.size() && src_[pos_] != '\n') Advance();
      std::string_view line = src_.substr(line_start, pos_ - line_start);
      // Matches ^[[:space:]]*ANCHOR\r*$ like hcl's terminator regexp.
      size_t i = 0;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\v' ||
                                 line[i] == '\f' || line[i] == '\r'))
        ++i;
      std::string_view rest = line.substr(i);
      while (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
      if (rest == anchor) {
        if (pos_ < src_.size()) Advance();  // the terminator's newline belongs to the token
        return true;
      }
      if (pos_ >= src_.size()) {
        Fail(line_, column_, "heredoc not terminated");
        return false;
      }
      Advance();
    }
  }

  std::string_view src_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  bool failed_ = false;
  HclError error_;
};

std::string Scanner::HeredocValue(std::string_view text) {
  // text = "<<[-]ANCHOR\n" content "[ws]ANCHOR[\r]*[\n]"
  bool unindent = text.size() > 2 && text[2] == '-';
  size_t first_nl = text.find('\n');
  std::string_view body = text.substr(first_nl + 1);
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  // Split off the terminator line.
  size_t last_nl = body.rfind('\n');
  std::string_view content =
      last_nl == std::string_view::npos ? std::string_view() : body.substr(0, last_nl + 1);
  std::string_view closing = last_nl == std::string_view::npos ? body : body.substr(last_nl + 1);
  size_t ws = 0;
  while (ws < closing.size() && (closing[ws] == ' ' || closing[ws] == '\t')) ++ws;
  // <<EOF: hcl v1 keeps the closing line's indentation (it cuts the anchor off the token's end).
  if (!unindent) return std::string(content) + std::string(closing.substr(0, ws));
  // <<-: strip the closing line's indentation from every line, but only when every line
  // carries it (an empty line does not, which leaves the text as is, like hcl v1).
  std::string_view prefix = closing.substr(0, ws);
  std::vector<std::string_view> lines;
  std::string_view rest = content;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  for (std::string_view l : lines) {
    if (l.substr(0, prefix.size()) != prefix) return std::string(content);
  }
  std::string out;
  for (std::string_view l : lines) {
    out.append(l.substr(prefix.size()));
    out.push_back('\n');
  }
  return out;
}

// Unquotes a scanned string token (quotes included) like hcl v1's strconv.Unquote: Go escapes
// are decoded, "${...}" is copied verbatim. The scanner has validated the escapes already.
bool UnquoteString(std::string_view text, std::string* out) {
  std::string_view s = text.substr(1, text.size() - 2);
  out->clear();
  out->reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      int braces = 1;
      out->append("${");
      i += 2;
      while (i < s.size() && braces > 0) {
        if (s[i] == '{') ++braces;
        if (s[i] == '}') --braces;
        out->push_back(s[i++]);
      }
      if (braces != 0) return false;
      continue;
    }
    char c = s[i];
    if (c == '\n') return false;
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    std::string_view rest = s.substr(i + 1);  // after the backslash
    if (!DecodeGoEscape(&rest, out)) return false;
    i = s.size() - rest.size();
  }
  return true;
}

// Go's strconv.ParseInt(s, 0, 64) for the forms the scanner produces. Returns "" or Go's error
// ("invalid syntax", "value out of range").
std::string ParseGoInt(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  uint64_t mag = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), mag, base);
  if (ec == std::errc::result_out_of_range) return "value out of range";
  if (ec != std::errc() || p != s.data() + s.size()) return "invalid syntax";
  if (neg) {
    if (mag > static_cast<uint64_t>(INT64_MAX) + 1) return "value out of range";
    *out = mag == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(mag);
  } else {
    if (mag > static_cast<uint64_t>(INT64_MAX)) return "value out of range";
    *out = static_cast<int64_t>(mag);
  }
  return "";
}

// Stores `v` under `key` with hcl v1's accumulation: lists and blocks repeated under one key
// collect into a list; a scalar replaces what was there.
void Accumulate(json::object& obj, std::string_view key, json::value v) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    obj.emplace(key, std::move(v));
    return;
  }
  json::value& old = it->value();
  bool new_is_container = v.is_object() || v.is_array();
  if (!new_is_container || !(old.is_object() || old.is_array())) {
    old = std::move(v);
    return;
  }
  if (old.is_object()) {
    json::array list;
    list.push_back(std::move(old));
    old = std::move(list);
  }
  json::array& list = old.as_array();
  if (v.is_array()) {
    for (auto& e : v.as_array()) list.push_back(std::move(e));
  } else {
    list.push_back(std::move(v));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view src) : sc_(src) {}

  bool ParseFile(json::object* out) {
    if (!ObjectList(false, out)) return false;
    return true;
  }
  const HclError& error() const { return error_; }

 private:
  Token Scan() {
    if (buffered_) {
      buffered_ = false;
      return tok_;
    }
    tok_ = sc_.Next();
    return tok_;
  }
  void Unscan() { buffered_ = true; }

  bool Fail(const Token& at, std::string msg) {
    // A scanner error explains an ILLEGAL token better than the parser can.
    if (sc_.failed()) {
      error_ = sc_.error();
    } else {
      error_ = HclError{at.line, at.column, std::move(msg)};
    }
    return false;
  }

  bool FailNoPosition(std::string msg) {
    error_ = sc_.failed() ? sc_.error() : HclError{0, 0, std::move(msg)};
    return false;
  }

  // Items until EOF (top level) or until a '}' (in_object; the brace is left for the caller).
  bool ObjectList(bool in_object, json::object* out) {
    for (;;) {
      Token t = Scan();
      if (sc_.failed()) return Fail(t, "");
      if (t.type == Tok::kEOF && !in_object) return true;
      // In an object, '}' ends the list; so does EOF, for ObjectType to report the missing '}'.
      if ((t.type == Tok::kRBrace || t.type == Tok::kEOF) && in_object) {
        Unscan();
        return true;
      }
      Unscan();
      if (!ObjectItem(out)) return false;
      // Items may be separated by commas (hcl v1 allows it for lists of maps).
      Token c = Scan();
      if (c.type != Tok::kComma) Unscan();
    }
  }

  bool ObjectItem(json::object* out) {
    std::vector<std::string> keys;
    Token t;
    for (;;) {
      t = Scan();
      if (t.type == Tok::kIdent) {
        keys.emplace_back(t.text);
      } else if (t.type == Tok::kString) {
        std::string k;
        if (!UnquoteString(t.text, &k)) return Fail(t, "invalid string literal");
        keys.push_back(std::move(k));
      } else {
        break;
      }
    }
    json::value value;
    switch (t.type) {
      case Tok::kAssign:
        if (keys.empty()) return Fail(t, "no object keys found!");
        if (keys.size() > 1) return Fail(t, "nested object expected: LBRACE got: ASSIGN");
        if (!Value(&value)) return false;
        break;
      case Tok::kLBrace: {
        if (keys.empty()) return Fail(t, "expected: IDENT | STRING got: LBRACE");
        if (!ObjectType(t, &value)) return false;
        break;
      }
      case Tok::kIllegal:
        return Fail(t, "illegal character");
      default:
        if (keys.empty())
          return Fail(
              t, std::string("expected: IDENT | STRING | ASSIGN | LBRACE got: ") + TokName(t.type));
        {
          std::string joined;
          for (size_t i = 0; i < keys.size(); ++i) {
            if (i) joined += ' ';
            joined += keys[i];
          }
          return Fail(t, "key '" + joined + "' expected start of object ('{') or assignment ('=')");
        }
    }
    // `a "b" "c" { ... }` nests: a = { b = { c = { ... } } }.
    for (size_t i = keys.size(); i-- > 1;) {
      json::object wrap;
      wrap.emplace(keys[i], std::move(value));
      value = std::move(wrap);
    }
    Accumulate(*out, keys[0], std::move(value));
    return true;
  }

  // The value after '='.
  bool Value(json::value* out) {
    Token t = Scan();
    switch (t.type) {
      case Tok::kNumber:
      case Tok::kFloat:
      case Tok::kBool:
      case Tok::kString:
      case Tok::kHeredoc:
        return Literal(t, out);
      case Tok::kLBrace:
        return ObjectType(t, out);
      case Tok::kLBrack:
        return ListType(t, out);
      default:
        // hcl prints the token with its String(): "<line>:<col> <TYPE> <text>".
        return Fail(t, "Unknown token: " + std::to_string(t.line) + ":" + std::to_string(t.column) +
                           " " + TokName(t.type) + " " + std::string(t.text));
    }
  }

  // After '{'; consumes the closing '}'.
  bool ObjectType(const Token& open, json::value* out) {
    if (++depth_ > kMaxDepth) return Fail(open, "nesting too deep");
    json::object obj;
    if (!ObjectList(true, &obj)) return false;
    Token t = Scan();
    if (t.type != Tok::kRBrace)
      return Fail(t, std::string("object expected closing RBRACE got: ") + TokName(t.type));
    --depth_;
    *out = std::move(obj);
    return true;
  }

  // After '['; consumes the closing ']'.
  bool ListType(const Token& open, json::value* out) {
    if (++depth_ > kMaxDepth) return Fail(open, "nesting too deep");
    json::array list;
    bool need_comma = false;
    for (;;) {
      Token t = Scan();
      if (need_comma && t.type != Tok::kComma && t.type != Tok::kRBrack)
        return Fail(t, std::string("error parsing list, expected comma or list end, got: ") +
                           TokName(t.type));
      json::value v;
      switch (t.type) {
        case Tok::kNumber:
        case Tok::kFloat:
        case Tok::kBool:
        case Tok::kString:
        case Tok::kHeredoc:
          if (!Literal(t, &v)) return false;
          list.push_back(std::move(v));
          need_comma = true;
          break;
        case Tok::kComma:
          need_comma = false;  // hcl v1 tolerates stray commas: [1,,2] and [,]
          break;
        case Tok::kLBrace:
          if (!ObjectType(t, &v)) return false;
          list.push_back(std::move(v));
          need_comma = true;
          break;
        case Tok::kLBrack:
          if (!ListType(t, &v)) return false;
          list.push_back(std::move(v));
          break;
        case Tok::kRBrack:
          --depth_;
          *out = std::move(list);
          return true;
        default:
          return Fail(t, std::string("unexpected token while parsing list: ") + TokName(t.type));
      }
    }
  }

  bool Literal(const Token& t, json::value* out) {
    switch (t.type) {
      case Tok::kBool:
        *out = (t.text == "true");
        return true;
      case Tok::kNumber: {
        // Conversion errors surface in hcl v1 when the value is decoded, without a position.
        int64_t v = 0;
        std::string err = ParseGoInt(t.text, &v);
        if (!err.empty())
          return FailNoPosition("strconv.ParseInt: parsing \"" + std::string(t.text) +
                                "\": " + err);
        *out = v;
        return true;
      }
      case Tok::kFloat: {
        std::string s(t.text);
        errno = 0;
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size())
          return FailNoPosition("strconv.ParseFloat: parsing \"" + s + "\": invalid syntax");
        if (errno == ERANGE && std::abs(d) > 1)
          return FailNoPosition("strconv.ParseFloat: parsing \"" + s + "\": value out of range");
        *out = d;
        return true;
      }
      case Tok::kString: {
        std::string s;
        if (!UnquoteString(t.text, &s)) return Fail(t, "invalid string literal");
        *out = json::string(s);
        return true;
      }
      case Tok::kHeredoc:
        *out = json::string(Scanner::HeredocValue(t.text));
        return true;
      default:
        return Fail(t, "unexpected literal");
    }
  }

  Scanner sc_;
  Token tok_;
  bool buffered_ = false;
  int depth_ = 0;
  HclError error_;
};

// Line and column (1-based, bytes) of byte offset `off` in `text`.
void LineColumn(std::string_view text, size_t off, int* line, int* column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++*line;
      *column = 1;
    } else {
      ++*column;
    }
  }
}

}  // namespace

bool ParseJSONDetailed(std::string_view text, json::value* out, HclError* error) {
  json::parse_options opts;
  opts.max_depth = kMaxDepth;
  opts.allow_invalid_utf8 = true;  // Go's decoder replaces bad bytes instead of failing
  json::parser p(json::storage_ptr(), opts);
  boost::system::error_code ec;
  size_t n = p.write_some(text.data(), text.size(), ec);
  bool incomplete = ec == json::error::incomplete;
  if (!ec && text.find_first_not_of(" \t\r\n", n) != std::string_view::npos) {
    n = text.find_first_not_of(" \t\r\n", n);
    ec = json::error::extra_data;
  }
  if (ec || incomplete) {
    // The parser consumed `n` bytes before it failed: the offending character is at n (or the
    // input ended early).
    if (incomplete || n >= text.size()) {
      LineColumn(text, text.size(), &error->line, &error->column);
      error->message = "unexpected end of JSON input";
    } else {
      LineColumn(text, n, &error->line, &error->column);
      error->message = "invalid character '" + std::string(1, text[n]) + "': " + ec.message();
    }
    return false;
  }
  *out = p.release();
  return true;
}

bool ParseHCLDetailed(std::string_view text, json::value* out, HclError* error) {
  // hcl.Decode parses input that starts with '{' as JSON.
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    return ParseJSONDetailed(text, out, error);
  }
  Parser parser(text);
  json::object obj;
  if (!parser.ParseFile(&obj)) {
    *error = parser.error();
    return false;
  }
  *out = std::move(obj);
  return true;
}

Result<json::value> ParseHCL(std::string_view text, std::string_view filename) {
  json::value v;
  HclError err;
  if (!ParseHCLDetailed(text, &v, &err)) {
    std::string msg;
    if (err.line == 0) {
      // A value that scanned but does not convert (hcl reports these without a position).
      msg = filename.empty() ? "" : std::string(filename) + ": ";
    } else if (filename.empty()) {
      msg = "At " + std::to_string(err.line) + ":" + std::to_string(err.column) + ": ";
    } else {
      msg = std::string(filename) + ":" + std::to_string(err.line) + ":" +
            std::to_string(err.column) + ": ";
    }
    return Status::InvalidArgument(msg + err.message);
  }
  return v;
}

}  // namespace consulate::config
