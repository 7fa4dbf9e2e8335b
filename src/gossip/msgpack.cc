#include "gossip/msgpack.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace consulate::gossip::msgpack {

namespace {

// Format bytes (msgpack spec names).
constexpr uint8_t kNil = 0xc0, kFalse = 0xc2, kTrue = 0xc3;
constexpr uint8_t kBin8 = 0xc4, kBin16 = 0xc5, kBin32 = 0xc6;
constexpr uint8_t kExt8 = 0xc7, kExt16 = 0xc8, kExt32 = 0xc9;
constexpr uint8_t kFloat32 = 0xca, kFloat64 = 0xcb;
constexpr uint8_t kUint8 = 0xcc, kUint16 = 0xcd, kUint32 = 0xce, kUint64 = 0xcf;
constexpr uint8_t kInt8 = 0xd0, kInt16 = 0xd1, kInt32 = 0xd2, kInt64 = 0xd3;
constexpr uint8_t kFixExt1 = 0xd4, kFixExt16 = 0xd8;
constexpr uint8_t kStr8 = 0xd9, kStr16 = 0xda, kStr32 = 0xdb;
constexpr uint8_t kArray16 = 0xdc, kArray32 = 0xdd, kMap16 = 0xde, kMap32 = 0xdf;

Status Corrupt(std::string_view what) {
  return Status::Corruption(fmt::format("msgpack: {}", what));
}

}  // namespace

// ----- Writer -----

void Writer::PutBE(uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) PutU8(static_cast<uint8_t>(v >> (8 * i)));
}

void Writer::Nil() { PutU8(kNil); }
void Writer::Bool(bool v) { PutU8(v ? kTrue : kFalse); }

void Writer::Uint(uint64_t v) {
  if (v <= 0x7f) {
    PutU8(static_cast<uint8_t>(v));
  } else if (v <= 0xff) {
    PutU8(kUint8);
    PutBE(v, 1);
  } else if (v <= 0xffff) {
    PutU8(kUint16);
    PutBE(v, 2);
  } else if (v <= 0xffffffffu) {
    PutU8(kUint32);
    PutBE(v, 4);
  } else {
    PutU8(kUint64);
    PutBE(v, 8);
  }
}

void Writer::Int(int64_t v) {
  if (v >= 0) return Uint(static_cast<uint64_t>(v));
  const auto bits = static_cast<uint64_t>(v);
  if (v >= -32) {
    PutU8(static_cast<uint8_t>(bits));
  } else if (v >= INT8_MIN) {
    PutU8(kInt8);
    PutBE(bits, 1);
  } else if (v >= INT16_MIN) {
    PutU8(kInt16);
    PutBE(bits, 2);
  } else if (v >= INT32_MIN) {
    PutU8(kInt32);
    PutBE(bits, 4);
  } else {
    PutU8(kInt64);
    PutBE(bits, 8);
  }
}

void Writer::Float32(float v) {
  PutU8(kFloat32);
  PutBE(std::bit_cast<uint32_t>(v), 4);
}

void Writer::Float64(double v) {
  PutU8(kFloat64);
  PutBE(std::bit_cast<uint64_t>(v), 8);
}

// Go's writeContainerLen: fixstr below 32; str8/bin8 only with WriteExt (bin has no fix form and
// always has 8); then 16- and 32-bit lengths.
void Writer::RawHeader(uint32_t n, bool is_binary) {
  if (is_binary && options_.write_ext) {
    if (n < 256) {
      PutU8(kBin8);
      PutBE(n, 1);
    } else if (n < 65536) {
      PutU8(kBin16);
      PutBE(n, 2);
    } else {
      PutU8(kBin32);
      PutBE(n, 4);
    }
    return;
  }
  if (n < 32) {
    PutU8(static_cast<uint8_t>(0xa0 | n));
  } else if (n < 256 && options_.write_ext) {
    PutU8(kStr8);
    PutBE(n, 1);
  } else if (n < 65536) {
    PutU8(kStr16);
    PutBE(n, 2);
  } else {
    PutU8(kStr32);
    PutBE(n, 4);
  }
}

