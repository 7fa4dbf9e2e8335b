// A small msgpack codec that writes exactly what memberlist and serf put on the wire.
//
// memberlist 0.2.x and serf 0.9.x encode every message with hashicorp/go-msgpack (an old ugorji
// codec) and a zero-valued `codec.MsgpackHandle{}`: WriteExt=false, RawToString=false. With those
// settings Go's codec
//   * writes integers in the smallest form by value, not by Go type: 0..127 as a positive fixnum,
//     then uint8/16/32/64 (0xcc..0xcf) for larger non-negative values of any Go integer type;
//     -32..-1 as a negative fixnum, then int8/16/32/64 (0xd0..0xd3);
//   * writes both Go strings and []byte as the old "raw" family: fixstr (< 32 bytes), then str16,
//     then str32. It never writes str8 (0xd9) nor bin8/16/32 — those need WriteExt=true;
//   * writes a nil slice or map as nil (0xc0), an empty one as an empty container;
//   * writes a struct as a map whose keys are the field names sorted by byte value (not in
//     declaration order), skipping `omitempty` fields that hold their zero value.
// Writer::Options::write_ext=true switches to the newer spec forms (str8, bin*) for other peers.
//
// The reader accepts every msgpack form (str8, bin, ext, floats, ...) so that any peer's encoding
// decodes, and never crashes on hostile input: every read is bounds-checked, nesting is capped,
// and a container's declared length must fit in the bytes that remain before anything is
// allocated for it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace consulate::gossip::msgpack {

// Go's []byte. Go's codec writes a nil slice as msgpack nil and an empty one as an empty raw
// string, and real peers send both (serf's query acks carry a nil Payload, `serf event x` an
// empty one), so a decoded value remembers which it was in order to re-encode byte-identically.
// A default-constructed Bytes is nil; one built from any string, even "", is not.
class Bytes {
 public:
  Bytes() = default;
  Bytes(std::string data) : data_(std::move(data)), nil_(false) {}  // NOLINT(runtime/explicit)
  Bytes(std::string_view data) : data_(data), nil_(false) {}        // NOLINT(runtime/explicit)
  Bytes(const char* data) : data_(data), nil_(false) {}             // NOLINT(runtime/explicit)

  bool is_nil() const { return nil_; }
  bool empty() const { return data_.empty(); }
  size_t size() const { return data_.size(); }
  const std::string& str() const { return data_; }
  std::string_view view() const { return data_; }
  operator std::string_view() const { return data_; }  // NOLINT(runtime/explicit)
  bool operator==(const Bytes& o) const = default;

 private:
  std::string data_;
  bool nil_ = true;
};

// ----- Writing -----

class Writer {
 public:
  struct Options {
    // false: Go's MsgpackHandle{} defaults (what memberlist and serf use). true: str8 and bin*.
    bool write_ext = false;
  };
  // Appends to *dst, which must outlive the writer.
  explicit Writer(std::string* dst) : Writer(dst, Options{}) {}
  Writer(std::string* dst, Options options) : dst_(dst), options_(options) {}

  void Nil();
  void Bool(bool v);
  void Uint(uint64_t v);
  void Int(int64_t v);  // non-negative values are written as Uint, as Go does
  void Float32(float v);
  void Float64(double v);
  // A Go string.
  void Str(std::string_view v);
  // A Go []byte that is never nil (a fixed array, or a slice known to be non-nil).
  void Raw(std::string_view v);
  // A Go []byte: nil when b.is_nil().
  void Bytes(const msgpack::Bytes& b);
  // Container headers; the caller then writes n values (2n for a map: key, value, ...).
  void ArrayHeader(uint32_t n);
  void MapHeader(uint32_t n);
  // An extension value: fixext1/2/4/8/16 when the size fits, else ext8/16/32.
  void Ext(int8_t type, std::string_view data);

  std::string* dst() const { return dst_; }
  const Options& options() const { return options_; }

 private:
  void PutU8(uint8_t v) { dst_->push_back(static_cast<char>(v)); }
  void PutBE(uint64_t v, int bytes);
  void RawHeader(uint32_t n, bool is_binary);

  std::string* dst_;
  Options options_;
};

// Encodes a Go struct the way the codec does: a map keyed by field name, fields sorted by name.
// Fields may be added in any order; Finish() sorts them and writes the map.
//
//   StructWriter s(&w);
//   s.Field("SeqNo").Uint(seq);
//   if (!addr.empty()) s.Field("SourceAddr").Raw(addr);   // omitempty
//   s.Finish();
class StructWriter {
 public:
  explicit StructWriter(Writer* out) : out_(out) {}
  // Returns a writer for the field's value; write exactly one value with it. The returned writer
  // stays valid until Finish().
  // REQUIRES: each name is added once.
  Writer Field(std::string_view name);
  void Finish();

