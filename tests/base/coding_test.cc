#include "base/coding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace consulate {
namespace {

TEST(CodingTest, Fixed32IsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  ASSERT_EQ(s, std::string("\x01\x02\x03\x04", 4));
  std::string_view in = s;
  uint32_t v = 0;
  ASSERT_TRUE(GetFixed32(&in, &v));
  EXPECT_EQ(v, 0x04030201u);
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, Fixed64IsLittleEndian) {
  std::string s;
  PutFixed64(&s, 0x0807060504030201ull);
  ASSERT_EQ(s, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  std::string_view in = s;
  uint64_t v = 0;
  ASSERT_TRUE(GetFixed64(&in, &v));
  EXPECT_EQ(v, 0x0807060504030201ull);
}

TEST(CodingTest, FixedRoundTripAndShortInput) {
  std::string s;
  for (uint32_t v = 0; v < 100000; v += 997) PutFixed32(&s, v);
  for (uint64_t p = 0; p < 64; ++p) PutFixed64(&s, (uint64_t{1} << p) - 1);
  std::string_view in = s;
  for (uint32_t v = 0; v < 100000; v += 997) {
    uint32_t got = 0;
    ASSERT_TRUE(GetFixed32(&in, &got));
    EXPECT_EQ(got, v);
  }
  for (uint64_t p = 0; p < 64; ++p) {
    uint64_t got = 0;
    ASSERT_TRUE(GetFixed64(&in, &got));
    EXPECT_EQ(got, (uint64_t{1} << p) - 1);
  }
  EXPECT_TRUE(in.empty());
  std::string_view three("abc");
  uint32_t v32 = 0;
  EXPECT_FALSE(GetFixed32(&three, &v32));
  std::string_view seven("abcdefg");
  uint64_t v64 = 0;
  EXPECT_FALSE(GetFixed64(&seven, &v64));
}

TEST(CodingTest, VarintKnownEncodings) {
  std::string s;
  PutVarint32(&s, 0);
  PutVarint32(&s, 127);
  PutVarint32(&s, 128);
  PutVarint32(&s, 300);
  EXPECT_EQ(s, std::string("\x00\x7f\x80\x01\xac\x02", 6));
  std::string max;
  PutVarint64(&max, UINT64_MAX);
  EXPECT_EQ(max.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(max.back()), 0x01);
}

TEST(CodingTest, Varint32RoundTrip) {
  std::vector<uint32_t> values;
  for (uint32_t i = 0; i < 32 * 32; ++i) values.push_back((i / 32) << (i % 32));
  values.push_back(UINT32_MAX);
  std::string s;
  for (uint32_t v : values) PutVarint32(&s, v);
  std::string_view in = s;
  for (uint32_t v : values) {
    const size_t before = in.size();
    uint32_t got = 0;
    ASSERT_TRUE(GetVarint32(&in, &got));
    EXPECT_EQ(got, v);
    EXPECT_EQ(before - in.size(), static_cast<size_t>(VarintLength(v)));
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, Varint64RoundTrip) {
  std::vector<uint64_t> values = {0, 100, UINT64_MAX, UINT64_MAX - 1};
  for (int k = 0; k < 64; ++k) {
    const uint64_t power = uint64_t{1} << k;
    values.push_back(power);
    values.push_back(power - 1);
    values.push_back(power + 1);
  }
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view in = s;
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, VarintTruncatedIsRejected) {
  std::string s;
  PutVarint64(&s, UINT64_MAX);
  for (size_t len = 0; len < s.size(); ++len) {
    std::string_view in(s.data(), len);
    uint64_t v = 0;
    EXPECT_FALSE(GetVarint64(&in, &v)) << len;
  }
  std::string s32;
  PutVarint32(&s32, UINT32_MAX);
  for (size_t len = 0; len < s32.size(); ++len) {
    std::string_view in(s32.data(), len);
    uint32_t v = 0;
    EXPECT_FALSE(GetVarint32(&in, &v)) << len;
  }
}

TEST(CodingTest, VarintOverflowIsRejected) {
  uint32_t v32 = 0;
  // 2^32 does not fit: the fifth byte may only carry 4 bits.
  std::string_view too_big32("\xff\xff\xff\xff\x1f", 5);
  EXPECT_FALSE(GetVarint32(&too_big32, &v32));
  std::string_view six_bytes("\x80\x80\x80\x80\x80\x00", 6);
  EXPECT_FALSE(GetVarint32(&six_bytes, &v32));
  std::string_view max32("\xff\xff\xff\xff\x0f", 5);
  ASSERT_TRUE(GetVarint32(&max32, &v32));
  EXPECT_EQ(v32, UINT32_MAX);

  uint64_t v64 = 0;
  std::string_view too_big64("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
  EXPECT_FALSE(GetVarint64(&too_big64, &v64));
  std::string_view eleven("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11);
  EXPECT_FALSE(GetVarint64(&eleven, &v64));
}

TEST(CodingTest, PointerVariantsStopAtLimit) {
  char buf[kMaxVarint64Bytes];
  char* end = EncodeVarint64(buf, uint64_t{1} << 40);
  ASSERT_EQ(end - buf, VarintLength(uint64_t{1} << 40));
  uint64_t v = 0;
  EXPECT_EQ(GetVarint64Ptr(buf, end, &v), end);
  EXPECT_EQ(v, uint64_t{1} << 40);
  EXPECT_EQ(GetVarint64Ptr(buf, end - 1, &v), nullptr);
  uint32_t v32 = 0;
  end = EncodeVarint32(buf, 1u << 30);
  EXPECT_EQ(GetVarint32Ptr(buf, end, &v32), end);
  EXPECT_EQ(v32, 1u << 30);
}

TEST(CodingTest, LengthPrefixedStrings) {
  std::string s;
  PutLengthPrefixedString(&s, "");
  PutLengthPrefixedString(&s, "foo");
  PutLengthPrefixedString(&s, std::string(200, 'x'));
  PutLengthPrefixedString(&s, std::string("a\0b", 3));
  std::string_view in = s;
  std::string_view out;
  ASSERT_TRUE(GetLengthPrefixedString(&in, &out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(GetLengthPrefixedString(&in, &out));
  EXPECT_EQ(out, "foo");
  ASSERT_TRUE(GetLengthPrefixedString(&in, &out));
  EXPECT_EQ(out, std::string(200, 'x'));
  ASSERT_TRUE(GetLengthPrefixedString(&in, &out));
  EXPECT_EQ(out, std::string("a\0b", 3));
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(GetLengthPrefixedString(&in, &out));
}

TEST(CodingTest, LengthPrefixedStringLongerThanInputIsRejected) {
  std::string s;
  PutLengthPrefixedString(&s, "hello");
  s.pop_back();
  std::string_view in = s;
  std::string_view out;
  EXPECT_FALSE(GetLengthPrefixedString(&in, &out));
}

}  // namespace
}  // namespace consulate
