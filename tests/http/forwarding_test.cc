// The encoding of HTTP requests a client agent forwards to a server, and of their responses.
#include "http/forwarding.h"

#include <gtest/gtest.h>

namespace consulate::http {
namespace {

TEST(Forwarding, RequestRoundTrips) {
  Request r;
  r.method = "PUT";
  r.path = "/v1/kv/a b/c";
  r.query = {{"cas", "7"}, {"recurse", ""}};
  r.headers = {{"x-consul-token", "t"}};
  r.body = std::string("\0\xff", 2);
  r.remote_ip = "127.0.0.2";
  Request out;
  ASSERT_TRUE(DecodeForwardedRequest(EncodeForwardedRequest(r), &out).ok());
  EXPECT_EQ(out.method, "PUT");
  EXPECT_EQ(out.path, r.path);
  EXPECT_EQ(out.query, r.query);
  EXPECT_EQ(out.headers, r.headers);
  EXPECT_EQ(out.body, r.body);
  EXPECT_EQ(out.remote_ip, r.remote_ip);
  EXPECT_TRUE(out.Has("recurse"));
  EXPECT_EQ(out.Query("cas"), "7");
}

TEST(Forwarding, ResponseRoundTripsWithItsContentType) {
  Response r;
  r.status = 404;
  r.headers = {{"X-Consul-Index", "9"}};
  r.content_type = "text/plain";
  r.body = "nope";
  Response out;
  ASSERT_TRUE(DecodeForwardedResponse(EncodeForwardedResponse(r), &out).ok());
  EXPECT_EQ(out.status, 404);
  EXPECT_EQ(out.headers, r.headers);
  EXPECT_EQ(out.content_type, "text/plain");
  EXPECT_EQ(out.body, "nope");
  r.content_type = {};
  ASSERT_TRUE(DecodeForwardedResponse(EncodeForwardedResponse(r), &out).ok());
  EXPECT_TRUE(out.content_type.empty());
}

TEST(Forwarding, TruncationsAreErrors) {
  Request r;
  r.method = "GET";
  r.path = "/v1/catalog/nodes";
  const std::string req = EncodeForwardedRequest(r);
  for (size_t n = 0; n < req.size(); ++n) {
    Request out;
    EXPECT_FALSE(DecodeForwardedRequest(req.substr(0, n), &out).ok()) << n;
  }
  const std::string resp = EncodeForwardedResponse(Response{});
  for (size_t n = 0; n < resp.size(); ++n) {
    Response out;
    EXPECT_FALSE(DecodeForwardedResponse(resp.substr(0, n), &out).ok()) << n;
  }
}

TEST(Forwarding, AgentEndpointsStayLocal) {
  EXPECT_TRUE(IsForwardedPath("/v1/kv/x"));
  EXPECT_TRUE(IsForwardedPath("/v1/kv"));
  EXPECT_TRUE(IsForwardedPath("/v1/catalog/nodes"));
  EXPECT_TRUE(IsForwardedPath("/v1/health/service/web"));
  EXPECT_TRUE(IsForwardedPath("/v1/status/leader"));
  EXPECT_FALSE(IsForwardedPath("/v1/agent/self"));
  EXPECT_FALSE(IsForwardedPath("/v1/agent/service/register"));
  EXPECT_FALSE(IsForwardedPath("/v1/kvx"));
}

}  // namespace
}  // namespace consulate::http
