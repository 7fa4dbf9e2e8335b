// Pure pieces of the checks module: output buffers, StatusHandler, the HTTP response parser,
// alias evaluation and Go's host:port splitting.
#include <gtest/gtest.h>

#include "checks/alias.h"
#include "checks/http_response.h"
#include "checks/output.h"
#include "checks/probe.h"
#include "checks/status_handler.h"

namespace consulate::checks {
namespace {

using State = HttpResponseParser::State;

TEST(TailBufferTest, KeepsTheLastBytesAcrossWrites) {
  TailBuffer buffer(5);
  buffer.Write("abc");
  EXPECT_EQ(buffer.Contents(), "abc");
  buffer.Write("defg");
  EXPECT_EQ(buffer.Contents(), "cdefg");
  buffer.Write("h");
  EXPECT_EQ(buffer.Contents(), "defgh");
  buffer.Write("0123456789");
  EXPECT_EQ(buffer.Contents(), "56789");
  EXPECT_EQ(buffer.total_written(), 18u);
  EXPECT_EQ(buffer.size(), 5u);
  for (char c : std::string("vwxyz")) buffer.Write(std::string(1, c));
  EXPECT_EQ(buffer.Contents(), "vwxyz");
}

TEST(OutputTest, ScriptOutputNotesTruncation) {
  TailBuffer buffer(4);
  buffer.Write("abcd");
  EXPECT_EQ(ScriptOutput(buffer), "abcd");
  buffer.Write("ef");
  EXPECT_EQ(ScriptOutput(buffer), "Captured 4 of 6 bytes\n...\ncdef");
}

TEST(OutputTest, TtlOutputKeepsTheHead) {
  EXPECT_EQ(TruncateTtlOutput("short", 10), "short");
  EXPECT_EQ(TruncateTtlOutput("0123456789", 10), "0123456789");
  EXPECT_EQ(TruncateTtlOutput("0123456789abc", 10), "0123456789 ... (captured 10 of 13 bytes)");
}

TEST(StatusHandlerTest, FirstResultIsReportedThenStreaksMustReachThresholds) {
  StatusHandler handler(2, 3);
  Logger logger;
  EXPECT_TRUE(
      handler.Update("c", HealthStatus::kCritical, logger));  // counters start at thresholds
  EXPECT_FALSE(handler.Update("c", HealthStatus::kPassing, logger));   // 1 of 2
  EXPECT_TRUE(handler.Update("c", HealthStatus::kWarning, logger));    // warning counts as success
  EXPECT_FALSE(handler.Update("c", HealthStatus::kCritical, logger));  // 1 of 3
  EXPECT_FALSE(handler.Update("c", HealthStatus::kCritical, logger));  // 2 of 3
  EXPECT_FALSE(handler.Update("c", HealthStatus::kPassing, logger));   // resets failures
  EXPECT_FALSE(handler.Update("c", HealthStatus::kCritical, logger));
  EXPECT_FALSE(handler.Update("c", HealthStatus::kCritical, logger));
  EXPECT_TRUE(handler.Update("c", HealthStatus::kCritical, logger));
  EXPECT_TRUE(handler.Update("c", HealthStatus::kCritical, logger));
}

TEST(StatusHandlerTest, ZeroThresholdsReportEverything) {
  StatusHandler handler(0, 0);
  Logger logger;
  for (HealthStatus s : {HealthStatus::kPassing, HealthStatus::kCritical, HealthStatus::kWarning}) {
    EXPECT_TRUE(handler.Update("c", s, logger));
  }
}

TEST(HttpResponseParserTest, ContentLengthBodyInPieces) {
  HttpResponseParser parser(100, false);
  EXPECT_EQ(parser.Feed("HTTP/1.1 200 OK\r\nContent-Le"), State::kNeedMore);
  EXPECT_EQ(parser.Feed("ngth: 5\r\nX-A: b\r\n\r\nhel"), State::kNeedMore);
  EXPECT_TRUE(parser.headers_complete());
  EXPECT_EQ(parser.Feed("lo and more"), State::kDone);
  EXPECT_EQ(parser.status_code(), 200);
  EXPECT_EQ(parser.status(), "200 OK");
  EXPECT_EQ(parser.Header("x-a"), "b");
  EXPECT_EQ(parser.body().Contents(), "hello");
}

TEST(HttpResponseParserTest, ChunkedBody) {
  HttpResponseParser parser(100, false);
  EXPECT_EQ(parser.Feed("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n"),
            State::kDone);
  EXPECT_EQ(parser.status_code(), 503);
  EXPECT_EQ(parser.body().Contents(), "Wikipedia");
  EXPECT_EQ(parser.body_error(), "");
}

TEST(HttpResponseParserTest, BodyUntilCloseKeepsTheTail) {
  HttpResponseParser parser(4, false);
  EXPECT_EQ(parser.Feed("HTTP/1.0 200 OK\nServer: x\n\n0123456789"), State::kNeedMore);
  EXPECT_EQ(parser.FinishAtEof(), State::kDone);
  EXPECT_EQ(parser.body().Contents(), "6789");
  EXPECT_EQ(parser.body().total_written(), 10u);
}

TEST(HttpResponseParserTest, InterimResponsesAreSkipped) {
  HttpResponseParser parser(100, false);
  EXPECT_EQ(parser.Feed(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"),
            State::kDone);
  EXPECT_EQ(parser.status(), "201 Created");
  EXPECT_EQ(parser.body().Contents(), "ok");
}

TEST(HttpResponseParserTest, NoBodyForHeadAnd204) {
  HttpResponseParser head(100, true);
  EXPECT_EQ(head.Feed("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"), State::kDone);
  HttpResponseParser no_content(100, false);
  EXPECT_EQ(no_content.Feed("HTTP/1.1 204 No Content\r\n\r\n"), State::kDone);
}

TEST(HttpResponseParserTest, MalformedResponsesUseGoErrors) {
  HttpResponseParser garbage(100, false);
  EXPECT_EQ(garbage.Feed("garbage\r\n"), State::kError);
  EXPECT_EQ(garbage.error(), "malformed HTTP response \"garbage\"");
  HttpResponseParser code(100, false);
  EXPECT_EQ(code.Feed("HTTP/1.1 2000 OK\r\n"), State::kError);
  EXPECT_EQ(code.error(), "malformed HTTP status code \"2000\"");
  HttpResponseParser version(100, false);
  EXPECT_EQ(version.Feed("HTTQ/1.1 200 OK\r\n"), State::kError);
  EXPECT_EQ(version.error(), "malformed HTTP version \"HTTQ/1.1\"");
  HttpResponseParser header(100, false);
  EXPECT_EQ(header.Feed("HTTP/1.1 200 OK\r\nno colon here\r\n"), State::kError);
  EXPECT_EQ(header.error(), "malformed MIME header line: no colon here");
  HttpResponseParser length(100, false);
  EXPECT_EQ(length.Feed("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"), State::kError);
  EXPECT_EQ(length.error(), "bad Content-Length \"x\"");
}

TEST(HttpResponseParserTest, EarlyCloses) {
  HttpResponseParser nothing(100, false);
  EXPECT_EQ(nothing.FinishAtEof(), State::kError);
  EXPECT_EQ(nothing.error(), "EOF");
  HttpResponseParser partial(100, false);
  partial.Feed("HTTP/1.1 200 OK\r\nContent-");
  EXPECT_EQ(partial.FinishAtEof(), State::kError);
  EXPECT_EQ(partial.error(), "unexpected EOF");
  HttpResponseParser short_body(100, false);
  short_body.Feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_EQ(short_body.FinishAtEof(), State::kDone);  // the response stands; the body read failed
  EXPECT_EQ(short_body.body_error(), "unexpected EOF");
  EXPECT_EQ(short_body.body().Contents(), "abc");
}

TEST(AliasTest, WorstMatchingCheckWins) {
  AliasInput input;
  EXPECT_EQ(EvaluateAlias("", "web", input).output, "No checks found.");
  EXPECT_EQ(EvaluateAlias("", "web", input).status, HealthStatus::kPassing);
  input.checks = {{"n1", "web", "a", HealthStatus::kPassing, ""},
                  {"n1", "", "serf", HealthStatus::kPassing, ""},
                  {"n1", "db", "db", HealthStatus::kCritical, "down"}};
  AliasResult result = EvaluateAlias("", "web", input);
  EXPECT_EQ(result.status, HealthStatus::kPassing);
  EXPECT_EQ(result.output, "All checks passing.");
  input.checks.push_back({"n1", "web", "b", HealthStatus::kWarning, "meh"});
  input.checks.push_back({"n1", "web", "c", HealthStatus::kPassing, ""});
  result = EvaluateAlias("", "web", input);
  EXPECT_EQ(result.status, HealthStatus::kWarning);
  EXPECT_EQ(result.output, "Aliased check \"b\" failing: meh");
  input.checks.push_back({"n1", "", "node", HealthStatus::kCritical, "node down"});
  result = EvaluateAlias("", "web", input);
  EXPECT_EQ(result.status, HealthStatus::kCritical);  // node-level checks count too
  EXPECT_EQ(result.output, "Aliased check \"node\" failing: node down");
  // Another node's checks are ignored when alias_node is set.
  result = EvaluateAlias("n2", "web", input);
  EXPECT_EQ(result.output, "No checks found.");
}

TEST(AliasTest, MissingServiceIsCritical) {
  AliasInput input;
  input.service_exists = false;
  AliasResult result = EvaluateAlias("n1", "web", input);
  EXPECT_EQ(result.status, HealthStatus::kCritical);
  EXPECT_EQ(result.output, "Service web could not be found on node n1");
}

TEST(SplitHostPortTest, GoSemantics) {
  std::string host, port;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:80", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, "80");
  ASSERT_TRUE(SplitHostPort("[::1]:443", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(SplitHostPort("localhost", &host, &port).message(),
            "address localhost: missing port in address");
  EXPECT_EQ(SplitHostPort("::1:80", &host, &port).message(),
            "address ::1:80: too many colons in address");
  EXPECT_EQ(SplitHostPort("[::1]", &host, &port).message(),
            "address [::1]: missing port in address");
  EXPECT_EQ(JoinHostPort("::1", "80"), "[::1]:80");
}

}  // namespace
}  // namespace consulate::checks
