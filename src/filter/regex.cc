#include "filter/regex.h"

#include <algorithm>
#include <string>

#include "filter/go_strconv.h"

namespace consulate::filter {
namespace {

using Ranges = std::vector<std::pair<char32_t, char32_t>>;
constexpr char32_t kMaxRune = 0x10FFFF;

enum : uint8_t {
  kAssertBeginLine,
  kAssertEndLine,
  kAssertBeginText,
  kAssertEndText,
  kAssertWordBoundary,
  kAssertNoWordBoundary,
};

// Go's regexp/syntax error codes, as their messages.
constexpr std::string_view kErrInvalidCharRange = "invalid character class range";
constexpr std::string_view kErrInvalidEscape = "invalid escape sequence";
constexpr std::string_view kErrInvalidNamedCapture = "invalid named capture";
constexpr std::string_view kErrInvalidPerlOp = "invalid or unsupported Perl syntax";
constexpr std::string_view kErrInvalidRepeatOp = "invalid nested repetition operator";
constexpr std::string_view kErrInvalidRepeatSize = "invalid repeat count";
constexpr std::string_view kErrInvalidUTF8 = "invalid UTF-8";
constexpr std::string_view kErrMissingBracket = "missing closing ]";
constexpr std::string_view kErrMissingParen = "missing closing )";
constexpr std::string_view kErrMissingRepeatArgument = "missing argument to repetition operator";
constexpr std::string_view kErrTrailingBackslash = "trailing backslash at end of expression";
constexpr std::string_view kErrUnexpectedParen = "unexpected )";
constexpr std::string_view kErrNestingDepth = "expression nests too deeply";
constexpr std::string_view kErrLarge = "expression too large";
constexpr int kMaxNesting = 1000;
constexpr int kMaxRepeat = 1000;

bool IsWordByte(int32_t r) {
  return (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || r == '_';
}

void Normalize(Ranges* r) {
  std::sort(r->begin(), r->end());
  Ranges merged;
  for (const auto& [lo, hi] : *r) {
    if (!merged.empty() && lo <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, hi);
    } else {
      merged.emplace_back(lo, hi);
    }
  }
  *r = std::move(merged);
}

Ranges Negate(Ranges r) {
  Normalize(&r);
  Ranges out;
  char32_t next = 0;
  for (const auto& [lo, hi] : r) {
    if (lo > next) out.emplace_back(next, lo - 1);
    next = hi + 1;
  }
  if (next <= kMaxRune) out.emplace_back(next, kMaxRune);
  return out;
}

// Adds [lo, hi] and, under case folding, the other case of its ASCII letters plus Go's two
// non-ASCII simple folds of ASCII letters (K -> KELVIN SIGN, S -> LONG S).
void AddRange(Ranges* r, char32_t lo, char32_t hi, bool fold) {
  r->emplace_back(lo, hi);
  if (!fold) return;
  auto add_shifted = [&](char32_t a, char32_t b, int32_t delta) {
    char32_t from = std::max(lo, a), to = std::min(hi, b);
    if (from <= to) r->emplace_back(from + delta, to + delta);
  };
  add_shifted('a', 'z', 'A' - 'a');
  add_shifted('A', 'Z', 'a' - 'A');
  auto in = [&](char32_t c) { return lo <= c && c <= hi; };
  if (in('k') || in('K') || in(0x212A)) {
    r->emplace_back('k', 'k');
    r->emplace_back('K', 'K');
    r->emplace_back(0x212A, 0x212A);
  }
  if (in('s') || in('S') || in(0x17F)) {
    r->emplace_back('s', 's');
    r->emplace_back('S', 'S');
    r->emplace_back(0x17F, 0x17F);
  }
}

// The regexp's syntax tree.
struct Node {
  enum class Kind {
    kEmpty,
    kRunes,
    kAnyChar,
    kAnyNotNewline,
    kAssert,
    kConcat,
    kAlternate,
    kRepeat
  };
  Kind kind = Kind::kEmpty;
  Ranges ranges;                            // kRunes
  uint8_t assertion = 0;                    // kAssert
  std::vector<std::unique_ptr<Node>> subs;  // kConcat, kAlternate, kRepeat (one)
  int min = 0, max = -1;                    // kRepeat; max -1 means unbounded
};
using NodePtr = std::unique_ptr<Node>;

NodePtr MakeNode(Node::Kind kind) {
  auto n = std::make_unique<Node>();
  n->kind = kind;
  return n;
}

struct Flags {
  bool fold = false;       // i
  bool multiline = false;  // m: ^ and $ match at line boundaries
  bool dot_nl = false;     // s: . matches \n
  bool ungreedy = false;   // U: irrelevant to a yes/no match but accepted
};

class Parser {
 public:
  explicit Parser(std::string_view pattern) : whole_(pattern), t_(pattern) {}

