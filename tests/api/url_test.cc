#include "api/url.h"

#include <gtest/gtest.h>

namespace consulate::api {
namespace {

TEST(UrlTest, EscapePathKeepsSlashesAndSubDelims) {
  EXPECT_EQ(EscapePath("/v1/kv/a/b"), "/v1/kv/a/b");
  EXPECT_EQ(EscapePath("/v1/kv/$&+,:;=@-_.~"), "/v1/kv/$&+,:;=@-_.~");
}

TEST(UrlTest, EscapePathEscapesQueryFragmentSpaceAndNonAscii) {
  // As Go's url.URL.EscapedPath prints `x y/ü?#%`.
  EXPECT_EQ(EscapePath("/v1/kv/x y/\xc3\xbc?#%"), "/v1/kv/x%20y/%C3%BC%3F%23%25");
  EXPECT_EQ(EscapePath("!*'()\""), "%21%2A%27%28%29%22");
}

TEST(UrlTest, QueryEscapeUsesPlusForSpace) {
  EXPECT_EQ(QueryEscape("a b/c"), "a+b%2Fc");
  EXPECT_EQ(QueryEscape("-_.~Az09"), "-_.~Az09");
  EXPECT_EQ(QueryEscape("&=+"), "%26%3D%2B");
}

TEST(UrlTest, EncodeQuerySortsByKeyAndKeepsEmptyValues) {
  Params params = {{"separator", "/"}, {"keys", ""}, {"dc", "dc 1"}};
  EXPECT_EQ(EncodeQuery(params), "dc=dc+1&keys=&separator=%2F");
  EXPECT_EQ(EncodeQuery({}), "");
}

TEST(UrlTest, EncodeQueryKeepsOrderOfRepeatedKeys) {
  EXPECT_EQ(EncodeQuery({{"b", "2"}, {"a", "x"}, {"b", "1"}}), "a=x&b=2&b=1");
}

TEST(UrlTest, EscapeHostEscapesSlashes) {
  EXPECT_EQ(EscapeHost("/tmp/consul.sock"), "%2Ftmp%2Fconsul.sock");
  EXPECT_EQ(EscapeHost("127.0.0.1:8500"), "127.0.0.1:8500");
  EXPECT_EQ(EscapeHost("[::1]:8500"), "[::1]:8500");
}

}  // namespace
}  // namespace consulate::api
