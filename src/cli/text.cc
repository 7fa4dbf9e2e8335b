#include "cli/text.h"

#include <algorithm>
#include <climits>
#include <vector>

namespace consulate::cli {

namespace {

constexpr int kMaxLineLength = 72;         // width of Consul's help output
constexpr long kOverlongPenalty = 100000;  // extra cost of a line longer than the limit

int RuneCount(std::string_view s) {
  int n = 0;
  for (unsigned char c : s) {
    if ((c & 0xc0) != 0x80) ++n;
  }
  return n;
}

std::vector<std::string_view> SplitOn(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string_view TrimAsciiSpace(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string WrapText(std::string_view text, int limit) {
  std::string flat(TrimAsciiSpace(text));
  for (char& c : flat) {
    if (c == '\n') c = ' ';
  }
  std::vector<std::string_view> words = SplitOn(flat, ' ');
  const size_t n = words.size();
  std::vector<int> word_len(n);
  for (size_t i = 0; i < n; ++i) word_len[i] = RuneCount(words[i]);

  // length(i, j): width of words i..j on one line.
  auto length = [&](size_t i, size_t j) {
    long total = 0;
    for (size_t k = i; k <= j; ++k) total += word_len[k];
    return total + static_cast<long>(j - i);
  };

  // cost[i]: least cost of laying out words i..n-1; next_break[i]: the first word of the next line.
  std::vector<long> cost(n, LONG_MAX);
  std::vector<size_t> next_break(n, n);
  for (size_t idx = n; idx-- > 0;) {
    if (length(idx, n - 1) <= limit || idx == n - 1) {
      cost[idx] = 0;
      next_break[idx] = n;
      continue;
    }
    long width = word_len[idx];  // length(idx, j - 1), grown as j advances
    for (size_t j = idx + 1; j < n; ++j) {
      if (j > idx + 1) width += 1 + word_len[j - 1];
      long slack = limit - width;
      long c = slack * slack + cost[j];
      if (width > limit) c += kOverlongPenalty;
      if (c < cost[idx]) {
        cost[idx] = c;
        next_break[idx] = j;
      }
    }
  }

  std::string out;
  for (size_t i = 0; i < n;) {
    if (i > 0) out += '\n';
    for (size_t k = i; k < next_break[i]; ++k) {
      if (k > i) out += ' ';
      out += words[k];
    }
    i = next_break[i];
  }
  return out;
}

std::string WrapAtLength(std::string_view text, int pad) {
  std::string wrapped = WrapText(text, kMaxLineLength - pad);
  std::string indent(static_cast<size_t>(pad), ' ');
  std::string out;
  for (std::string_view line : SplitOn(wrapped, '\n')) {
    if (!out.empty()) out += '\n';
    out += indent;
    out += line;
  }
  return out;
}

namespace {

struct Cell {
  std::string_view text;
  int width = 0;
};
using Line = std::vector<Cell>;

class TabFormatter {
 public:
  TabFormatter(std::vector<Line> lines, int min_width, int padding, char pad_char)
      : lines_(std::move(lines)), min_width_(min_width), padding_(padding), pad_char_(pad_char) {}

  std::string Run() {
    Format(0, lines_.size());
    return std::move(out_);
  }

 private:
  // Go's tabwriter.format: lays out lines [line0, line1) given the widths of the columns to the
  // left.
  void Format(size_t line0, size_t line1) {
    size_t column = widths_.size();
    for (size_t current = line0; current < line1; ++current) {
      if (column + 1 >= lines_[current].size()) continue;  // no cell in this column
      // Print the lines before the block, then size the block's column.
      WriteLines(line0, current);
      line0 = current;
      int width = min_width_;
      for (; current < line1; ++current) {
        const Line& line = lines_[current];
        if (column + 1 >= line.size()) break;
        width = std::max(width, line[column].width + padding_);
      }
      widths_.push_back(width);
      Format(line0, current);
      widths_.pop_back();
      // `current` has no cell in this column, so the loop may step past it.
      line0 = current;
    }
    WriteLines(line0, line1);
  }

  void WriteLines(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; ++i) {
      const Line& line = lines_[i];
      for (size_t j = 0; j < line.size(); ++j) {
        out_ += line[j].text;
        if (j < widths_.size())
          out_.append(static_cast<size_t>(widths_[j] - line[j].width), pad_char_);
      }
      if (i + 1 < lines_.size()) out_ += '\n';
    }
  }

  std::vector<Line> lines_;
  int min_width_;
  int padding_;
  char pad_char_;
  std::vector<int> widths_;
  std::string out_;
};

}  // namespace

std::string TabFormat(std::string_view text, int min_width, int padding, char pad_char) {
  std::vector<Line> lines;
  std::vector<std::string_view> raw_lines = SplitOn(text, '\n');
  for (size_t i = 0; i < raw_lines.size(); ++i) {
    Line line;
    std::vector<std::string_view> cells = SplitOn(raw_lines[i], '\t');
    // A newline ends every line's last cell, even an empty one; the unterminated text at the very
    // end is a cell only when non-empty (as Go's Flush does).
    bool final_line = i + 1 == raw_lines.size();
    for (size_t k = 0; k < cells.size(); ++k) {
      if (final_line && k + 1 == cells.size() && cells[k].empty()) break;
      line.push_back(Cell{cells[k], RuneCount(cells[k])});
    }
    lines.push_back(std::move(line));
  }
  return TabFormatter(std::move(lines), min_width, padding, pad_char).Run();
}

std::string Columnize(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::vector<std::string_view>> cells(rows.size());
  std::vector<int> widths;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      std::string_view cell = TrimAsciiSpace(rows[r][c]);
      cells[r].push_back(cell);
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], RuneCount(cell));
    }
  }
  std::string out;
  for (size_t r = 0; r < cells.size(); ++r) {
    if (r > 0) out += '\n';
    for (size_t c = 0; c < cells[r].size(); ++c) {
      out += cells[r][c];
      if (c + 1 == cells[r].size()) break;
      out.append(static_cast<size_t>(widths[c] - RuneCount(cells[r][c])), ' ');
      out += "  ";
    }
  }
  return out;
}

}  // namespace consulate::cli