  // Parses the whole pattern; returns nullptr and sets *error on failure.
  NodePtr Parse(std::string* error) {
    for (size_t i = 0; i < whole_.size();) {
      DecodedRune d = DecodeRune(whole_, i);
      if (d.rune == kRuneError && d.width == 1) {
        Fail(kErrInvalidUTF8, whole_);
        *error = error_;
        return nullptr;
      }
      i += static_cast<size_t>(d.width);
    }
    NodePtr n = ParseAlternation(0, Flags{});
    if (n && !t_.empty()) {
      // Only a ')' without an opening one stops the top-level alternation early.
      Fail(kErrUnexpectedParen, whole_);
      n = nullptr;
    }
    if (!n) *error = error_;
    return n;
  }

 private:
  bool Fail(std::string_view code, std::string_view expr) {
    if (error_.empty()) {
      error_ = "error parsing regexp: ";
      error_.append(code);
      error_ += ": `";
      error_.append(expr);
      error_ += "`";
    }
    return false;
  }

  char32_t NextRune() {
    DecodedRune d = DecodeRune(t_, 0);
    t_.remove_prefix(static_cast<size_t>(d.width));
    return d.rune;
  }

  // alternation := concat ('|' concat)*; stops before ')' or at the end.
  NodePtr ParseAlternation(int depth, Flags flags) {
    if (depth > kMaxNesting) {
      Fail(kErrNestingDepth, whole_);
      return nullptr;
    }
    std::vector<NodePtr> alternatives;
    for (;;) {
      NodePtr concat = ParseConcat(depth, &flags);
      if (!concat) return nullptr;
      alternatives.push_back(std::move(concat));
      if (!t_.empty() && t_[0] == '|') {
        t_.remove_prefix(1);
        continue;
      }
      break;
    }
    if (alternatives.size() == 1) return std::move(alternatives[0]);
    NodePtr alt = MakeNode(Node::Kind::kAlternate);
    alt->subs = std::move(alternatives);
    return alt;
  }

