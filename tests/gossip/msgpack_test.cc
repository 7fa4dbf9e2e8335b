// The msgpack codec against Go's codec.MsgpackHandle{} behaviour (hashicorp/go-msgpack 0.5.5,
// msgpack.go): integer sizes by value, raw strings without str8/bin, sorted struct fields, and a
// reader that rejects bad input without crashing.
#include "gossip/msgpack.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace consulate::gossip::msgpack {
namespace {

std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    out.push_back(d[static_cast<uint8_t>(c) >> 4]);
    out.push_back(d[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

template <typename F>
std::string Encode(F f, Writer::Options options = {}) {
  std::string out;
  Writer w(&out, options);
  f(w);
  return Hex(out);
}

TEST(MsgpackWriterTest, UnsignedIntegersUseSmallestFormLikeGo) {
  EXPECT_EQ(Encode([](Writer& w) { w.Uint(0); }), "00");
  EXPECT_EQ(Encode([](Writer& w) { w.Uint(127); }), "7f");
  EXPECT_EQ(Encode([](Writer& w) { w.Uint(128); }), "cc80");
  EXPECT_EQ(Encode([](Writer& w) { w.Uint(255); }), "ccff");
  EXPECT_EQ(Encode([](Writer& w) { w.Uint(256); }), "cd0100");
  EXPECT_EQ(Encode([](Writer& w) { w.Uint(65535); }), "cdffff");
  EXPECT_EQ(Encode([](Writer& w) { w.Uint(65536); }), "ce00010000");
  EXPECT_EQ(Encode([](Writer& w) { w.Uint(0xffffffffu); }), "ceffffffff");
  EXPECT_EQ(Encode([](Writer& w) { w.Uint(0x100000000ull); }), "cf0000000100000000");
}

TEST(MsgpackWriterTest, SignedIntegersLikeGo) {
  // Go's encodeInt sends non-negative values through encodeUint.
  EXPECT_EQ(Encode([](Writer& w) { w.Int(200); }), "ccc8");
  EXPECT_EQ(Encode([](Writer& w) { w.Int(-1); }), "ff");
  EXPECT_EQ(Encode([](Writer& w) { w.Int(-32); }), "e0");
  EXPECT_EQ(Encode([](Writer& w) { w.Int(-33); }), "d0df");
  EXPECT_EQ(Encode([](Writer& w) { w.Int(-128); }), "d080");
  EXPECT_EQ(Encode([](Writer& w) { w.Int(-129); }), "d1ff7f");
  EXPECT_EQ(Encode([](Writer& w) { w.Int(-32769); }), "d2ffff7fff");
  EXPECT_EQ(Encode([](Writer& w) { w.Int(std::numeric_limits<int64_t>::min()); }),
            "d38000000000000000");
}

TEST(MsgpackWriterTest, StringsAndBytesUseRawFormsWithoutWriteExt) {
  EXPECT_EQ(Encode([](Writer& w) { w.Str(""); }), "a0");
  EXPECT_EQ(Encode([](Writer& w) { w.Str("abc"); }), "a3616263");
  const std::string s31(31, 'x'), s32(32, 'x'), s300(300, 'x');
  EXPECT_EQ(Encode([&](Writer& w) { w.Str(s31); }).substr(0, 2), "bf");
  // No str8 under Go's defaults: 32..65535 bytes take str16.
  EXPECT_EQ(Encode([&](Writer& w) { w.Str(s32); }).substr(0, 6), "da0020");
  EXPECT_EQ(Encode([&](Writer& w) { w.Raw(s32); }).substr(0, 6), "da0020");
  EXPECT_EQ(Encode([&](Writer& w) { w.Raw(s300); }).substr(0, 6), "da012c");
  const std::string big(70000, 'x');
  EXPECT_EQ(Encode([&](Writer& w) { w.Str(big); }).substr(0, 10), "db00011170");
  // A nil []byte is nil; an empty one is an empty raw string.
  EXPECT_EQ(Encode([](Writer& w) { w.Bytes(Bytes()); }), "c0");
  EXPECT_EQ(Encode([](Writer& w) { w.Bytes(Bytes("")); }), "a0");
}

TEST(MsgpackWriterTest, WriteExtUsesStr8AndBin) {
  const Writer::Options ext{.write_ext = true};
  const std::string s32(32, 'x');
  EXPECT_EQ(Encode([&](Writer& w) { w.Str(s32); }, ext).substr(0, 4), "d920");
  EXPECT_EQ(Encode([&](Writer& w) { w.Raw("ab"); }, ext), "c4026162");
  EXPECT_EQ(Encode([&](Writer& w) { w.Raw(std::string(300, 'x')); }, ext).substr(0, 6), "c5012c");
  EXPECT_EQ(Encode([](Writer& w) { w.Str("ab"); }, ext), "a26162");
}

TEST(MsgpackWriterTest, ContainersFloatsAndExt) {
  EXPECT_EQ(Encode([](Writer& w) { w.ArrayHeader(0); }), "90");
  EXPECT_EQ(Encode([](Writer& w) { w.ArrayHeader(15); }), "9f");
  EXPECT_EQ(Encode([](Writer& w) { w.ArrayHeader(16); }), "dc0010");
  EXPECT_EQ(Encode([](Writer& w) { w.ArrayHeader(70000); }), "dd00011170");
  EXPECT_EQ(Encode([](Writer& w) { w.MapHeader(15); }), "8f");
  EXPECT_EQ(Encode([](Writer& w) { w.MapHeader(16); }), "de0010");
  EXPECT_EQ(Encode([](Writer& w) { w.Float64(1.5); }), "cb3ff8000000000000");
  EXPECT_EQ(Encode([](Writer& w) { w.Float32(1.5f); }), "ca3fc00000");
  EXPECT_EQ(Encode([](Writer& w) { w.Ext(5, "ab"); }), "d5056162");
  EXPECT_EQ(Encode([](Writer& w) { w.Ext(5, "abc"); }), "c70305616263");
  EXPECT_EQ(Encode([](Writer& w) {
              w.Bool(true);
              w.Bool(false);
              w.Nil();
            }),
            "c3c2c0");
}

TEST(MsgpackWriterTest, StructFieldsAreSortedByName) {
  // Go sorts struct fields by name for map encoding, whatever the declaration order.
  std::string hex = Encode([](Writer& w) {
    StructWriter s(&w);
    s.Field("SeqNo").Uint(1);
    s.Field("Node").Str("a");
    s.Field("Payload").Nil();
    s.Finish();
  });
  EXPECT_EQ(hex,
            "83"
            "a44e6f6465"
            "a161"
            "a75061796c6f6164"
            "c0"
            "a55365714e6f"
            "01");
}

Value MustDecode(const std::string& bytes) {
  std::string_view in = bytes;
  Value v;
  Status s = Decode(&in, &v);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(in.empty());
  return v;
}

TEST(MsgpackReaderTest, DecodesEveryForm) {
  std::string buf;
  Writer w(&buf);
  w.ArrayHeader(12);
  w.Nil();
  w.Bool(true);
  w.Uint(300);
  w.Int(-1000);
  w.Float64(2.25);
  w.Str("hi");
  w.Ext(-2, "xyzw");
  w.MapHeader(1);
  w.Str("k");
  w.Uint(7);
  buf += "\xd9\x02ok";                            // str8
  buf += std::string("\xc4\x01\x00", 3);          // bin8
  buf += std::string("\xca\x3f\xc0\x00\x00", 5);  // float32 1.5
  buf += "\xd0\x80";                              // int8 -128
  Value v = MustDecode(buf);
  ASSERT_EQ(v.type, Value::Type::kArray);
  ASSERT_EQ(v.array.size(), 12u);
  EXPECT_TRUE(v.array[0].is_nil());
  EXPECT_TRUE(v.array[1].boolean);
  EXPECT_EQ(v.array[2].uint_value, 300u);
  EXPECT_EQ(v.array[3].int_value, -1000);
  EXPECT_EQ(v.array[4].float_value, 2.25);
  EXPECT_EQ(v.array[5].bytes, "hi");
  EXPECT_EQ(v.array[6].type, Value::Type::kExt);
  EXPECT_EQ(v.array[6].ext_type, -2);
  EXPECT_EQ(v.array[6].bytes, "xyzw");
  ASSERT_NE(v.array[7].Find("k"), nullptr);
  EXPECT_EQ(v.array[7].Find("k")->uint_value, 7u);
  EXPECT_EQ(v.array[7].Find("missing"), nullptr);
  EXPECT_EQ(v.array[8].bytes, "ok");
  EXPECT_EQ(v.array[9].type, Value::Type::kBin);
  EXPECT_EQ(v.array[10].float_value, 1.5);
  EXPECT_EQ(v.array[11].int_value, -128);
}

TEST(MsgpackReaderTest, WriteValueRoundTrips) {
  std::string buf;
  Writer w(&buf);
  w.MapHeader(2);
  w.Str("a");
  w.ArrayHeader(3);
  w.Int(-5);
  w.Uint(1u << 20);
  w.Bytes(Bytes("zz"));
  w.Str("b");
  w.Float64(-0.5);
  Value v = MustDecode(buf);
  std::string again;
  Writer w2(&again);
  WriteValue(v, &w2);
  EXPECT_EQ(Hex(again), Hex(buf));
}

TEST(MsgpackReaderTest, LeavesTrailingBytesAndReportsLength) {
  std::string buf;
  Writer w(&buf);
  w.Str("abc");
  buf += "rest";
  std::string_view in = buf;
  Value v;
  ASSERT_TRUE(Decode(&in, &v).ok());
  EXPECT_EQ(in, "rest");
  size_t len = 0;
  ASSERT_TRUE(SkipValue(buf, &len).ok());
  EXPECT_EQ(len, 4u);
}

TEST(MsgpackReaderTest, RejectsBadInputWithoutCrashing) {
  const std::vector<std::pair<std::string, bool>> cases = {
      // {input, is only truncated}
      {"", true},
      {std::string("\xc1", 1), false},     // never-used format byte
      {std::string("\xcd\x01", 2), true},  // uint16 cut short
      {std::string("\xa5"
                   "ab",
                   3),
       true},                                              // fixstr longer than input
      {std::string("\xdb\xff\xff\xff\xff", 5), true},      // str32 of 4 GiB
      {std::string("\xdd\x7f\xff\xff\xff", 5), true},      // array32 of 2^31 elements
      {std::string("\xdf\x7f\xff\xff\xff\xc0", 6), true},  // map32 of 2^31 entries
      {std::string("\x92\x01", 2), true},                  // array missing an element
      {std::string("\xc7\x02", 2), true},                  // ext8 without type byte
  };
  for (const auto& [input, truncated_only] : cases) {
    std::string_view in = input;
    Value v;
    bool truncated = false;
    Status s = Decode(&in, &v, {}, &truncated);
    EXPECT_TRUE(s.IsCorruption()) << Hex(input);
    EXPECT_EQ(truncated, truncated_only) << Hex(input);
  }
}

TEST(MsgpackReaderTest, NestingIsCapped) {
  std::string deep(100, '\x91');  // 100 nested one-element arrays
  deep.push_back('\x00');
  std::string_view in = deep;
  Value v;
  EXPECT_TRUE(Decode(&in, &v).IsCorruption());
  std::string ok(10, '\x91');
  ok.push_back('\x00');
  in = ok;
  EXPECT_TRUE(Decode(&in, &v).ok());
}

TEST(MsgpackConversionTest, FollowsGoDecodeRules) {
  auto one = [](auto f) {
    std::string buf;
    Writer w(&buf);
    f(w);
    return buf;
  };
  uint16_t u16 = 9;
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Uint(65535); })), &u16, "x").ok());
  EXPECT_EQ(u16, 65535);
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Uint(65536); })), &u16, "x").IsCorruption());
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Int(-1); })), &u16, "x").IsCorruption());
  // A signed encoding of a non-negative value still fits an unsigned field.
  EXPECT_TRUE(Get(MustDecode(std::string("\xd0\x05", 2)), &u16, "x").ok());
  EXPECT_EQ(u16, 5);
  // nil is the zero value.
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Nil(); })), &u16, "x").ok());
  EXPECT_EQ(u16, 0);
  int32_t i32 = 0;
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Int(-2147483648LL); })), &i32, "x").ok());
  EXPECT_EQ(i32, INT32_MIN);
  EXPECT_TRUE(
      Get(MustDecode(one([](Writer& w) { w.Uint(1ull << 31); })), &i32, "x").IsCorruption());
  bool b = false;
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Uint(1); })), &b, "x").ok());  // Go takes 0/1
  EXPECT_TRUE(b);
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Uint(2); })), &b, "x").IsCorruption());
  std::string s;
  EXPECT_TRUE(Get(MustDecode(std::string("\xc4\x02hi", 4)), &s, "x").ok());  // bin into string
  EXPECT_EQ(s, "hi");
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Uint(1); })), &s, "x").IsCorruption());
  Bytes bytes("old");
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Nil(); })), &bytes, "x").ok());
  EXPECT_TRUE(bytes.is_nil());
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Str(""); })), &bytes, "x").ok());
  EXPECT_FALSE(bytes.is_nil());
  double d = 0;
  EXPECT_TRUE(Get(MustDecode(one([](Writer& w) { w.Int(-3); })), &d, "x").ok());
  EXPECT_EQ(d, -3.0);
}