void Writer::Str(std::string_view v) {
  RawHeader(static_cast<uint32_t>(v.size()), /*is_binary=*/false);
  dst_->append(v);
}

void Writer::Raw(std::string_view v) {
  RawHeader(static_cast<uint32_t>(v.size()), /*is_binary=*/true);
  dst_->append(v);
}

void Writer::Bytes(const msgpack::Bytes& b) {
  if (b.is_nil()) return Nil();
  Raw(b.view());
}

void Writer::ArrayHeader(uint32_t n) {
  if (n < 16) {
    PutU8(static_cast<uint8_t>(0x90 | n));
  } else if (n < 65536) {
    PutU8(kArray16);
    PutBE(n, 2);
  } else {
    PutU8(kArray32);
    PutBE(n, 4);
  }
}

void Writer::MapHeader(uint32_t n) {
  if (n < 16) {
    PutU8(static_cast<uint8_t>(0x80 | n));
  } else if (n < 65536) {
    PutU8(kMap16);
    PutBE(n, 2);
  } else {
    PutU8(kMap32);
    PutBE(n, 4);
  }
}

void Writer::Ext(int8_t type, std::string_view data) {
  const size_t n = data.size();
  if (n == 1 || n == 2 || n == 4 || n == 8 || n == 16) {
    PutU8(static_cast<uint8_t>(kFixExt1 + std::countr_zero(n)));
  } else if (n < 256) {
    PutU8(kExt8);
    PutBE(n, 1);
  } else if (n < 65536) {
    PutU8(kExt16);
    PutBE(n, 2);
  } else {
    PutU8(kExt32);
    PutBE(n, 4);
  }
  PutU8(static_cast<uint8_t>(type));
  dst_->append(data);
}

// ----- StructWriter -----

Writer StructWriter::Field(std::string_view name) {
  fields_.emplace_back(std::string(name), std::string());
  return Writer(&fields_.back().second, out_->options());
}

