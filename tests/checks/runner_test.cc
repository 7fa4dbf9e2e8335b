// Runner tests against real local servers and processes. Intervals are 50-100ms with the
// stagger off and the minimum interval lowered, so every test finishes within a few seconds.
#include "checks/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_servers.h"

namespace consulate::checks {
namespace {

using namespace std::chrono_literals;
using testing::HttpResponse;
using testing::TestHttpServer;
using testing::TestTcpListener;

struct Update {
  std::string id;
  HealthStatus status;
  std::string output;
};

// Collects updates and lets a test wait for one.
class Recorder {
 public:
  UpdateFn Fn() {
    return [this](const std::string& id, HealthStatus status, std::string output) {
      std::lock_guard<std::mutex> lock(mu_);
      updates_.push_back(Update{id, status, std::move(output)});
      cv_.notify_all();
    };
  }

  // Waits for an update with index >= from matching `status` (any id). Returns its index, or -1.
  int WaitFor(HealthStatus status, size_t from = 0, std::chrono::milliseconds timeout = 3000ms) {
    std::unique_lock<std::mutex> lock(mu_);
    int found = -1;
    cv_.wait_for(lock, timeout, [&] {
      for (size_t i = from; i < updates_.size(); ++i) {
        if (updates_[i].status == status) {
          found = static_cast<int>(i);
          return true;
        }
      }
      return false;
    });
    return found;
  }
  // Waits until at least n updates arrived.
  bool WaitForCount(size_t n, std::chrono::milliseconds timeout = 3000ms) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return updates_.size() >= n; });
  }
  Update At(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return updates_.at(i);
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu_);
    return updates_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Update> updates_;
};

RunnerOptions TestOptions(bool scripts = true) {
  RunnerOptions options;
  options.enable_script_checks = scripts;
  options.stagger = false;
  options.min_interval = Duration(0);
  return options;
}

CheckDefinition HttpCheck(const std::string& url, Duration interval = 100ms) {
  CheckDefinition def;
  def.id = "web";
  def.name = "web";
  def.http = url;
  def.interval = interval;
  return def;
}

CheckDefinition ScriptCheck(std::vector<std::string> args) {
  CheckDefinition def;
  def.id = "script";
  def.args = std::move(args);
  def.interval = 100ms;
  return def;
}