TEST(MsgpackConversionTest, DecodeStructVisitsFieldsAndRejectsNonMaps) {
  std::string buf;
  Writer w(&buf);
  w.MapHeader(2);
  w.Str("A");
  w.Uint(1);
  w.Str("Unknown");
  w.ArrayHeader(0);
  std::vector<std::string> names;
  EXPECT_TRUE(DecodeStruct(MustDecode(buf), "t", [&](std::string_view n, const Value&) {
                names.emplace_back(n);
                return Status::OK();
              }).ok());
  EXPECT_EQ(names, (std::vector<std::string>{"A", "Unknown"}));
  EXPECT_TRUE(
      DecodeStruct(MustDecode(std::string("\x91\x01", 2)), "t", [](std::string_view, const Value&) {
        return Status::OK();
      }).IsCorruption());
  // Non-string key.
  EXPECT_TRUE(DecodeStruct(MustDecode(std::string("\x81\x01\x02", 3)), "t",
                           [](std::string_view, const Value&) { return Status::OK(); })
                  .IsCorruption());
  // nil is a zero struct: no fields.
  EXPECT_TRUE(
      DecodeStruct(MustDecode(std::string("\xc0", 1)), "t", [](std::string_view, const Value&) {
        return Status::Internal("called");
      }).ok());
}

}  // namespace
}  // namespace consulate::gossip::msgpack
