// Text layout as Consul's CLI does it: paragraph wrapping with minimal raggedness (the algorithm of
// Consul's help output) and elastic tab stops (Go's text/tabwriter, used for aligned columns).
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// Aligns rows of cells as ryanuber/columnize does with its defaults (used by Consul's tables, e.g.
// `catalog nodes`): each cell is trimmed of surrounding white space; every cell but a row's last is
// padded to its column's widest cell (counted in UTF-8 code points) and followed by two spaces.
// Rows are joined by '\n', without a final newline. Rows may have different numbers of cells.
std::string Columnize(const std::vector<std::vector<std::string>>& rows);

}  // namespace consulate::cli
