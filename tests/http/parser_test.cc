#include "http/parser.h"

#include <gtest/gtest.h>

namespace consulate::http {
namespace {

TEST(ParserTest, SimpleGetWithQuery) {
  RequestParser p;
  Request r;
  size_t used = 0;
  std::string in =
      "GET /v1/kv/a%2Fb?recurse&wait=5s&tag=x&tag=y HTTP/1.1\r\nHost: x\r\nX-Consul-Token: "
      "t\r\n\r\n";
  ASSERT_EQ(p.Parse(in, &r, &used), RequestParser::State::kDone);
  EXPECT_EQ(used, in.size());
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/v1/kv/a/b");
  EXPECT_TRUE(r.Has("recurse"));
  EXPECT_EQ(r.Query("wait"), "5s");
  EXPECT_EQ(r.QueryAll("tag").size(), 2u);
  EXPECT_EQ(r.Header("x-consul-token"), "t");
  EXPECT_TRUE(r.keep_alive);
}

TEST(ParserTest, BodyArrivesInPieces) {
  RequestParser p;
  Request r;
  size_t used = 0;
  std::string in = "PUT /v1/kv/k HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  std::string got;
  RequestParser::State st = RequestParser::State::kNeedMore;
  for (size_t n = 1; n <= in.size(); ++n) {
    st = p.Parse(std::string_view(in).substr(0, n), &r, &used);
    if (st == RequestParser::State::kDone) break;
    ASSERT_NE(st, RequestParser::State::kError);
  }
  ASSERT_EQ(st, RequestParser::State::kDone);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(used, in.size());
}

TEST(ParserTest, ChunkedAndPipelined) {
  RequestParser p;
  Request r;
  size_t used = 0;
  std::string in =
      "PUT /v1/txn HTTP/1.1\r\nTransfer-Encoding: "
      "chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"
      "GET /next HTTP/1.1\r\n\r\n";
  auto st = p.Parse(in, &r, &used);
  if (st == RequestParser::State::kHeadersDone) st = p.Parse(in, &r, &used);
  ASSERT_EQ(st, RequestParser::State::kDone);
  EXPECT_EQ(r.body, "abcde");
  std::string rest = in.substr(used);
  ASSERT_EQ(p.Parse(rest, &r, &used), RequestParser::State::kDone);
  EXPECT_EQ(r.path, "/next");
}

TEST(ParserTest, ExpectContinueReportsHead) {
  RequestParser p;
  Request r;
  size_t used = 0;
  std::string in = "PUT /v1/kv/k HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  EXPECT_EQ(p.Parse(in, &r, &used), RequestParser::State::kHeadersDone);
  EXPECT_TRUE(r.expect_continue);
  EXPECT_EQ(p.Parse(in, &r, &used), RequestParser::State::kNeedMore);
  in += "abc";
  EXPECT_EQ(p.Parse(in, &r, &used), RequestParser::State::kDone);
  EXPECT_EQ(r.body, "abc");
}

TEST(ParserTest, Errors) {
  for (std::string bad :
       {"GET\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "PUT / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "PUT / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "GET /%zz HTTP/1.1\r\n\r\n"}) {
    RequestParser p;
    Request r;
    size_t used = 0;
    EXPECT_EQ(p.Parse(bad, &r, &used), RequestParser::State::kError) << bad;
    EXPECT_GE(p.error_status(), 400);
  }
}

TEST(ParserTest, Http10ClosesByDefault) {
  RequestParser p;
  Request r;
  size_t used = 0;
  ASSERT_EQ(p.Parse("GET / HTTP/1.0\r\n\r\n", &r, &used), RequestParser::State::kDone);
  EXPECT_FALSE(r.keep_alive);
}

}  // namespace
}  // namespace consulate::http