  NodePtr ParseConcat(int depth, Flags* flags) {
    NodePtr concat = MakeNode(Node::Kind::kConcat);
    std::vector<NodePtr>& items = concat->subs;
    std::string_view last_repeat;  // the text from the previous repetition operator on, if any
    while (!t_.empty() && t_[0] != '|' && t_[0] != ')') {
      std::string_view before = t_;
      char c = t_[0];
      if (c == '*' || c == '+' || c == '?' || c == '{') {
        int min = 0, max = -1;
        if (c == '{') {
          std::string_view after;
          if (!ParseRepeatBraces(t_, &min, &max, &after)) {
            t_.remove_prefix(1);
            NodePtr lit = MakeNode(Node::Kind::kRunes);
            AddRange(&lit->ranges, '{', '{', flags->fold);
            items.push_back(std::move(lit));
            last_repeat = {};
            continue;
          }
          std::string_view text = before.substr(0, before.size() - after.size());
          if (min < 0 || min > kMaxRepeat || max > kMaxRepeat || (max >= 0 && min > max)) {
            Fail(kErrInvalidRepeatSize, text);
            return nullptr;
          }
          t_ = after;
        } else {
          t_.remove_prefix(1);
          if (c == '+') min = 1;
          if (c == '?') max = 1;
        }
        if (!t_.empty() && t_[0] == '?') t_.remove_prefix(1);  // non-greedy: same yes/no answer
        if (!last_repeat.empty()) {
          Fail(kErrInvalidRepeatOp, last_repeat.substr(0, last_repeat.size() - t_.size()));
          return nullptr;
        }
        if (items.empty()) {
          Fail(kErrMissingRepeatArgument, before.substr(0, before.size() - t_.size()));
          return nullptr;
        }
        NodePtr rep = MakeNode(Node::Kind::kRepeat);
        rep->min = min;
        rep->max = max;
        rep->subs.push_back(std::move(items.back()));
        items.back() = std::move(rep);
        last_repeat = before;
        continue;
      }
      last_repeat = {};
      NodePtr atom;
      switch (c) {
        case '(': {
          if (t_.size() >= 2 && t_[1] == '?') {
            bool is_group = false;
            Flags inner = *flags;
            if (!ParsePerlGroup(flags, &inner, &is_group)) return nullptr;
            if (!is_group) continue;  // a flag setting like (?i): applies to the rest of this group
            atom = ParseGroupBody(depth, inner);
          } else {
            t_.remove_prefix(1);
            atom = ParseGroupBody(depth, *flags);
          }
          if (!atom) return nullptr;
          break;
        }
        case '^':
          t_.remove_prefix(1);
          atom = MakeNode(Node::Kind::kAssert);
          atom->assertion = flags->multiline ? kAssertBeginLine : kAssertBeginText;
          break;
        case '$':
          t_.remove_prefix(1);
          atom = MakeNode(Node::Kind::kAssert);
          atom->assertion = flags->multiline ? kAssertEndLine : kAssertEndText;
          break;
        case '.':
          t_.remove_prefix(1);
          atom = MakeNode(flags->dot_nl ? Node::Kind::kAnyChar : Node::Kind::kAnyNotNewline);
          break;
        case '[':
          atom = ParseClass(*flags);
          if (!atom) return nullptr;
          break;
        case '\\':
          if (!ParseBackslash(*flags, &items)) return nullptr;
          continue;
        default: {
          char32_t r = NextRune();
          atom = MakeNode(Node::Kind::kRunes);
          AddRange(&atom->ranges, r, r, flags->fold);
          break;
        }
      }
      items.push_back(std::move(atom));
    }
    if (items.size() == 1) return std::move(items[0]);
    if (items.empty()) return MakeNode(Node::Kind::kEmpty);
    return concat;
  }

  // After '(' (or "(?:" etc.) has been consumed: alternation then ')'.
  NodePtr ParseGroupBody(int depth, Flags flags) {
    NodePtr body = ParseAlternation(depth + 1, flags);
    if (!body) return nullptr;
    if (t_.empty() || t_[0] != ')') {
      Fail(kErrMissingParen, whole_);
      return nullptr;
    }
    t_.remove_prefix(1);
    return body;
  }

  // At "(?": a named capture (?P<name>, a group with flags (?i:, or a flag setting (?i).
  // *is_group tells whether a group body follows (consumed up to and including ':' or '>').
  bool ParsePerlGroup(Flags* flags, Flags* inner, bool* is_group) {
    std::string_view s = t_;
    if (t_.size() > 4 && t_[2] == 'P' && t_[3] == '<') {
      size_t end = t_.find('>');
      if (end == std::string_view::npos) return Fail(kErrInvalidNamedCapture, s);
      std::string_view name = t_.substr(4, end - 4);
      bool valid = !name.empty();
      for (char ch : name) valid = valid && (IsWordByte(static_cast<unsigned char>(ch)));
      if (!valid) return Fail(kErrInvalidNamedCapture, t_.substr(0, end + 1));
      t_.remove_prefix(end + 1);
      *inner = *flags;
      *is_group = true;
      return true;
    }
    t_.remove_prefix(2);
    Flags f = *flags;
    bool negate = false, saw_flag = false;
    while (!t_.empty()) {
      char32_t c = NextRune();
      switch (c) {
        case 'i':
          f.fold = !negate;
          saw_flag = true;
          continue;
        case 'm':
          f.multiline = !negate;
          saw_flag = true;
          continue;
        case 's':
          f.dot_nl = !negate;
          saw_flag = true;
          continue;
        case 'U':
          f.ungreedy = !negate;
          saw_flag = true;
          continue;
        case '-':
          if (negate) break;
          negate = true;
          saw_flag = false;
          continue;
        case ':':
        case ')':
          if (negate && !saw_flag) break;
          if (c == ':') {
            *inner = f;
            *is_group = true;
          } else {
            *flags = f;
            *is_group = false;
          }
          return true;
        default:
          break;
      }
      break;
    }
    return Fail(kErrInvalidPerlOp, s.substr(0, s.size() - t_.size()));
  }