std::string Url(int port, const std::string& path = "/health") {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

TEST(RunnerHttpTest, PassingThenCriticalWhenServerStopsThenPassingAgain) {
  auto server = std::make_unique<TestHttpServer>(
      [](const std::string&) { return HttpResponse(200, "OK", "ok"); });
  ASSERT_TRUE(server->ok());
  const int port = server->port();
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  ASSERT_TRUE(runner.Add(HttpCheck(Url(port))).ok());

  int passing = recorder.WaitFor(HealthStatus::kPassing);
  ASSERT_GE(passing, 0);
  EXPECT_EQ(recorder.At(passing).id, "web");
  EXPECT_EQ(recorder.At(passing).output, "HTTP GET " + Url(port) + ": 200 OK Output: ok");

  server->Stop();
  int critical = recorder.WaitFor(HealthStatus::kCritical, passing + 1);
  ASSERT_GE(critical, 0);
  EXPECT_EQ(recorder.At(critical).output, "Get \"" + Url(port) +
                                              "\": dial tcp 127.0.0.1:" + std::to_string(port) +
                                              ": connect: connection refused");

  server = std::make_unique<TestHttpServer>(
      [](const std::string&) { return HttpResponse(200, "OK", "back"); }, port);
  ASSERT_TRUE(server->ok());
  int again = recorder.WaitFor(HealthStatus::kPassing, critical + 1);
  ASSERT_GE(again, 0);
  EXPECT_EQ(recorder.At(again).output, "HTTP GET " + Url(port) + ": 200 OK Output: back");
}

TEST(RunnerHttpTest, TooManyRequestsIsWarningOtherCodesCritical) {
  std::atomic<int> code{429};
  TestHttpServer server([&](const std::string&) {
    int c = code;
    return HttpResponse(c, c == 429 ? "Too Many Requests" : "Service Unavailable", "slow down");
  });
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  ASSERT_TRUE(runner.Add(HttpCheck(Url(server.port()))).ok());
  int warning = recorder.WaitFor(HealthStatus::kWarning);
  ASSERT_GE(warning, 0);
  EXPECT_EQ(recorder.At(warning).output,
            "HTTP GET " + Url(server.port()) + ": 429 Too Many Requests Output: slow down");
  code = 503;
  int critical = recorder.WaitFor(HealthStatus::kCritical, warning + 1);
  ASSERT_GE(critical, 0);
  EXPECT_EQ(recorder.At(critical).output,
            "HTTP GET " + Url(server.port()) + ": 503 Service Unavailable Output: slow down");
}

TEST(RunnerHttpTest, SendsMethodHeadersBodyAndConsulDefaults) {
  TestHttpServer server([](const std::string&) { return HttpResponse(204, "No Content", ""); });
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def = HttpCheck(Url(server.port(), "/v1/ping?x=1"));
  def.method = "PUT";
  def.header = {{"X-Token", {"abc", "def"}}, {"Host", {"example.com"}}};
  def.body = "data";
  ASSERT_TRUE(runner.Add(def).ok());
  int passing = recorder.WaitFor(HealthStatus::kPassing);
  ASSERT_GE(passing, 0);
  EXPECT_EQ(recorder.At(passing).output,
            "HTTP PUT " + Url(server.port(), "/v1/ping?x=1") + ": 204 No Content Output: ");
  runner.Stop();
  std::vector<std::string> requests = server.Requests();
  ASSERT_FALSE(requests.empty());
  const std::string& request = requests[0];
  EXPECT_EQ(
      request.rfind(
          "PUT /v1/ping?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Consul Health Check\r\n",
          0),
      0u)
      << request;
  EXPECT_NE(request.find("\r\nContent-Length: 4\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nAccept: text/plain, text/*, */*\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nX-Token: abc\r\nX-Token: def\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_EQ(request.substr(request.size() - 8), "\r\n\r\ndata");
}

TEST(RunnerHttpTest, CheckHeadersOverrideUserAgentAndAccept) {
  TestHttpServer server([](const std::string&) { return HttpResponse(200, "OK", ""); });
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def = HttpCheck(Url(server.port()));
  def.header = {{"User-Agent", {"probe/1"}}, {"Accept", {"application/json"}}};
  ASSERT_TRUE(runner.Add(def).ok());
  ASSERT_GE(recorder.WaitFor(HealthStatus::kPassing), 0);
  runner.Stop();
  const std::string request = server.Requests().at(0);
  EXPECT_NE(request.find("\r\nUser-Agent: probe/1\r\n"), std::string::npos);
  EXPECT_EQ(request.find("Consul Health Check"), std::string::npos);
  EXPECT_NE(request.find("\r\nAccept: application/json\r\n"), std::string::npos);
  EXPECT_EQ(request.find("text/plain"), std::string::npos);
}

TEST(RunnerHttpTest, OutputKeepsTheLast4096BytesOfTheBody) {
  const std::string body = std::string(904, 'a') + std::string(4096, 'b');
  TestHttpServer server([&](const std::string&) { return HttpResponse(200, "OK", body); });
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  ASSERT_TRUE(runner.Add(HttpCheck(Url(server.port()))).ok());
  int passing = recorder.WaitFor(HealthStatus::kPassing);
  ASSERT_GE(passing, 0);
  EXPECT_EQ(recorder.At(passing).output,
            "HTTP GET " + Url(server.port()) + ": 200 OK Output: " + std::string(4096, 'b'));
}

TEST(RunnerHttpTest, CheckOutputMaxSizeLowersTheAgentLimit) {
  TestHttpServer server([](const std::string&) { return HttpResponse(200, "OK", "0123456789"); });
  Recorder recorder;
  RunnerOptions options = TestOptions();
  options.output_max_size = 8;
  Runner runner(Logger(), recorder.Fn(), options);
  CheckDefinition def = HttpCheck(Url(server.port()));
  def.output_max_size = 4;  // lower than the agent's 8: wins
  ASSERT_TRUE(runner.Add(def).ok());
  def.id = "web2";
  def.output_max_size = 100;  // higher than the agent's: capped at 8
  ASSERT_TRUE(runner.Add(def).ok());
  ASSERT_TRUE(recorder.WaitForCount(2));
  runner.Stop();
  for (size_t i = 0; i < recorder.Count(); ++i) {
    Update u = recorder.At(i);
    const std::string expected_tail = u.id == "web" ? "Output: 6789" : "Output: 23456789";
    EXPECT_EQ(u.output.substr(u.output.size() - expected_tail.size()), expected_tail)
        << u.id << ": " << u.output;
  }
}

TEST(RunnerHttpTest, TimeoutIsCritical) {
  TestHttpServer server([](const std::string&) {
    std::this_thread::sleep_for(1500ms);
    return HttpResponse(200, "OK", "late");
  });
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def = HttpCheck(Url(server.port()), 5s);
  def.timeout = 200ms;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(runner.Add(def).ok());
  int critical = recorder.WaitFor(HealthStatus::kCritical);
  ASSERT_GE(critical, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1200ms);
  EXPECT_EQ(recorder.At(critical).output,
            "Get \"" + Url(server.port()) +
                "\": net/http: request canceled (Client.Timeout exceeded while awaiting headers)");
}

TEST(RunnerHttpTest, FollowsRedirectsAndReportsTheOriginalUrl) {
  TestHttpServer server([](const std::string& request) {
    if (request.rfind("GET /old ", 0) == 0)
      return HttpResponse(302, "Found", "", "Location: /new\r\n");
    if (request.rfind("GET /loop ", 0) == 0)
      return HttpResponse(307, "Temporary Redirect", "", "Location: /loop\r\n");
    return HttpResponse(200, "OK", "new place");
  });
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  ASSERT_TRUE(runner.Add(HttpCheck(Url(server.port(), "/old"))).ok());
  int passing = recorder.WaitFor(HealthStatus::kPassing);
  ASSERT_GE(passing, 0);
  EXPECT_EQ(recorder.At(passing).output,
            "HTTP GET " + Url(server.port(), "/old") + ": 200 OK Output: new place");
  runner.Remove("web");

  CheckDefinition loop = HttpCheck(Url(server.port(), "/loop"), 5s);  // one run
  loop.id = "loop";
  ASSERT_TRUE(runner.Add(loop).ok());
  int critical = recorder.WaitFor(HealthStatus::kCritical);
  ASSERT_GE(critical, 0);
  EXPECT_EQ(recorder.At(critical).output, "Get \"/loop\": stopped after 10 redirects");
  runner.Stop();
  std::vector<std::string> requests = server.Requests();
  int loop_requests = 0;
  for (const auto& r : requests) loop_requests += r.rfind("GET /loop ", 0) == 0 ? 1 : 0;
  EXPECT_EQ(loop_requests % 10, 0);  // each run: the request and 9 redirects
  EXPECT_NE(requests.at(1).find("\r\nReferer: " + Url(server.port(), "/old") + "\r\n"),
            std::string::npos);
}

TEST(RunnerHttpTest, BadUrlsAreCriticalWithGoErrors) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def = HttpCheck("ftp://127.0.0.1/x");
  ASSERT_TRUE(runner.Add(def).ok());
  int critical = recorder.WaitFor(HealthStatus::kCritical);
  ASSERT_GE(critical, 0);
  EXPECT_EQ(recorder.At(critical).output,
            "Get \"ftp://127.0.0.1/x\": unsupported protocol scheme \"ftp\"");
}

TEST(RunnerHttpTest, HttpsVerifiesCertificatesUnlessTlsSkipVerify) {
  SSL_CTX* tls = testing::MakeSelfSignedServerContext();
  ASSERT_NE(tls, nullptr);
  {
    TestHttpServer server([](const std::string&) { return HttpResponse(200, "OK", "secure"); }, 0,
                          tls);
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
    Recorder recorder;
    Runner runner(Logger(), recorder.Fn(), TestOptions());
    CheckDefinition skip = HttpCheck(url);
    skip.tls_skip_verify = true;
    ASSERT_TRUE(runner.Add(skip).ok());
    int passing = recorder.WaitFor(HealthStatus::kPassing);
    ASSERT_GE(passing, 0);
    EXPECT_EQ(recorder.At(passing).output, "HTTP GET " + url + ": 200 OK Output: secure");
    runner.Remove("web");

    CheckDefinition verify = HttpCheck(url);
    verify.id = "verify";
    ASSERT_TRUE(runner.Add(verify).ok());
    int critical = recorder.WaitFor(HealthStatus::kCritical);
    ASSERT_GE(critical, 0);
    EXPECT_EQ(recorder.At(critical).output,
              "Get \"" + url + "\": x509: certificate signed by unknown authority");
    runner.Stop();
  }
  SSL_CTX_free(tls);
}

TEST(RunnerHttpTest, HttpsTrustsTheAgentCaWhenAgentTlsIsEnabled) {
  std::string cert_pem;
  SSL_CTX* tls = testing::MakeSelfSignedServerContext(&cert_pem);
  ASSERT_NE(tls, nullptr);
  const std::string ca_file = ::testing::TempDir() + "/checks_test_ca.pem";
  {
    std::FILE* f = std::fopen(ca_file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fwrite(cert_pem.data(), 1, cert_pem.size(), f);
    std::fclose(f);
  }
  {
    TestHttpServer server([](const std::string&) { return HttpResponse(200, "OK", "trusted"); }, 0,
                          tls);
    Recorder recorder;
    RunnerOptions options = TestOptions();
    options.tls.enable_agent_tls_for_checks = true;
    options.tls.ca_file = ca_file;
    Runner runner(Logger(), recorder.Fn(), options);
    const std::string by_ip = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
    const std::string by_name = "https://localhost:" + std::to_string(server.port()) + "/";
    CheckDefinition ip = HttpCheck(by_ip, 5s);
    ip.id = "ip";
    CheckDefinition name = HttpCheck(by_name, 5s);
    name.id = "name";
    ASSERT_TRUE(runner.Add(ip).ok());
    ASSERT_TRUE(runner.Add(name).ok());
    ASSERT_TRUE(recorder.WaitForCount(2));
    runner.Stop();
    for (size_t i = 0; i < recorder.Count(); ++i) {
      Update u = recorder.At(i);
      EXPECT_EQ(u.status, HealthStatus::kPassing) << u.output;
      EXPECT_EQ(u.output,
                "HTTP GET " + (u.id == "ip" ? by_ip : by_name) + ": 200 OK Output: trusted");
    }

    options.tls.ca_file = ca_file + ".missing";
    Runner bad(Logger(), recorder.Fn(), options);
    EXPECT_TRUE(bad.Add(ip).IsInvalidArgument());
  }
  std::remove(ca_file.c_str());
  SSL_CTX_free(tls);
}

TEST(RunnerTcpTest, PassingThenCriticalWhenListenerClosesThenPassingAgain) {
  auto listener = std::make_unique<TestTcpListener>();
  ASSERT_TRUE(listener->ok());
  const int port = listener->port();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def;
  def.id = "tcp";
  def.tcp = address;
  def.interval = 100ms;
  ASSERT_TRUE(runner.Add(def).ok());
  int passing = recorder.WaitFor(HealthStatus::kPassing);
  ASSERT_GE(passing, 0);
  EXPECT_EQ(recorder.At(passing).output, "TCP connect " + address + ": Success");

  listener->Stop();
  int critical = recorder.WaitFor(HealthStatus::kCritical, passing + 1);
  ASSERT_GE(critical, 0);
  EXPECT_EQ(recorder.At(critical).output, "dial tcp " + address + ": connect: connection refused");

  listener = std::make_unique<TestTcpListener>(port);
  ASSERT_TRUE(listener->ok());
  EXPECT_GE(recorder.WaitFor(HealthStatus::kPassing, critical + 1), 0);
}

TEST(RunnerTcpTest, MalformedAddressIsCritical) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def;
  def.id = "tcp";
  def.tcp = "127.0.0.1";
  def.interval = 100ms;
  ASSERT_TRUE(runner.Add(def).ok());
  int critical = recorder.WaitFor(HealthStatus::kCritical);
  ASSERT_GE(critical, 0);
  EXPECT_EQ(recorder.At(critical).output, "dial tcp: address 127.0.0.1: missing port in address");
}

TEST(RunnerTtlTest, ExpiresToCriticalAndUpdatesResetTheTimer) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def;
  def.id = "ttl";
  def.ttl = 300ms;
  ASSERT_TRUE(runner.Add(def).ok());
  EXPECT_EQ(InitialStatus(def), HealthStatus::kCritical);

  // Updates every 100ms keep it alive well past the TTL.
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(runner.UpdateTTL("ttl", HealthStatus::kPassing, "ok " + std::to_string(i)).ok());
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(recorder.Count(), 6u);  // each update reported synchronously, no expiry in between
  EXPECT_EQ(recorder.At(5).status, HealthStatus::kPassing);
  EXPECT_EQ(recorder.At(5).output, "ok 5");

  int critical = recorder.WaitFor(HealthStatus::kCritical, 6, 1000ms);
  ASSERT_GE(critical, 0);
  EXPECT_EQ(recorder.At(critical).output, "TTL expired (last output before timeout follows): ok 5");

  // After expiry an update revives it, and it expires again.
  ASSERT_TRUE(runner.UpdateTTL("ttl", HealthStatus::kWarning, "").ok());
  EXPECT_EQ(recorder.At(critical + 1).status, HealthStatus::kWarning);
  int again = recorder.WaitFor(HealthStatus::kCritical, critical + 2, 1000ms);
  ASSERT_GE(again, 0);
  EXPECT_EQ(recorder.At(again).output, "TTL expired");
}

TEST(RunnerTtlTest, FirstExpiryWithoutUpdates) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def;
  def.id = "ttl";
  def.ttl = 150ms;
  def.initial_status = "passing";
  EXPECT_EQ(InitialStatus(def), HealthStatus::kPassing);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(runner.Add(def).ok());
  int critical = recorder.WaitFor(HealthStatus::kCritical);
  ASSERT_GE(critical, 0);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 140ms);
  EXPECT_EQ(recorder.At(critical).output, "TTL expired");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(recorder.Count(), 1u);  // expires once, not every TTL
}

