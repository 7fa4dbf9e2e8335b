// The few pieces of Go's strconv that go-bexpr's behaviour (and its error texts) depend on:
// quoting (%q), string-literal unquoting, and the number/bool parsers its coercion functions call.
// Each mirrors Go's rules closely enough that an expression accepted or rejected by Consul is
// accepted or rejected here with the same message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace consulate::filter {

// One Unicode code point decoded from UTF-8 as Go does: an invalid or truncated sequence, an
// overlong form, a surrogate or a value past U+10FFFF decodes as U+FFFD with width 1. At the end
// of the input the rune is U+FFFD with width 0.
struct DecodedRune {
  char32_t rune;
  int width;
};
inline constexpr char32_t kRuneError = 0xFFFD;
DecodedRune DecodeRune(std::string_view s, size_t offset);

// Go's strconv.Quote: a double-quoted literal with Go escapes (what fmt's %q prints for a string).
std::string GoQuote(std::string_view s);

// Go's strconv.Unquote for "..." and `...` literals. Returns false (Go's ErrSyntax, "invalid
// syntax") when `literal` is not a valid one.
bool GoUnquote(std::string_view literal, std::string* out);

// Go's strconv.ParseInt(s, 0, bits) / ParseUint(s, 0, bits) / ParseFloat(s, bits) / ParseBool(s).
// On failure *err is Go's error text, e.g. `strconv.ParseInt: parsing "x": invalid syntax`.
bool GoParseInt(std::string_view s, int bits, int64_t* out, std::string* err);
bool GoParseUint(std::string_view s, int bits, uint64_t* out, std::string* err);
bool GoParseFloat(std::string_view s, int bits, double* out, std::string* err);
bool GoParseBool(std::string_view s, bool* out, std::string* err);

}  // namespace consulate::filter