  // Go's parseRepeat: {n}, {n,} or {n,m}. False when `s` does not start with one (then '{' is a
  // literal). A number of more than 8 digits yields -1 (reported as an invalid repeat count).
  static bool ParseRepeatBraces(std::string_view s, int* min, int* max, std::string_view* rest) {
    auto parse_int = [](std::string_view* p, int* out) {
      std::string_view v = *p;
      if (v.empty() || v[0] < '0' || v[0] > '9') return false;
      if (v.size() >= 2 && v[0] == '0' && v[1] >= '0' && v[1] <= '9') return false;
      int n = 0;
      size_t i = 0;
      for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) {
        if (n >= 100000000) {
          n = -1;
        } else if (n >= 0) {
          n = n * 10 + (v[i] - '0');
        }
      }
      p->remove_prefix(i);
      *out = n;
      return true;
    };
    if (s.empty() || s[0] != '{') return false;
    s.remove_prefix(1);
    if (!parse_int(&s, min)) return false;
    if (s.empty()) return false;
    if (s[0] != ',') {
      *max = *min;
    } else {
      s.remove_prefix(1);
      if (s.empty()) return false;
      if (s[0] == '}') {
        *max = -1;
      } else {
        if (!parse_int(&s, max)) return false;
        if (*max < 0) *min = -1;
      }
    }
    if (s.empty() || s[0] != '}') return false;
    *rest = s.substr(1);
    return true;
  }

  // Perl class escapes \d \s \w and their negations; true and the ranges when `t` starts with one.
  static bool PerlClass(std::string_view t, Ranges* out) {
    if (t.size() < 2 || t[0] != '\\') return false;
    Ranges r;
    switch (t[1] | 0x20) {
      case 'd':
        r = {{'0', '9'}};
        break;
      case 's':
        r = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
        break;
      case 'w':
        r = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
        break;
      default:
        return false;
    }
    *out = (t[1] >= 'A' && t[1] <= 'Z') ? Negate(std::move(r)) : std::move(r);
    return true;
  }

  // \p{Name} or \pN at the start of t_; consumes it. Only "Any" is known (see the header).
  // Returns false with an error set; *matched false when t_ does not start with \p or \P.
  bool UnicodeClass(Ranges* out, bool* matched) {
    *matched = false;
    if (t_.size() < 2 || t_[0] != '\\' || (t_[1] != 'p' && t_[1] != 'P')) return true;
    *matched = true;
    bool negated = t_[1] == 'P';
    std::string_view seq, name;
    if (t_.size() < 3) return Fail(kErrInvalidCharRange, t_);
    if (t_[2] == '{') {
      size_t end = t_.find('}');
      if (end == std::string_view::npos) return Fail(kErrInvalidCharRange, t_);
      seq = t_.substr(0, end + 1);
      name = t_.substr(3, end - 3);
    } else {
      size_t width = static_cast<size_t>(DecodeRune(t_, 2).width);
      seq = t_.substr(0, 2 + width);
      name = t_.substr(2, width);
    }
    if (!name.empty() && name[0] == '^') {
      negated = !negated;
      name.remove_prefix(1);
    }
    if (name != "Any") return Fail(kErrInvalidCharRange, seq);
    Ranges r = {{0, kMaxRune}};
    *out = negated ? Negate(std::move(r)) : std::move(r);
    t_.remove_prefix(seq.size());
    return true;
  }

