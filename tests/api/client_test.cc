#include "api/client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>

namespace consulate::api {
namespace {

// A TCP port on 127.0.0.1 that nothing listens on: bound, then closed.
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

Config EnvConfig(const std::map<std::string, std::string>& env) {
  return Config::FromEnvironment([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(HeadersTest, LookupIgnoresCase) {
  Headers h;
  h.Add("Content-Type", "application/json");
  h.Add("X-Consul-Index", "42");
  EXPECT_EQ(h.Get("content-type").value_or(""), "application/json");
  EXPECT_EQ(h.Get("X-CONSUL-INDEX").value_or(""), "42");
  EXPECT_FALSE(h.Get("X-Missing").has_value());
  h.Set("x-consul-index", "43");
  EXPECT_EQ(h.fields().size(), 2u);
  EXPECT_EQ(h.Get("X-Consul-Index").value_or(""), "43");
}

TEST(ConfigTest, DefaultsWithoutEnvironment) {
  Config c = EnvConfig({});
  EXPECT_EQ(c.address, "127.0.0.1:8500");
  EXPECT_EQ(c.scheme, "http");
  EXPECT_EQ(c.token, "");
  EXPECT_FALSE(c.stale);
}

TEST(ConfigTest, ReadsConsulEnvironment) {
  Config c = EnvConfig({{"CONSUL_HTTP_ADDR", "10.0.0.1:8501"},
                        {"CONSUL_HTTP_TOKEN", "secret"},
                        {"CONSUL_HTTP_SSL", "true"},
                        {"CONSUL_NAMESPACE", "team"}});
  EXPECT_EQ(c.address, "10.0.0.1:8501");
  EXPECT_EQ(c.token, "secret");
  EXPECT_EQ(c.scheme, "https");
  EXPECT_EQ(c.namespace_name, "team");
}

TEST(ClientTest, RejectsUnknownScheme) {
  Config c;
  c.address = "ftp://x";
  Result<Client> client = Client::Create(c);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().message(), "Unknown protocol scheme: ftp");
}

TEST(ClientTest, TokenFileErrorsAndTrimming) {
  Config c;
  c.token_file = "/nonexistent/token";
  Result<Client> client = Client::Create(c);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().message(),
            "Error loading token file: open /nonexistent/token: no such file or directory");

  std::string path = ::testing::TempDir() + "/consulate_token_test";
  std::ofstream(path) << "  file-token \n";
  c.token = "flag-token";
  c.token_file = path;
  client = Client::Create(c);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->config().token, "file-token");
  std::remove(path.c_str());
}

TEST(ClientTest, UrlsAsGoPrintsThem) {
  Config c;
  c.address = "http://127.0.0.1:18500";
  c.datacenter = "dc2";
  c.stale = true;
  Result<Client> client = Client::Create(c);
  ASSERT_TRUE(client.ok());
  Request get;
  get.method = "GET";
  get.path = "/v1/kv/a b";
  get.params = {{"keys", ""}, {"separator", "/"}};
  EXPECT_EQ(client->UrlFor(get),
            "http://127.0.0.1:18500/v1/kv/a%20b?dc=dc2&keys=&separator=%2F&stale=");
  Request put;
  put.method = "PUT";
  put.path = "/v1/kv/x";
  EXPECT_EQ(client->UrlFor(put), "http://127.0.0.1:18500/v1/kv/x?dc=dc2");  // stale is for reads

  c = Config();
  c.address = "unix:///tmp/consul.sock";
  client = Client::Create(c);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->UrlFor(put), "http://%2Ftmp%2Fconsul.sock/v1/kv/x");
}

TEST(ClientTest, ConnectionRefusedReadsLikeGo) {
  int port = UnusedPort();
  Config c;
  c.address = "127.0.0.1:" + std::to_string(port);
  Result<Client> client = Client::Create(c);
  ASSERT_TRUE(client.ok());
  Result<Response> resp = client->Send("GET", "/v1/kv/x");
  ASSERT_FALSE(resp.ok());
  std::string addr = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(resp.status().message(), "Get \"http://" + addr + "/v1/kv/x\": dial tcp " + addr +
                                         ": connect: connection refused");
  resp = client->Send("DELETE", "/v1/kv/x", {{"recurse", ""}});
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().message(), "Delete \"http://" + addr + "/v1/kv/x?recurse=\": dial tcp " +
                                         addr + ": connect: connection refused");
}

TEST(ClientTest, MissingUnixSocket) {
  Config c;
  c.address = "unix:///nonexistent/consul.sock";
  Result<Client> client = Client::Create(c);
  ASSERT_TRUE(client.ok());
  Result<Response> resp = client->Send("GET", "/v1/kv/x");
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().message(),
            "Get \"http://%2Fnonexistent%2Fconsul.sock/v1/kv/x\": dial unix "
            "/nonexistent/consul.sock: connect: no such file or directory");
}

TEST(ParseHttpResponseTest, ContentLength) {
  Result<Response> r = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4\r\n"
      "X-Consul-Index: 7\r\n\r\ntrueEXTRA");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->reason, "OK");
  EXPECT_EQ(r->body, "true");
  EXPECT_EQ(r->headers.Get("x-consul-index").value_or(""), "7");
}

TEST(ParseHttpResponseTest, Chunked) {
  Result<Response> r = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "hello, world");
}

TEST(ParseHttpResponseTest, BodyUntilCloseAndNoBodyCases) {
  Result<Response> r = ParseHttpResponse("HTTP/1.0 404 Not Found\r\n\r\nnot here");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "not here");
  r = ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "HEAD");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "");
  r = ParseHttpResponse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 204);
}

TEST(ParseHttpResponseTest, Malformed) {
  EXPECT_EQ(ParseHttpResponse("").status().message(), "EOF");
  EXPECT_EQ(ParseHttpResponse("garbage\r\n\r\n").status().message(),
            "malformed HTTP response \"garbage\"");
  EXPECT_EQ(
      ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").status().message(),
      "unexpected EOF");
  EXPECT_FALSE(
      ParseHttpResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").ok());
}

TEST(UnexpectedResponseErrorTest, IncludesBody) {
  Response r;
  r.status = 400;
  r.body = "Missing key name";
  EXPECT_EQ(UnexpectedResponseError(r).message(),
            "Unexpected response code: 400 (Missing key name)");
}

}  // namespace
}  // namespace consulate::api