 private:
  Writer* out_;
  std::deque<std::pair<std::string, std::string>> fields_;  // deque: Field() writers stay valid
};

// ----- Reading -----

struct MapEntry;

// A decoded msgpack value. Strings, binaries and extension payloads point into the decoded input
// (no copy): a Value is valid only while that input is.
struct Value {
  enum class Type : uint8_t { kNil, kBool, kInt, kUint, kFloat, kStr, kBin, kArray, kMap, kExt };

  Type type = Type::kNil;
  bool boolean = false;
  int64_t int_value = 0;      // kInt: written with a signed encoding (negative fixnum, int8..64)
  uint64_t uint_value = 0;    // kUint: positive fixnum or uint8..64
  double float_value = 0;     // kFloat (float32 widened)
  std::string_view bytes;     // kStr, kBin, kExt payload
  int8_t ext_type = 0;        // kExt
  std::vector<Value> array;   // kArray
  std::vector<MapEntry> map;  // kMap, in wire order

  bool is_nil() const { return type == Type::kNil; }
  bool is_string() const { return type == Type::kStr || type == Type::kBin; }
  // The first map entry whose key is a string equal to `key`, or nullptr.
  const Value* Find(std::string_view key) const;
};

struct MapEntry {
  Value key;
  Value value;
};

struct DecodeLimits {
  int max_depth = 32;  // nested arrays/maps; memberlist's deepest message nests 4
};

// Decodes one value from the front of *input and advances *input past it; bytes after the value
// are left for the caller (a TCP push/pull is a stream of values followed by raw user state).
// Returns Corruption for truncated or malformed input; *input is then unspecified. When
// `truncated` is given, it is set to whether the failure was only a lack of bytes (a stream
// reader then waits for more) rather than malformed data.
Status Decode(std::string_view* input, Value* out, const DecodeLimits& limits = {},
              bool* truncated = nullptr);

// Length in bytes of the value at the front of `input`, without building it (same checks).
Status SkipValue(std::string_view input, size_t* length, const DecodeLimits& limits = {});

// ----- Go-style conversions from a decoded Value -----
// Each follows the Go codec's decode rules: nil yields the zero value; an integer may come in any
// integer encoding but must fit the target type (and be non-negative for unsigned targets);
// strings accept str or bin. Mismatches return Corruption naming `what`.

Status GetUint(const Value& v, int bits, uint64_t* out, std::string_view what);
Status GetInt(const Value& v, int bits, int64_t* out, std::string_view what);
Status GetBool(const Value& v, bool* out, std::string_view what);     // also fixnum 0/1, like Go
Status GetFloat(const Value& v, double* out, std::string_view what);  // float or integer
Status GetString(const Value& v, std::string* out, std::string_view what);
Status GetBytes(const Value& v, Bytes* out, std::string_view what);

// Typed wrappers so message decoders read like field lists.
Status Get(const Value& v, uint8_t* out, std::string_view what);
Status Get(const Value& v, uint16_t* out, std::string_view what);
Status Get(const Value& v, uint32_t* out, std::string_view what);
Status Get(const Value& v, uint64_t* out, std::string_view what);
Status Get(const Value& v, int32_t* out, std::string_view what);
Status Get(const Value& v, int64_t* out, std::string_view what);
Status Get(const Value& v, bool* out, std::string_view what);
Status Get(const Value& v, double* out, std::string_view what);
Status Get(const Value& v, std::string* out, std::string_view what);
Status Get(const Value& v, Bytes* out, std::string_view what);

// Decodes a Go struct: `v` must be a map (or nil, meaning a zero struct). For each entry, calls
// fn(field_name, value); keys that are not strings are Corruption. As in Go, unknown field names
// are to be ignored by `fn` (return OK) and missing ones keep their zero value. Go's codec can
// also decode a struct from an array (positional); memberlist and serf never send one, so that
// form is rejected here.
using FieldFn = std::function<Status(std::string_view name, const Value& value)>;
Status DecodeStruct(const Value& v, std::string_view what, const FieldFn& fn);

// Appends a canonical re-encoding of a decoded value (Go-default forms) to *w. Used by tests and
// by code that forwards opaque values.
void WriteValue(const Value& v, Writer* w);

}  // namespace consulate::gossip::msgpack