  // Go's parseEscape: t_ starts at the backslash. Returns false with an error set.
  bool ParseEscape(char32_t* out) {
    std::string_view start = t_;
    t_.remove_prefix(1);
    if (t_.empty()) return Fail(kErrTrailingBackslash, "");
    char32_t c = NextRune();
    auto invalid = [&]() {
      return Fail(kErrInvalidEscape, start.substr(0, start.size() - t_.size()));
    };
    auto unhex = [](char32_t h) -> int {
      if (h >= '0' && h <= '9') return static_cast<int>(h - '0');
      if (h >= 'a' && h <= 'f') return static_cast<int>(h - 'a' + 10);
      if (h >= 'A' && h <= 'F') return static_cast<int>(h - 'A' + 10);
      return -1;
    };
    switch (c) {
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        if (t_.empty() || t_[0] < '0' || t_[0] > '7') return invalid();  // no backreferences
        [[fallthrough]];
      case '0': {
        char32_t r = c - '0';
        for (int i = 1; i < 3 && !t_.empty() && t_[0] >= '0' && t_[0] <= '7'; ++i) {
          r = r * 8 + static_cast<char32_t>(t_[0] - '0');
          t_.remove_prefix(1);
        }
        *out = r;
        return true;
      }
      case 'x': {
        if (t_.empty()) return invalid();
        char32_t h = NextRune();
        if (h == '{') {
          int digits = 0;
          char32_t r = 0;
          for (;;) {
            if (t_.empty()) return invalid();
            char32_t d = NextRune();
            if (d == '}') break;
            int v = unhex(d);
            if (v < 0) return invalid();
            r = r * 16 + static_cast<char32_t>(v);
            if (r > kMaxRune) return invalid();
            ++digits;
          }
          if (digits == 0) return invalid();
          *out = r;
          return true;
        }
        if (t_.empty()) return invalid();
        char32_t l = NextRune();
        int x = unhex(h), y = unhex(l);
        if (x < 0 || y < 0) return invalid();
        *out = static_cast<char32_t>(x * 16 + y);
        return true;
      }
      case 'a':
        *out = '\a';
        return true;
      case 'f':
        *out = '\f';
        return true;
      case 'n':
        *out = '\n';
        return true;
      case 'r':
        *out = '\r';
        return true;
      case 't':
        *out = '\t';
        return true;
      case 'v':
        *out = '\v';
        return true;
      default:
        if (c < 0x80 && !IsWordByte(static_cast<int32_t>(c))) {
          *out = c;  // escaped punctuation is itself
          return true;
        }
        return invalid();
    }
  }

  // A backslash outside a class: an assertion, \Q...\E, a Perl or Unicode class, or an escape.
  bool ParseBackslash(const Flags& flags, std::vector<NodePtr>* items) {
    if (t_.size() >= 2) {
      uint8_t assertion = 0xFF;
      switch (t_[1]) {
        case 'A':
          assertion = kAssertBeginText;
          break;
        case 'z':
          assertion = kAssertEndText;
          break;
        case 'b':
          assertion = kAssertWordBoundary;
          break;
        case 'B':
          assertion = kAssertNoWordBoundary;
          break;
        case 'C':
          return Fail(kErrInvalidEscape, t_.substr(0, 2));
        case 'Q': {
          std::string_view lit = t_.substr(2);
          size_t end = lit.find("\\E");
          t_ = end == std::string_view::npos ? std::string_view{} : lit.substr(end + 2);
          if (end != std::string_view::npos) lit = lit.substr(0, end);
          for (size_t i = 0; i < lit.size();) {
            DecodedRune d = DecodeRune(lit, i);
            NodePtr n = MakeNode(Node::Kind::kRunes);
            AddRange(&n->ranges, d.rune, d.rune, flags.fold);
            items->push_back(std::move(n));
            i += static_cast<size_t>(d.width);
          }
          return true;
        }
        default:
          break;
      }
      if (assertion != 0xFF) {
        t_.remove_prefix(2);
        NodePtr n = MakeNode(Node::Kind::kAssert);
        n->assertion = assertion;
        items->push_back(std::move(n));
        return true;
      }
    }
    Ranges ranges;
    bool matched = false;
    if (!UnicodeClass(&ranges, &matched)) return false;
    if (!matched && PerlClass(t_, &ranges)) {
      t_.remove_prefix(2);
      matched = true;
    }
    if (matched) {
      NodePtr n = MakeNode(Node::Kind::kRunes);
      n->ranges = std::move(ranges);
      items->push_back(std::move(n));
      return true;
    }
    char32_t r;
    if (!ParseEscape(&r)) return false;
    NodePtr n = MakeNode(Node::Kind::kRunes);
    AddRange(&n->ranges, r, r, flags.fold);
    items->push_back(std::move(n));
    return true;
  }

