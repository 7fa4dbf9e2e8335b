// Text layout as Consul's CLI does it: paragraph wrapping with minimal raggedness (the algorithm of
// Consul's help output) and elastic tab stops (Go's text/tabwriter, used for aligned columns).
#pragma once

#include <string>
#include <string_view>

namespace consulate::cli {

// Wraps `text` into lines of at most `limit` characters (counted in UTF-8 code points) so that the
// sum of squared slack is minimal; a word longer than `limit` gets a line of its own. Newlines in
// `text` count as spaces; words are separated by single spaces.
std::string WrapText(std::string_view text, int limit);

// Wraps `text` to fit 72 columns after `pad` columns of indentation and indents every line by
// `pad`.
std::string WrapAtLength(std::string_view text, int pad);

// Aligns tab-separated cells into columns like Go's text/tabwriter with the given minimum cell
// width and padding, padding with `pad_char`. A cell is text ending in '\t'; the text after a
// line's last tab is not part of a column. A column block is a run of consecutive lines that have
// that cell.
std::string TabFormat(std::string_view text, int min_width, int padding, char pad_char = ' ');

}  // namespace consulate::cli