TEST(RunnerTtlTest, UpdateOutputIsTruncatedAsConsulDoes) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def;
  def.id = "ttl";
  def.ttl = 10s;
  ASSERT_TRUE(runner.Add(def).ok());
  ASSERT_TRUE(runner.UpdateTTL("ttl", HealthStatus::kPassing, std::string(5000, 'x')).ok());
  EXPECT_EQ(recorder.At(0).output, std::string(4096, 'x') + " ... (captured 4096 of 5000 bytes)");
}

TEST(RunnerTtlTest, UpdateTtlRejectsUnknownAndNonTtlChecks) {
  TestHttpServer server([](const std::string&) { return HttpResponse(200, "OK", ""); });
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  ASSERT_TRUE(runner.Add(HttpCheck(Url(server.port()))).ok());
  Status st = runner.UpdateTTL("nope", HealthStatus::kPassing, "");
  EXPECT_TRUE(st.IsNotFound());
  EXPECT_EQ(st.message(), "CheckID \"nope\" does not have associated TTL");
  st = runner.UpdateTTL("web", HealthStatus::kPassing, "");
  EXPECT_EQ(st.message(), "CheckID \"web\" does not have associated TTL");
}

TEST(RunnerScriptTest, ExitCodesMapToStatuses) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition pass = ScriptCheck({"/bin/sh", "-c", "echo hello; exit 0"});
  pass.id = "pass";
  CheckDefinition warn = ScriptCheck({"/bin/sh", "-c", "echo careful >&2; exit 1"});
  warn.id = "warn";
  CheckDefinition crit = ScriptCheck({"/bin/sh", "-c", "exit 2"});
  crit.id = "crit";
  CheckDefinition shell;
  shell.id = "shell";
  shell.script_shell_command = "echo out; echo err 1>&2; exit 3";
  shell.interval = 100ms;
  for (const auto& def : {pass, warn, crit, shell}) ASSERT_TRUE(runner.Add(def).ok());
  ASSERT_TRUE(recorder.WaitForCount(8));
  runner.Stop();
  for (size_t i = 0; i < recorder.Count(); ++i) {
    Update u = recorder.At(i);
    if (u.id == "pass") {
      EXPECT_EQ(u.status, HealthStatus::kPassing);
      EXPECT_EQ(u.output, "hello\n");
    } else if (u.id == "warn") {
      EXPECT_EQ(u.status, HealthStatus::kWarning);
      EXPECT_EQ(u.output, "careful\n");
    } else if (u.id == "crit") {
      EXPECT_EQ(u.status, HealthStatus::kCritical);
      EXPECT_EQ(u.output, "");
    } else {
      EXPECT_EQ(u.status, HealthStatus::kCritical);
      EXPECT_EQ(u.output, "out\nerr\n");
    }
  }
}