  // [:name:] at the start of t_ (inside a class). *matched false when it is not one.
  bool NamedClass(Ranges* out, bool* matched) {
    *matched = false;
    size_t end = t_.find(":]", 2);
    if (end == std::string_view::npos) return true;
    std::string_view name = t_.substr(2, end - 2);
    std::string_view seq = t_.substr(0, end + 2);
    bool negated = !name.empty() && name[0] == '^';
    if (negated) name.remove_prefix(1);
    Ranges r;
    if (name == "alnum")
      r = {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}};
    else if (name == "alpha")
      r = {{'A', 'Z'}, {'a', 'z'}};
    else if (name == "ascii")
      r = {{0, 0x7F}};
    else if (name == "blank")
      r = {{'\t', '\t'}, {' ', ' '}};
    else if (name == "cntrl")
      r = {{0, 0x1F}, {0x7F, 0x7F}};
    else if (name == "digit")
      r = {{'0', '9'}};
    else if (name == "graph")
      r = {{'!', '~'}};
    else if (name == "lower")
      r = {{'a', 'z'}};
    else if (name == "print")
      r = {{' ', '~'}};
    else if (name == "punct")
      r = {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}};
    else if (name == "space")
      r = {{'\t', '\r'}, {' ', ' '}};
    else if (name == "upper")
      r = {{'A', 'Z'}};
    else if (name == "word")
      r = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
    else if (name == "xdigit")
      r = {{'0', '9'}, {'A', 'F'}, {'a', 'f'}};
    else
      return Fail(kErrInvalidCharRange, seq);
    *matched = true;
    *out = negated ? Negate(std::move(r)) : std::move(r);
    t_.remove_prefix(seq.size());
    return true;
  }

  // One class member character (maybe escaped); `whole` is the class text for the error.
  bool ClassChar(std::string_view whole, char32_t* out) {
    if (t_.empty()) return Fail(kErrMissingBracket, whole);
    if (t_[0] == '\\') return ParseEscape(out);
    *out = NextRune();
    return true;
  }

  NodePtr ParseClass(const Flags& flags) {
    std::string_view whole = t_;
    t_.remove_prefix(1);
    bool negated = false;
    if (!t_.empty() && t_[0] == '^') {
      negated = true;
      t_.remove_prefix(1);
    }
    Ranges ranges;
    bool first = true;
    while (t_.empty() || t_[0] != ']' || first) {
      first = false;
      if (t_.size() > 2 && t_[0] == '[' && t_[1] == ':') {
        Ranges named;
        bool matched = false;
        if (!NamedClass(&named, &matched)) return nullptr;
        if (matched) {
          ranges.insert(ranges.end(), named.begin(), named.end());
          continue;
        }
      }
      Ranges special;
      bool matched = false;
      if (!UnicodeClass(&special, &matched)) return nullptr;
      if (!matched && PerlClass(t_, &special)) {
        t_.remove_prefix(2);
        matched = true;
      }
      if (matched) {
        ranges.insert(ranges.end(), special.begin(), special.end());
        continue;
      }
      std::string_view range_text = t_;
      char32_t lo, hi;
      if (!ClassChar(whole, &lo)) return nullptr;
      hi = lo;
      if (t_.size() >= 2 && t_[0] == '-' && t_[1] != ']') {
        t_.remove_prefix(1);
        if (!ClassChar(whole, &hi)) return nullptr;
        if (hi < lo) {
          Fail(kErrInvalidCharRange, range_text.substr(0, range_text.size() - t_.size()));
          return nullptr;
        }
      }
      AddRange(&ranges, lo, hi, flags.fold);
    }
    t_.remove_prefix(1);  // ']'
    NodePtr n = MakeNode(Node::Kind::kRunes);
    Normalize(&ranges);
    n->ranges = negated ? Negate(std::move(ranges)) : std::move(ranges);
    return n;
  }

  std::string_view whole_;
  std::string_view t_;  // the unparsed rest
  std::string error_;
};

}  // namespace

