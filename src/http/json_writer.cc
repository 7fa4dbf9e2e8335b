#include "http/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace consulate::http {

namespace {
constexpr char kHex[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid.
size_t Utf8Len(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c == 0xE0 && c1 < 0xA0) return 0;
    if (c == 0xED && c1 > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c == 0xF0 && c1 < 0x90) return 0;
    if (c == 0xF4 && c1 > 0x8F) return 0;
    return 4;
  }
  return 0;
}
}  // namespace

void JsonWriter::Escape(std::string_view s, std::string* out) {
  size_t i = 0, start = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = Utf8Len(s, i);
      if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
           static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
        out->append(s.data() + start, i - start);
        out->append(static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
        i += 3;
        start = i;
        continue;
      }
      if (n > 0) {
        i += n;
        continue;
      }
      out->append(s.data() + start, i - start);
      out->append("\\ufffd");
      ++i;
      start = i;
      continue;
    }
    out->append(s.data() + start, i - start);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
    ++i;
    start = i;
  }
  out->append(s.data() + start, s.size() - start);
}

void JsonWriter::Newline() {
  out_->push_back('\n');
  out_->append(stack_.size() * 4, ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& l = stack_.back();
  if (!l.first) out_->push_back(',');
  l.first = false;
  if (pretty_) Newline();
}

void JsonWriter::Open(char c) {
  BeforeValue();
  out_->push_back(c);
  stack_.push_back(Level{});
}

void JsonWriter::Close(char c) {
  bool empty = stack_.back().first;
  stack_.pop_back();
  if (pretty_ && !empty) Newline();
  out_->push_back(c);
}

void JsonWriter::Key(std::string_view k) {
  BeforeValue();
  out_->push_back('"');
  Escape(k, out_);
  out_->append(pretty_ ? "\": " : "\":");
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  out_->push_back('"');
  Escape(s, out_);
  out_->push_back('"');
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr);
}

void JsonWriter::Double(double v) {
  BeforeValue();
  if (!std::isfinite(v)) {
    out_->append("null");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr);
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_->append(v ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
}

void JsonWriter::Base64(std::string_view bytes) {
  BeforeValue();
  out_->push_back('"');
  size_t i = 0;
  auto u = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (u(i) << 16) | (u(i + 1) << 8) | u(i + 2);
    out_->push_back(kB64[(n >> 18) & 63]);
    out_->push_back(kB64[(n >> 12) & 63]);
    out_->push_back(kB64[(n >> 6) & 63]);
    out_->push_back(kB64[n & 63]);
  }
  if (bytes.size() - i == 1) {
    uint32_t n = u(i) << 16;
    out_->push_back(kB64[(n >> 18) & 63]);
    out_->push_back(kB64[(n >> 12) & 63]);
    out_->append("==");
  } else if (bytes.size() - i == 2) {
    uint32_t n = (u(i) << 16) | (u(i + 1) << 8);
    out_->push_back(kB64[(n >> 18) & 63]);
    out_->push_back(kB64[(n >> 12) & 63]);
    out_->push_back(kB64[(n >> 6) & 63]);
    out_->push_back('=');
  }
  out_->push_back('"');
}

}  // namespace consulate::http