TEST(RunnerScriptTest, TimeoutKillsTheProcessGroup) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def = ScriptCheck({"/bin/sh", "-c", "echo started; sleep 5 & sleep 5"});
  def.interval = 5s;
  def.timeout = 200ms;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(runner.Add(def).ok());
  int critical = recorder.WaitFor(HealthStatus::kCritical);
  ASSERT_GE(critical, 0);
  // The background sleep holds the pipe too: it must have been killed with the group.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(recorder.At(critical).output, "Timed out (200ms) running check\n\nstarted\n");
}

TEST(RunnerScriptTest, OutputKeepsTheTailWithConsulsNote) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def =
      ScriptCheck({"printf", "abcdefghijklmnopqrstuvwxyz"});  // found through $PATH
  def.output_max_size = 10;
  ASSERT_TRUE(runner.Add(def).ok());
  int passing = recorder.WaitFor(HealthStatus::kPassing);
  ASSERT_GE(passing, 0);
  EXPECT_EQ(recorder.At(passing).output, "Captured 10 of 26 bytes\n...\nqrstuvwxyz");
}

TEST(RunnerScriptTest, MissingExecutablesAreCritical) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition missing = ScriptCheck({"no-such-check-binary-xyz"});
  missing.id = "missing";
  CheckDefinition absolute = ScriptCheck({"/no/such/binary"});
  absolute.id = "absolute";
  ASSERT_TRUE(runner.Add(missing).ok());
  ASSERT_TRUE(runner.Add(absolute).ok());
  ASSERT_TRUE(recorder.WaitForCount(2));
  runner.Stop();
  for (size_t i = 0; i < recorder.Count(); ++i) {
    Update u = recorder.At(i);
    EXPECT_EQ(u.status, HealthStatus::kCritical);
    if (u.id == "missing")
      EXPECT_EQ(u.output, "exec: \"no-such-check-binary-xyz\": executable file not found in $PATH");
    else
      EXPECT_EQ(u.output, "fork/exec /no/such/binary: no such file or directory");
  }
}

