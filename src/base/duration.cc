#include "base/duration.h"

#include <cmath>
#include <cstdint>

namespace consulate {

Result<Duration> ParseGoDuration(std::string_view text) {
  const std::string orig(text);
  auto invalid = [&] { return Status::InvalidArgument("time: invalid duration \"" + orig + "\""); };
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return Duration(0);
  if (text.empty()) return invalid();
  long double total = 0;
  while (!text.empty()) {
    size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      ++i;
      digits = true;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        value += (text[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return invalid();
    size_t u = i;
    while (u < text.size() && !(text[u] >= '0' && text[u] <= '9') && text[u] != '.') ++u;
    std::string_view unit = text.substr(i, u - i);
    long double mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = 1e3L;
    else if (unit == "ms")
      mult = 1e6L;
    else if (unit == "s")
      mult = 1e9L;
    else if (unit == "m")
      mult = 60e9L;
    else if (unit == "h")
      mult = 3600e9L;
    else if (unit.empty())
      return Status::InvalidArgument("time: missing unit in duration \"" + orig + "\"");
    else
      return Status::InvalidArgument("time: unknown unit \"" + std::string(unit) +
                                     "\" in duration \"" + orig + "\"");
    total += value * mult;
    if (total > 9.2e18L) return invalid();
    text.remove_prefix(u);
  }
  auto ns = static_cast<int64_t>(std::llround(static_cast<double>(total)));
  return Duration(negative ? -ns : ns);
}

std::string FormatGoDuration(Duration d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-ns) : static_cast<uint64_t>(ns);
  auto frac = [](uint64_t v, uint64_t unit) {
    std::string s = std::to_string(v / unit);
    uint64_t rem = v % unit;
    if (rem) {
      std::string f = std::to_string(unit + rem).substr(1);
      while (!f.empty() && f.back() == '0') f.pop_back();
      s += "." + f;
    }
    return s;
  };
  if (u < 1000) return sign + std::to_string(u) + "ns";
  if (u < 1000000) return sign + frac(u, 1000) + "\xC2\xB5s";
  if (u < 1000000000) return sign + frac(u, 1000000) + "ms";
  std::string out = sign;
  uint64_t secs_total = u / 1000000000;
  uint64_t h = secs_total / 3600, m = (secs_total % 3600) / 60;
  if (h) out += std::to_string(h) + "h";
  if (h || m) out += std::to_string(m) + "m";
  out += frac(u % 60000000000ULL, 1000000000) + "s";
  return out;
}

}  // namespace consulate
