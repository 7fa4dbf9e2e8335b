#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

namespace consulate::crc32c {
namespace {

TEST(Crc32cTest, CheckValue) { EXPECT_EQ(Value("123456789"), 0xe3069283u); }

// The vectors from RFC 3720 section B.4, as in LevelDB's crc32c_test.cc.
TEST(Crc32cTest, StandardResults) {
  char buf[32];
  memset(buf, 0, sizeof(buf));
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x8a9136aau);
  memset(buf, 0xff, sizeof(buf));
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x62a8ab43u);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(i);
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x46dd794eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x113fdb5cu);

  const unsigned char iscsi_read[48] = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  EXPECT_EQ(Value(reinterpret_cast<const char*>(iscsi_read), sizeof(iscsi_read)), 0xd9963a56u);
}

TEST(Crc32cTest, EmptyIsZero) { EXPECT_EQ(Value("", 0), 0u); }

TEST(Crc32cTest, Values) { EXPECT_NE(Value("a"), Value("foo")); }

TEST(Crc32cTest, ExtendEqualsValueOfConcatenation) {
  EXPECT_EQ(Value("hello world"), Extend(Value("hello "), "world"));
  const std::string s(1000, 'q');
  for (size_t split = 0; split <= s.size(); split += 37) {
    EXPECT_EQ(Extend(Value(s.data(), split), s.data() + split, s.size() - split), Value(s));
  }
}

TEST(Crc32cTest, MaskRoundTripsAndChangesValue) {
  const uint32_t crc = Value("foo");
  EXPECT_NE(crc, Mask(crc));
  EXPECT_NE(crc, Mask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Unmask(Mask(Mask(crc)))));
  for (uint32_t v : {0u, 1u, 0xffffffffu, 0x80000000u, 0xa282ead8u}) EXPECT_EQ(Unmask(Mask(v)), v);
}

TEST(Crc32cTest, PortableMatchesHardwareAtEveryLengthAndAlignment) {
  if (!internal::HardwareAvailable()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::mt19937 rng(42);
  std::string buf(4096 + 64, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len = 0; len < 300; ++len) {
      const uint32_t seed = static_cast<uint32_t>(rng());
      ASSERT_EQ(internal::ExtendPortable(seed, buf.data() + offset, len),
                internal::ExtendHardware(seed, buf.data() + offset, len))
          << "offset " << offset << " len " << len;
    }
  }
  EXPECT_EQ(internal::ExtendPortable(0, buf.data(), 4096),
            internal::ExtendHardware(0, buf.data(), 4096));
}

TEST(Crc32cTest, PortableKnownValue) {
  EXPECT_EQ(internal::ExtendPortable(0, "123456789", 9), 0xe3069283u);
}

}  // namespace
}  // namespace consulate::crc32c
