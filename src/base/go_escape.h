// Go's string-literal escapes and UTF-8 encoding, shared by the parsers that read Go-syntax strings
// (HCL values in config/, filter expressions in filter/).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace consulate {

// Appends the UTF-8 encoding of `rune`; invalid code points (surrogates, > U+10FFFF) become U+FFFD.
void AppendUtf8(std::string* out, uint32_t rune);

// Decodes one escape sequence of a double-quoted Go string. REQUIRES: `*s` starts right after the
// backslash. Appends the decoded bytes to `out` and consumes the sequence from `*s`. Accepts
// \a \b \f \n \r \t \v \\ \" \xHH (one byte) \uHHHH \UHHHHHHHH (code points) and \OOO (one byte);
// returns false for anything else (including \' and surrogate code points).
bool DecodeGoEscape(std::string_view* s, std::string* out);

}  // namespace consulate
