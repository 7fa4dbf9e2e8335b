// base/base64 lives in the base module; its tests sit here with its first users (api, cli).
#include "base/base64.h"

#include <gtest/gtest.h>

namespace consulate {
namespace {

TEST(Base64Test, EncodesWithPadding) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("bin\x00\x01\xff", 6)), "YmluAAH/");
}

TEST(Base64Test, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); len += 37) {
    std::string data = all.substr(0, len);
    Result<std::string> back = Base64Decode(Base64Encode(data));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, data);
  }
}

TEST(Base64Test, DecodeIgnoresNewlinesAndStrayLowBits) {
  Result<std::string> r = Base64Decode("aG\r\nk=\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "hi");
  // Go's StdEncoding is not strict: "aGl=" carries non-zero low bits in its last symbol.
  r = Base64Decode("aGl=");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "hi");
}

// Offsets as Go reports them, checked against Consul 1.8.7 (`consul kv put -base64`), and the bytes
// Go's DecodeString returns alongside the error (which that command goes on to write).
TEST(Base64Test, DecodeErrorsNameGoOffsetsAndKeepThePrefix) {
  struct Case {
    std::string input;
    size_t offset;
    std::string partial;
  };
  const Case cases[] = {
      {"aGVsbG8", 4, "hel"},  // no padding: the short group's start
      {"aGk", 0, ""},
      {"a", 0, ""},
      {"!!!", 0, ""},
      {"aGk=x", 4, "hi"},         // garbage after the padding
      {"aG\nVs bG8=", 5, "hel"},  // the space, counting the skipped newline
      {"aGVsbG8==", 8, "hello"},
      {"====", 0, ""},
      {std::string("bin\x00\x01\xff", 6), 3, ""},
  };
  for (const Case& c : cases) {
    std::string out;
    Status s = Base64Decode(c.input, &out);
    EXPECT_EQ(s.message(), "illegal base64 data at input byte " + std::to_string(c.offset))
        << c.input;
    EXPECT_EQ(out, c.partial) << c.input;
    EXPECT_FALSE(Base64Decode(c.input).ok()) << c.input;
  }
}

TEST(Base64Test, DecodeRejectsBadPadding) {
  EXPECT_EQ(Base64Decode("a===").status().message(), "illegal base64 data at input byte 1");
  EXPECT_EQ(Base64Decode("aG=").status().message(), "illegal base64 data at input byte 3");
  EXPECT_EQ(Base64Decode("aG=x").status().message(), "illegal base64 data at input byte 2");
  EXPECT_TRUE(Base64Decode("").ok());
}

}  // namespace
}  // namespace consulate
