// Regular expressions for bexpr's `matches` operator, in Go's RE2 syntax (the `regexp` package
// Consul uses), matched by an NFA simulation: time linear in the text times the program size, no
// backtracking and no recursion over the text, so a hostile pattern cannot stall a server.
//
// Supported: literals and escapes (\a \f \n \r \t \v, \x41, \x{263a}, octal \101, escaped
// punctuation, \Q...\E), . [...] [^...] with ranges, Perl classes \d \s \w (and negations, also
// inside brackets), POSIX classes [[:alpha:]] and [[:^alpha:]], \p{Any}, anchors ^ $ \A \z \b \B,
// groups ( ) (?: ) (?P<name> ), flags (?imsU) (?i:...) (?-i), alternation, * + ? {n} {n,} {n,m}
// and their non-greedy forms. Parse errors carry Go's text, e.g.
// "error parsing regexp: missing closing ): `(a`".
//
// Differences from Go (documented in the module README): Unicode classes other than \p{Any}
// (\pL, \p{Greek}, ...) are rejected; case folding under (?i) covers ASCII plus the two special
// folds k/K/U+212A and s/S/U+017F; programs are capped at kMaxProgramSize instructions
// ("expression too large").
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace consulate::filter {

class Regex {
 public:
  static constexpr size_t kMaxProgramSize = 20000;

  // Compiles `pattern`; the error (InvalidArgument) message is Go's regexp error text.
  static Result<Regex> Compile(std::string_view pattern);

  // True when some substring of `text` matches (Go's Regexp.MatchString). Invalid UTF-8 bytes
  // in `text` each count as one U+FFFD, as in Go.
  bool Search(std::string_view text) const;

  struct Inst {
    enum class Op : uint8_t { kRune, kAny, kAnyNotNewline, kSplit, kJump, kAssert, kMatch };
    Op op;
    uint8_t assertion = 0;  // kAssert: one of the kAssert* values in regex.cc
    int out = -1;
    int out1 = -1;    // kSplit: the second branch
    int ranges = -1;  // kRune: index into ranges_ (sorted, disjoint, inclusive)
  };

 private:
  struct Program {
    std::vector<Inst> insts;
    std::vector<std::vector<std::pair<char32_t, char32_t>>> ranges;
    int start = 0;
  };
  explicit Regex(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  friend class RegexCompiler;
  std::shared_ptr<const Program> program_;
};

}  // namespace consulate::filter
