#include "api/url.h"

#include <algorithm>

namespace consulate::api {

namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void AppendPercent(std::string* out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  *out += '%';
  *out += kHex[c >> 4];
  *out += kHex[c & 15];
}

}  // namespace

std::string EscapePath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    bool keep = IsUnreserved(c);
    switch (c) {
      case '$':
      case '&':
      case '+':
      case ',':
      case '/':
      case ':':
      case ';':
      case '=':
      case '@':
        keep = true;
        break;
      default:
        break;
    }
    if (keep) {
      out += static_cast<char>(c);
    } else {
      AppendPercent(&out, c);
    }
  }
  return out;
}

std::string QueryEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(c)) {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      AppendPercent(&out, c);
    }
  }
  return out;
}

std::string EncodeQuery(const Params& params) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  for (const auto& p : params) sorted.push_back(&p);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string out;
  for (const auto* p : sorted) {
    if (!out.empty()) out += '&';
    out += QueryEscape(p->first);
    out += '=';
    out += QueryEscape(p->second);
  }
  return out;
}

std::string EscapeHost(std::string_view host) {
  std::string out;
  for (unsigned char c : host) {
    bool keep = IsUnreserved(c);
    switch (c) {
      case '!':
      case '$':
      case '&':
      case '\'':
      case '(':
      case ')':
      case '*':
      case '+':
      case ',':
      case ';':
      case '=':
      case ':':
      case '[':
      case ']':
      case '<':
      case '>':
      case '"':
        keep = true;
        break;
      default:
        break;
    }
    if (keep || c >= 0x80) {  // Go leaves non-ASCII host bytes alone
      out += static_cast<char>(c);
    } else {
      AppendPercent(&out, c);
    }
  }
  return out;
}

}  // namespace consulate::api