TEST(RunnerScriptTest, DisabledScriptsAreRejectedWithConsulsErrors) {
  Recorder recorder;
  CheckDefinition def = ScriptCheck({"/bin/true"});
  {
    Runner runner(Logger(), recorder.Fn(), false);
    Status st = runner.Add(def);
    EXPECT_TRUE(st.IsInvalidArgument());
    EXPECT_EQ(st.message(),
              "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or "
              "'enable_local_script_checks' to true");
    EXPECT_FALSE(runner.Has("script"));
  }
  {
    RunnerOptions options = TestOptions(false);
    options.enable_local_script_checks = true;
    Runner runner(Logger(), recorder.Fn(), options);
    EXPECT_TRUE(runner.Add(def, CheckSource::kLocal).ok());
    def.id = "remote";
    Status st = runner.Add(def, CheckSource::kRemote);
    EXPECT_EQ(st.message(),
              "Scripts are disabled on this agent from remote calls; to enable, configure "
              "'enable_script_checks' to "
              "true");
  }
}

// Responses programmed per request: success_before_passing=2, failures_before_critical=3.
TEST(RunnerStatusHandlerTest, ConsecutiveCountsGateReports) {
  const std::vector<int> codes = {200, 500, 500, 500, 500, 200, 200, 200};
  std::atomic<size_t> served{0};
  TestHttpServer server([&](const std::string&) {
    size_t n = served++;
    int code = n < codes.size() ? codes[n] : 200;
    return HttpResponse(code, code == 200 ? "OK" : "Internal Server Error",
                        "req " + std::to_string(n + 1));
  });
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def = HttpCheck(Url(server.port()), 50ms);
  def.success_before_passing = 2;
  def.failures_before_critical = 3;
  ASSERT_TRUE(runner.Add(def).ok());
  ASSERT_TRUE(recorder.WaitForCount(5));
  runner.Stop();
  // The first result is reported at once; then a streak must reach its threshold.
  const std::vector<std::pair<HealthStatus, std::string>> expected = {
      {HealthStatus::kPassing, "req 1"},
      {HealthStatus::kCritical, "req 4"},
      {HealthStatus::kCritical, "req 5"},
      {HealthStatus::kPassing, "req 7"},
      {HealthStatus::kPassing, "req 8"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    Update u = recorder.At(i);
    EXPECT_EQ(u.status, expected[i].first) << i;
    EXPECT_EQ(u.output.substr(u.output.rfind(' ', u.output.size() - 3) + 1), expected[i].second)
        << u.output;
  }
}

TEST(RunnerTest, RemoveStopsUpdatesAndAddReplaces) {
  TestHttpServer server([](const std::string& request) {
    return HttpResponse(200, "OK", request.rfind("GET /two ", 0) == 0 ? "two" : "one");
  });
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  ASSERT_TRUE(runner.Add(HttpCheck(Url(server.port(), "/one"), 50ms)).ok());
  ASSERT_TRUE(recorder.WaitForCount(1));
  ASSERT_TRUE(runner.Add(HttpCheck(Url(server.port(), "/two"), 50ms)).ok());  // same id: replaces
  const size_t before = recorder.Count();
  ASSERT_TRUE(recorder.WaitForCount(before + 3));
  EXPECT_EQ(recorder.At(before + 2).output,
            "HTTP GET " + Url(server.port(), "/two") + ": 200 OK Output: two");

  runner.Remove("web");
  EXPECT_FALSE(runner.Has("web"));
  std::this_thread::sleep_for(50ms);  // a result being delivered during Remove may still land
  const size_t after_remove = recorder.Count();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(recorder.Count(), after_remove);
}

// The agent may hold the lock its UpdateFn takes while it adds and removes checks.
TEST(RunnerTest, AddAndRemoveWhileHoldingTheLockUpdateFnTakes) {
  std::mutex agent_mu;
  std::atomic<int> updates{0};
  Runner runner(
      Logger(),
      [&](const std::string&, HealthStatus, std::string) {
        std::lock_guard<std::mutex> lock(agent_mu);
        ++updates;
      },
      TestOptions());
  CheckDefinition def = ScriptCheck({"/bin/true"});
  def.interval = 5ms;
  const auto end = std::chrono::steady_clock::now() + 500ms;
  int rounds = 0;
  while (std::chrono::steady_clock::now() < end) {
    std::lock_guard<std::mutex> lock(agent_mu);
    def.id = "c" + std::to_string(rounds % 3);
    ASSERT_TRUE(runner.Add(def).ok());
    runner.Remove("c" + std::to_string((rounds + 1) % 3));
    runner.AliasStateChanged();
    ++rounds;
  }
  // The checks left running still report.
  for (int i = 0; i < 300 && updates.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  runner.Stop();
  EXPECT_GT(rounds, 10);
  EXPECT_GT(updates.load(), 0);
}

TEST(RunnerTest, IntervalsBelowTheMinimumAreRaised) {
  std::atomic<int> requests{0};
  TestHttpServer server([&](const std::string&) {
    ++requests;
    return HttpResponse(200, "OK", "");
  });
  Recorder recorder;
  RunnerOptions options = TestOptions();
  options.min_interval = std::chrono::seconds(1);  // Consul's checks.MinInterval
  Runner runner(Logger(), recorder.Fn(), options);
  ASSERT_TRUE(runner.Add(HttpCheck(Url(server.port()), 50ms)).ok());
  ASSERT_TRUE(recorder.WaitForCount(1));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(requests.load(), 1);
}

TEST(RunnerTest, StaggerDelaysTheFirstRunWithinTheInterval) {
  Recorder recorder;
  RunnerOptions options = TestOptions();
  options.stagger = true;
  Runner runner(Logger(), recorder.Fn(), options);
  CheckDefinition def = ScriptCheck({"/bin/true"});
  def.interval = 300ms;
  ASSERT_TRUE(runner.Add(def).ok());
  EXPECT_TRUE(recorder.WaitForCount(1, 1000ms));
}

TEST(RunnerTest, InvalidDefinitionsAndUnsupportedTypesAreRejected) {
  Recorder recorder;
  Runner runner(Logger(), recorder.Fn(), TestOptions());
  CheckDefinition def;
  def.id = "bad";
  def.http = "http://127.0.0.1/";
  EXPECT_EQ(runner.Add(def).message(),
            "Check is not valid: Interval must be > 0 for Script, HTTP, or TCP checks");
  def = CheckDefinition();
  def.id = "grpc";
  def.grpc = "127.0.0.1:1";
  def.interval = 1s;
  EXPECT_EQ(runner.Add(def).message(), "grpc checks are not supported by this agent");
  def = CheckDefinition();
  def.id = "alias";
  def.alias_service = "web";
  EXPECT_FALSE(runner.Add(def).ok());  // no alias source configured
  runner.Stop();
  def = CheckDefinition();
  def.id = "ttl";
  def.ttl = 1s;
  EXPECT_EQ(runner.Add(def).code(), Status::Code::kUnavailable);
}

TEST(RunnerAliasTest, MirrorsTheAliasedServiceChecks) {
  std::mutex mu;
  AliasInput state;
  state.checks = {{"node1", "web", "web-check", HealthStatus::kPassing, "fine"},
                  {"node1", "db", "db-check", HealthStatus::kCritical, "down"}};
  Recorder recorder;
  RunnerOptions options = TestOptions();
  options.alias_source = [&](const std::string&, const std::string&) {
    std::lock_guard<std::mutex> lock(mu);
    return state;
  };
  Runner runner(Logger(), recorder.Fn(), options);
  CheckDefinition def;
  def.id = "alias";
  def.alias_service = "web";
  ASSERT_TRUE(runner.Add(def).ok());
  int passing = recorder.WaitFor(HealthStatus::kPassing);
  ASSERT_GE(passing, 0);
  EXPECT_EQ(recorder.At(passing).output, "All checks passing.");

  {
    std::lock_guard<std::mutex> lock(mu);
    state.checks[0].status = HealthStatus::kCritical;
    state.checks[0].output = "boom";
  }
  runner.AliasStateChanged();
  int critical = recorder.WaitFor(HealthStatus::kCritical, passing + 1);
  ASSERT_GE(critical, 0);
  EXPECT_EQ(recorder.At(critical).output, "Aliased check \"web-check\" failing: boom");
}

}  // namespace
}  // namespace consulate::checks