void StructWriter::Finish() {
  // Go sorts struct fields by encoded name with sort.Sort over strings: plain byte order.
  std::sort(fields_.begin(), fields_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out_->MapHeader(static_cast<uint32_t>(fields_.size()));
  for (const auto& [name, value] : fields_) {
    out_->Str(name);
    out_->dst()->append(value);
  }
  fields_.clear();
}

// ----- Reader -----

const Value* Value::Find(std::string_view key) const {
  if (type != Type::kMap) return nullptr;
  for (const auto& [k, v] : map) {
    if (k.is_string() && k.bytes == key) return &v;
  }
  return nullptr;
}

namespace {

class Parser {
 public:
  Parser(std::string_view in, const DecodeLimits& limits) : in_(in), limits_(limits) {}

  // out may be null: the value is then only validated and skipped.
  Status Parse(Value* out, int depth) {
    if (depth > limits_.max_depth) return Corrupt("nesting too deep");
    uint8_t b = 0;
    if (!Byte(&b)) return Short("truncated value");
    Value scratch;
    Value& v = out ? *out : scratch;
    v = Value();
    if (b <= 0x7f) {
      v.type = Value::Type::kUint;
      v.uint_value = b;
      return Status::OK();
    }
    if (b >= 0xe0) {
      v.type = Value::Type::kInt;
      v.int_value = static_cast<int8_t>(b);
      return Status::OK();
    }
    if ((b & 0xf0) == 0x80) return ParseMap(b & 0x0f, out, depth);
    if ((b & 0xf0) == 0x90) return ParseArray(b & 0x0f, out, depth);
    if ((b & 0xe0) == 0xa0) return ParseRaw(b & 0x1f, Value::Type::kStr, &v);
    uint64_t n = 0;
    switch (b) {
      case kNil:
        return Status::OK();
      case kFalse:
      case kTrue:
        v.type = Value::Type::kBool;
        v.boolean = (b == kTrue);
        return Status::OK();
      case kUint8:
      case kUint16:
      case kUint32:
      case kUint64:
        if (!BE(1 << (b - kUint8), &n)) return Short("truncated uint");
        v.type = Value::Type::kUint;
        v.uint_value = n;
        return Status::OK();
      case kInt8:
      case kInt16:
      case kInt32:
      case kInt64: {
        const int size = 1 << (b - kInt8);
        if (!BE(size, &n)) return Short("truncated int");
        v.type = Value::Type::kInt;
        // Sign-extend from size bytes.
        const int shift = 64 - 8 * size;
        v.int_value = static_cast<int64_t>(n << shift) >> shift;
        return Status::OK();
      }
      case kFloat32:
        if (!BE(4, &n)) return Short("truncated float32");
        v.type = Value::Type::kFloat;
        v.float_value = std::bit_cast<float>(static_cast<uint32_t>(n));
        return Status::OK();
      case kFloat64:
        if (!BE(8, &n)) return Short("truncated float64");
        v.type = Value::Type::kFloat;
        v.float_value = std::bit_cast<double>(n);
        return Status::OK();
      case kStr8:
      case kStr16:
      case kStr32:
        if (!BE(1 << (b - kStr8), &n)) return Short("truncated str length");
        return ParseRaw(n, Value::Type::kStr, &v);
      case kBin8:
      case kBin16:
      case kBin32:
        if (!BE(1 << (b - kBin8), &n)) return Short("truncated bin length");
        return ParseRaw(n, Value::Type::kBin, &v);
      case kArray16:
      case kArray32:
        if (!BE(b == kArray16 ? 2 : 4, &n)) return Short("truncated array length");
        return ParseArray(n, out, depth);
      case kMap16:
      case kMap32:
        if (!BE(b == kMap16 ? 2 : 4, &n)) return Short("truncated map length");
        return ParseMap(n, out, depth);
      case kExt8:
      case kExt16:
      case kExt32:
        if (!BE(1 << (b - kExt8), &n)) return Short("truncated ext length");
        return ParseExt(n, &v);
      default:
        if (b >= kFixExt1 && b <= kFixExt16) return ParseExt(uint64_t{1} << (b - kFixExt1), &v);
        return Corrupt(fmt::format("invalid format byte 0x{:02x}", b));  // 0xc1, never used
    }
  }

  // Whether the last failure was running out of input (including a declared length past the end).
  bool truncated() const { return truncated_; }
  size_t consumed(std::string_view original) const { return original.size() - in_.size(); }
  std::string_view rest() const { return in_; }

 private:
  bool Byte(uint8_t* b) {
    if (in_.empty()) return false;
    *b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool BE(int size, uint64_t* v) {
    if (in_.size() < static_cast<size_t>(size)) return false;
    uint64_t r = 0;
    for (int i = 0; i < size; ++i) r = (r << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(size);
    *v = r;
    return true;
  }
  Status ParseRaw(uint64_t n, Value::Type type, Value* v) {
    if (n > in_.size()) return Short("string longer than input");
    v->type = type;
    v->bytes = in_.substr(0, n);
    in_.remove_prefix(n);
    return Status::OK();
  }
  Status ParseExt(uint64_t n, Value* v) {
    uint8_t type = 0;
    if (!Byte(&type)) return Short("truncated ext type");
    CONSULATE_RETURN_IF_ERROR(ParseRaw(n, Value::Type::kExt, v));
    v->ext_type = static_cast<int8_t>(type);
    return Status::OK();
  }
  // Every element takes at least one byte, so a count above the bytes left is a lie; checking it
  // first bounds what a hostile length can make us allocate.
  Status ParseArray(uint64_t n, Value* out, int depth) {
    if (n > in_.size()) return Short("array longer than input");
    if (out) {
      out->type = Value::Type::kArray;
      out->array.resize(n);
    }
    for (uint64_t i = 0; i < n; ++i) {
      CONSULATE_RETURN_IF_ERROR(Parse(out ? &out->array[i] : nullptr, depth + 1));
    }
    return Status::OK();
  }
  Status ParseMap(uint64_t n, Value* out, int depth) {
    if (n > in_.size() / 2) return Short("map longer than input");
    if (out) {
      out->type = Value::Type::kMap;
      out->map.resize(n);
    }
    for (uint64_t i = 0; i < n; ++i) {
      CONSULATE_RETURN_IF_ERROR(Parse(out ? &out->map[i].key : nullptr, depth + 1));
      CONSULATE_RETURN_IF_ERROR(Parse(out ? &out->map[i].value : nullptr, depth + 1));
    }
    return Status::OK();
  }

  Status Short(std::string_view what) {
    truncated_ = true;
    return Corrupt(what);
  }

  std::string_view in_;
  const DecodeLimits& limits_;
  bool truncated_ = false;
};

}  // namespace

Status Decode(std::string_view* input, Value* out, const DecodeLimits& limits, bool* truncated) {
  Parser p(*input, limits);
  Status s = p.Parse(out, 0);
  if (truncated) *truncated = p.truncated();
  CONSULATE_RETURN_IF_ERROR(s);
  *input = p.rest();
  return Status::OK();
}

Status SkipValue(std::string_view input, size_t* length, const DecodeLimits& limits) {
  Parser p(input, limits);
  CONSULATE_RETURN_IF_ERROR(p.Parse(nullptr, 0));
  *length = p.consumed(input);
  return Status::OK();
}

// ----- Conversions -----

namespace {
Status Mismatch(std::string_view what, std::string_view want) {
  return Corrupt(fmt::format("{}: expected {}", what, want));
}
}  // namespace

Status GetUint(const Value& v, int bits, uint64_t* out, std::string_view what) {
  uint64_t r = 0;
  switch (v.type) {
    case Value::Type::kNil:
      break;
    case Value::Type::kUint:
      r = v.uint_value;
      break;
    case Value::Type::kInt:
      if (v.int_value < 0) return Mismatch(what, "a non-negative integer");
      r = static_cast<uint64_t>(v.int_value);
      break;
    default:
      return Mismatch(what, "an unsigned integer");
  }
  if (bits < 64 && (r >> bits) != 0)
    return Corrupt(fmt::format("{}: {} overflows uint{}", what, r, bits));
  *out = r;
  return Status::OK();
}

Status GetInt(const Value& v, int bits, int64_t* out, std::string_view what) {
  int64_t r = 0;
  switch (v.type) {
    case Value::Type::kNil:
      break;
    case Value::Type::kInt:
      r = v.int_value;
      break;
    case Value::Type::kUint:
      if (v.uint_value > static_cast<uint64_t>(INT64_MAX)) return Mismatch(what, "an int64");
      r = static_cast<int64_t>(v.uint_value);
      break;
    default:
      return Mismatch(what, "an integer");
  }
  if (bits < 64) {
    const int64_t lo = -(int64_t{1} << (bits - 1)), hi = (int64_t{1} << (bits - 1)) - 1;
    if (r < lo || r > hi) return Corrupt(fmt::format("{}: {} overflows int{}", what, r, bits));
  }
  *out = r;
  return Status::OK();
}

Status GetBool(const Value& v, bool* out, std::string_view what) {
  if (v.type == Value::Type::kNil) {
    *out = false;
  } else if (v.type == Value::Type::kBool) {
    *out = v.boolean;
  } else if (v.type == Value::Type::kUint && v.uint_value <= 1) {
    *out = v.uint_value == 1;
  } else {
    return Mismatch(what, "a bool");
  }
  return Status::OK();
}

Status GetFloat(const Value& v, double* out, std::string_view what) {
  switch (v.type) {
    case Value::Type::kNil:
      *out = 0;
      return Status::OK();
    case Value::Type::kFloat:
      *out = v.float_value;
      return Status::OK();
    case Value::Type::kInt:
      *out = static_cast<double>(v.int_value);
      return Status::OK();
    case Value::Type::kUint:
      *out = static_cast<double>(v.uint_value);
      return Status::OK();
    default:
      return Mismatch(what, "a number");
  }
}

Status GetString(const Value& v, std::string* out, std::string_view what) {
  if (v.type == Value::Type::kNil) {
    out->clear();
  } else if (v.is_string()) {
    out->assign(v.bytes);
  } else {
    return Mismatch(what, "a string");
  }
  return Status::OK();
}

Status GetBytes(const Value& v, Bytes* out, std::string_view what) {
  if (v.type == Value::Type::kNil) {
    *out = Bytes();
  } else if (v.is_string()) {
    *out = Bytes(v.bytes);
  } else {
    return Mismatch(what, "bytes");
  }
  return Status::OK();
}

namespace {
template <typename T>
Status GetU(const Value& v, T* out, std::string_view what) {
  uint64_t r = 0;
  CONSULATE_RETURN_IF_ERROR(GetUint(v, sizeof(T) * 8, &r, what));
  *out = static_cast<T>(r);
  return Status::OK();
}
}  // namespace

Status Get(const Value& v, uint8_t* out, std::string_view what) { return GetU(v, out, what); }
Status Get(const Value& v, uint16_t* out, std::string_view what) { return GetU(v, out, what); }
Status Get(const Value& v, uint32_t* out, std::string_view what) { return GetU(v, out, what); }
Status Get(const Value& v, uint64_t* out, std::string_view what) { return GetU(v, out, what); }
Status Get(const Value& v, int32_t* out, std::string_view what) {
  int64_t r = 0;
  CONSULATE_RETURN_IF_ERROR(GetInt(v, 32, &r, what));
  *out = static_cast<int32_t>(r);
  return Status::OK();
}
Status Get(const Value& v, int64_t* out, std::string_view what) { return GetInt(v, 64, out, what); }
Status Get(const Value& v, bool* out, std::string_view what) { return GetBool(v, out, what); }
Status Get(const Value& v, double* out, std::string_view what) { return GetFloat(v, out, what); }
Status Get(const Value& v, std::string* out, std::string_view what) {
  return GetString(v, out, what);
}
Status Get(const Value& v, Bytes* out, std::string_view what) { return GetBytes(v, out, what); }

Status DecodeStruct(const Value& v, std::string_view what, const FieldFn& fn) {
  if (v.type == Value::Type::kNil) return Status::OK();
  if (v.type != Value::Type::kMap) return Mismatch(what, "a map (struct)");
  for (const auto& [key, value] : v.map) {
    if (!key.is_string()) return Mismatch(what, "string field names");
    CONSULATE_RETURN_IF_ERROR(fn(key.bytes, value));
  }
  return Status::OK();
}

void WriteValue(const Value& v, Writer* w) {
  switch (v.type) {
    case Value::Type::kNil:
      return w->Nil();
    case Value::Type::kBool:
      return w->Bool(v.boolean);
    case Value::Type::kInt:
      return w->Int(v.int_value);
    case Value::Type::kUint:
      return w->Uint(v.uint_value);
    case Value::Type::kFloat:
      return w->Float64(v.float_value);
    case Value::Type::kStr:
      return w->Str(v.bytes);
    case Value::Type::kBin:
      return w->Raw(v.bytes);
    case Value::Type::kExt:
      return w->Ext(v.ext_type, v.bytes);
    case Value::Type::kArray:
      w->ArrayHeader(static_cast<uint32_t>(v.array.size()));
      for (const auto& e : v.array) WriteValue(e, w);
      return;
    case Value::Type::kMap:
      w->MapHeader(static_cast<uint32_t>(v.map.size()));
      for (const auto& [k, e] : v.map) {
        WriteValue(k, w);
        WriteValue(e, w);
      }
      return;
  }
}

}  // namespace consulate::gossip::msgpack