// Builds the instruction list from the tree, back to front: each node is emitted with the pc of
// what follows it already known, so no patching is needed.
class RegexCompiler {
 public:
  Result<Regex> Build(const Node& root, std::string_view pattern) {
    auto program = std::make_shared<Regex::Program>();
    program_ = program.get();
    int match = Emit({Regex::Inst::Op::kMatch});
    int start = Compile(root, match);
    if (too_large_) {
      return Status::InvalidArgument("error parsing regexp: " + std::string(kErrLarge) + ": `" +
                                     std::string(pattern) + "`");
    }
    program->start = start;
    return Regex(std::move(program));
  }

 private:
  int Emit(Regex::Inst inst) {
    if (program_->insts.size() >= Regex::kMaxProgramSize) {
      too_large_ = true;
      return 0;
    }
    program_->insts.push_back(inst);
    return static_cast<int>(program_->insts.size() - 1);
  }

  int Split(int a, int b) {
    Regex::Inst inst{Regex::Inst::Op::kSplit};
    inst.out = a;
    inst.out1 = b;
    return Emit(inst);
  }

  int Compile(const Node& n, int next) {
    if (too_large_) return 0;
    switch (n.kind) {
      case Node::Kind::kEmpty:
        return next;
      case Node::Kind::kRunes: {
        Regex::Inst inst{Regex::Inst::Op::kRune};
        inst.out = next;
        inst.ranges = static_cast<int>(program_->ranges.size());
        program_->ranges.push_back(n.ranges);
        return Emit(inst);
      }
      case Node::Kind::kAnyChar:
      case Node::Kind::kAnyNotNewline: {
        Regex::Inst inst{n.kind == Node::Kind::kAnyChar ? Regex::Inst::Op::kAny
                                                        : Regex::Inst::Op::kAnyNotNewline};
        inst.out = next;
        return Emit(inst);
      }
      case Node::Kind::kAssert: {
        Regex::Inst inst{Regex::Inst::Op::kAssert};
        inst.assertion = n.assertion;
        inst.out = next;
        return Emit(inst);
      }
      case Node::Kind::kConcat:
        for (auto it = n.subs.rbegin(); it != n.subs.rend(); ++it) next = Compile(**it, next);
        return next;
      case Node::Kind::kAlternate: {
        int entry = Compile(*n.subs.back(), next);
        for (size_t i = n.subs.size() - 1; i-- > 0;)
          entry = Split(Compile(*n.subs[i], next), entry);
        return entry;
      }
      case Node::Kind::kRepeat: {
        const Node& sub = *n.subs[0];
        int tail = next;
        if (n.max < 0) {
          // x* : a split that either enters the body (which loops back) or leaves.
          int loop = Split(-1, next);
          if (too_large_) return 0;
          int body = Compile(sub, loop);
          program_->insts[static_cast<size_t>(loop)].out = body;
          tail = loop;
          if (n.min > 0) {
            // x{n,}: n-1 plain copies then x+ (the body followed by the loop).
            tail = body;
            for (int i = 1; i < n.min && !too_large_; ++i) tail = Compile(sub, tail);
          }
          return tail;
        }
        for (int i = n.min; i < n.max && !too_large_; ++i) tail = Split(Compile(sub, tail), next);
        for (int i = 0; i < n.min && !too_large_; ++i) tail = Compile(sub, tail);
        return tail;
      }
    }
    return next;
  }

  Regex::Program* program_ = nullptr;
  bool too_large_ = false;
};

Result<Regex> Regex::Compile(std::string_view pattern) {
  std::string error;
  Parser parser(pattern);
  NodePtr root = parser.Parse(&error);
  if (!root) return Status::InvalidArgument(error);
  return RegexCompiler().Build(*root, pattern);
}

