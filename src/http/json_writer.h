// A streaming JSON writer that produces exactly what Go's encoding/json does for Consul's
// responses: compact (json.Marshal) or indented with four spaces (json.MarshalIndent), strings
// escaped like Go (including <, > and & as \u003c, \u003e, \u0026, and invalid UTF-8 as \ufffd).
// Fast enough for the hot GET path: it appends to one std::string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace consulate::http {

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty, std::string* out) : pretty_(pretty), out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view k);
  void String(std::string_view s);
  void Uint(uint64_t v);
  void Int(int64_t v);
  void Double(double v);
  void Bool(bool v);
  void Null();
  // Base64 (std encoding) of `bytes` as a JSON string, like Go's []byte.
  void Base64(std::string_view bytes);
  // Inserts already-encoded JSON. It is not re-indented.
  void Raw(std::string_view json);

  // Appends Go-escaped `s` (without quotes) to `out`.
  static void Escape(std::string_view s, std::string* out);

 private:
  void Open(char c);
  void Close(char c);
  void BeforeValue();
  void Newline();

  struct Level {
    bool first = true;
  };
  bool pretty_;
  std::string* out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace consulate::http