namespace {

// A set of pcs with O(1) insert, membership and clear, in insertion order.
class ThreadList {
 public:
  explicit ThreadList(size_t n) : sparse_(n), dense_(n) {}
  bool Contains(int pc) const {
    size_t i = sparse_[static_cast<size_t>(pc)];
    return i < size_ && dense_[i] == pc;
  }
  void Insert(int pc) {
    sparse_[static_cast<size_t>(pc)] = size_;
    dense_[size_++] = pc;
  }
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }
  int operator[](size_t i) const { return dense_[i]; }

 private:
  std::vector<size_t> sparse_;
  std::vector<int> dense_;
  size_t size_ = 0;
};

}  // namespace

bool Regex::Search(std::string_view text) const {
  const Program& p = *program_;
  const size_t n = p.insts.size();
  ThreadList current(n), next(n);
  std::vector<int> stack;
  bool matched = false;

  // Follows the empty transitions from `pc` at a position between runes `before` and `after`
  // (-1 at either end of the text), adding the rune-consuming instructions to `list`.
  auto add = [&](ThreadList& list, int start_pc, int32_t before, int32_t after) {
    stack.push_back(start_pc);
    while (!stack.empty()) {
      int pc = stack.back();
      stack.pop_back();
      if (pc < 0 || list.Contains(pc)) continue;
      list.Insert(pc);
      const Inst& inst = p.insts[static_cast<size_t>(pc)];
      switch (inst.op) {
        case Inst::Op::kMatch:
          matched = true;
          break;
        case Inst::Op::kJump:
          stack.push_back(inst.out);
          break;
        case Inst::Op::kSplit:
          stack.push_back(inst.out1);
          stack.push_back(inst.out);
          break;
        case Inst::Op::kAssert: {
          bool ok = false;
          switch (inst.assertion) {
            case kAssertBeginLine:
              ok = before < 0 || before == '\n';
              break;
            case kAssertEndLine:
              ok = after < 0 || after == '\n';
              break;
            case kAssertBeginText:
              ok = before < 0;
              break;
            case kAssertEndText:
              ok = after < 0;
              break;
            case kAssertWordBoundary:
              ok = IsWordByte(before) != IsWordByte(after);
              break;
            case kAssertNoWordBoundary:
              ok = IsWordByte(before) == IsWordByte(after);
              break;
          }
          if (ok) stack.push_back(inst.out);
          break;
        }
        default:
          break;
      }
    }
  };

  size_t pos = 0;
  int32_t before = -1;
  DecodedRune cur = DecodeRune(text, 0);
  for (;;) {
    int32_t here = cur.width == 0 ? -1 : static_cast<int32_t>(cur.rune);
    add(current, p.start, before, here);  // unanchored: a match may start at every position
    if (matched) return true;
    if (cur.width == 0) return false;
    size_t next_pos = pos + static_cast<size_t>(cur.width);
    DecodedRune following = DecodeRune(text, next_pos);
    int32_t after = following.width == 0 ? -1 : static_cast<int32_t>(following.rune);
    next.Clear();
    for (size_t i = 0; i < current.size(); ++i) {
      const Inst& inst = p.insts[static_cast<size_t>(current[i])];
      bool takes = false;
      switch (inst.op) {
        case Inst::Op::kAny:
          takes = true;
          break;
        case Inst::Op::kAnyNotNewline:
          takes = cur.rune != '\n';
          break;
        case Inst::Op::kRune: {
          const auto& ranges = p.ranges[static_cast<size_t>(inst.ranges)];
          auto it = std::upper_bound(ranges.begin(), ranges.end(), cur.rune,
                                     [](char32_t r, const std::pair<char32_t, char32_t>& range) {
                                       return r < range.first;
                                     });
          takes = it != ranges.begin() && std::prev(it)->second >= cur.rune;
          break;
        }
        default:
          break;
      }
      if (takes) add(next, inst.out, here, after);
      if (matched) return true;
    }
    std::swap(current, next);
    before = here;
    pos = next_pos;
    cur = following;
  }
}

}  // namespace consulate::filter
