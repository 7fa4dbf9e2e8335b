// Interop with Debian's stock serf 0.9 agent (/usr/bin/serf): a real peer joins us, both sides
// see each other alive, user events cross in both directions, failure and leave are noticed,
// with and without encryption. Skipped when the binary is missing. Loopback addresses only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/base64.h"
#include "gossip/serf.h"
#include "gossip_test_util.h"

namespace consulate::gossip {
namespace {

using namespace std::chrono_literals;
using testing::NodeOptions;
using testing::StartNode;
using testing::TestNode;
using testing::WaitFor;

constexpr const char* kSerf = "/usr/bin/serf";

// A port that was free for both TCP and UDP on `ip` a moment ago.
uint16_t FreePort(const std::string& ip) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int tcp = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
    if (bind(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(tcp);
      continue;
    }
    socklen_t len = sizeof(addr);
    getsockname(tcp, reinterpret_cast<sockaddr*>(&addr), &len);
    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    const bool ok = bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(udp);
    close(tcp);
    if (ok) return ntohs(addr.sin_port);
  }
  return 0;
}

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One stock serf agent process that we started (and therefore may kill, by pid).
class StockSerf {
 public:
  StockSerf(std::string name, std::string ip, std::vector<std::string> extra_args)
      : name_(std::move(name)), ip_(std::move(ip)) {
    port_ = FreePort(ip_);
    rpc_port_ = FreePort(ip_);
    log_path_ =
        ::testing::TempDir() + "stock-serf-" + name_ + "-" + std::to_string(getpid()) + ".log";
    std::vector<std::string> args = {kSerf,
                                     "agent",
                                     "-node=" + name_,
                                     "-bind=" + ip_ + ":" + std::to_string(port_),
                                     "-rpc-addr=" + rpc_addr(),
                                     "-log-level=debug"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(kSerf, argv.data());
      _exit(127);
    }
  }
  ~StockSerf() {
    Kill();
    if (!::testing::Test::HasFailure()) unlink(log_path_.c_str());
  }

  bool WaitReady() {
    return WaitFor([&] { return RunCommand(Cli("members")).find(name_) != std::string::npos; },
                   10s);
  }
  std::string rpc_addr() const { return ip_ + ":" + std::to_string(rpc_port_); }
  std::string address() const { return ip_ + ":" + std::to_string(port_); }
  std::string Cli(const std::string& args) const {
    return std::string(kSerf) + " " + args + " -rpc-addr=" + rpc_addr();
  }
  // The status serf reports for `node` ("alive", "failed", "left"), or "".
  std::string StatusOf(const std::string& node) const {
    std::istringstream lines(RunCommand(Cli("members")));
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string n, addr, status;
      fields >> n >> addr >> status;
      if (n == node) return status;
    }
    return "";
  }
  std::string Log() const { return ReadFile(log_path_); }
  void Kill() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  bool running() const { return pid_ > 0; }

 private:
  std::string name_, ip_, log_path_;
  uint16_t port_ = 0, rpc_port_ = 0;
  pid_t pid_ = -1;
};

class StockSerfInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kSerf, X_OK) != 0) GTEST_SKIP() << kSerf << " is not installed";
  }
};

void ExerciseCluster(TestNode& ours, StockSerf& theirs) {
  ASSERT_TRUE(theirs.WaitReady()) << theirs.Log();
  // Both sides see each other alive.
  EXPECT_TRUE(WaitFor([&] { return ours.StatusOf("plain") == MemberStatus::kAlive; }, 10s))
      << theirs.Log();
  EXPECT_TRUE(WaitFor([&] { return theirs.StatusOf(ours.name) == "alive"; }, 10s)) << theirs.Log();
  // Their tags reach us.
  for (const Member& m : ours.serf->Members()) {
    if (m.name == "plain") {
      EXPECT_EQ(m.tags.count("color"), 1u);
      EXPECT_EQ(m.delegate_cur, 5);
    }
  }
  // serf event -> us.
  RunCommand(theirs.Cli("event") + " fromserf hello-ours");
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& e : ours.UserEvents()) {
          if (e.name == "fromserf" && e.payload == "hello-ours") return true;
        }
        return false;
      },
      10s));
  // us -> serf.
  ASSERT_TRUE(ours.serf->FireUserEvent("fromours", "hello-serf", false).ok());
  EXPECT_TRUE(
      WaitFor([&] { return theirs.Log().find("user-event: fromours") != std::string::npos; }, 10s))
      << theirs.Log();
  // Let a few probe rounds pass in both directions: nobody is suspected.
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(ours.StatusOf("plain"), MemberStatus::kAlive);
  EXPECT_EQ(theirs.StatusOf(ours.name), "alive");
  EXPECT_EQ(theirs.Log().find("Suspect " + ours.name), std::string::npos);
  // Their acks carry Vivaldi coordinates, which refined ours (error starts at 1.5).
  const std::vector<double> coord = ours.serf->CoordinateVec();
  ASSERT_EQ(coord.size(), 11u);
  EXPECT_LT(coord[8], 1.5);
  // Nothing we sent upset the stock agent.
  EXPECT_EQ(theirs.Log().find("[ERR]"), std::string::npos) << theirs.Log();
  EXPECT_EQ(theirs.Log().find("[WARN] memberlist"), std::string::npos) << theirs.Log();
  // Kill serf: we mark it failed.
  theirs.Kill();
  EXPECT_TRUE(WaitFor([&] { return ours.StatusOf("plain") == MemberStatus::kFailed; }, 10s));
}

TEST_F(StockSerfInterop, PlainJoinEventsAndFailure) {
  NodeOptions options;
  options.time_scale = 0.5;
  auto ours = StartNode("ours", "127.0.0.5", options);
  ASSERT_TRUE(ours);
  StockSerf theirs("plain", "127.0.0.4", {"-join=" + ours->address(), "-tag=color=blue"});
  ExerciseCluster(*ours, theirs);
}

TEST_F(StockSerfInterop, EncryptedJoinEventsAndFailure) {
  const std::string key(16, '\x42');
  NodeOptions options;
  options.time_scale = 0.5;
  options.keys = {key};
  auto ours = StartNode("ours-enc", "127.0.0.6", options);
  ASSERT_TRUE(ours);
  StockSerf theirs("plain", "127.0.0.4",
                   {"-join=" + ours->address(), "-tag=color=red", "-encrypt=" + Base64Encode(key)});
  ExerciseCluster(*ours, theirs);
}

TEST_F(StockSerfInterop, WeJoinThemAndLeaveGracefully) {
  const std::string key(32, '\x07');
  StockSerf theirs("plain", "127.0.0.4", {"-tag=color=green", "-encrypt=" + Base64Encode(key)});
  ASSERT_TRUE(theirs.WaitReady()) << theirs.Log();
  NodeOptions options;
  options.time_scale = 0.5;
  options.keys = {key};
  auto ours = StartNode("ours-leaver", "127.0.0.7", options);
  ASSERT_TRUE(ours);
  auto joined = ours->serf->Join({theirs.address()}, false);
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_TRUE(WaitFor([&] { return theirs.StatusOf("ours-leaver") == "alive"; }, 10s))
      << theirs.Log();
  // The keyring query from `serf keys -list` is answered by us too.
  const std::string keys = RunCommand(theirs.Cli("keys -list"));
  EXPECT_NE(keys.find("[2/2]"), std::string::npos) << keys;
  ASSERT_TRUE(ours->serf->Leave().ok());
  ours->serf->Shutdown();
  EXPECT_TRUE(WaitFor([&] { return theirs.StatusOf("ours-leaver") == "left"; }, 10s))
      << theirs.Log();
}

TEST_F(StockSerfInterop, WrongKeyIsRefused) {
  NodeOptions options;
  options.time_scale = 0.5;
  options.keys = {std::string(16, 'a')};
  auto ours = StartNode("ours-key", "127.0.0.8", options);
  ASSERT_TRUE(ours);
  StockSerf theirs("plain", "127.0.0.4", {"-encrypt=" + Base64Encode(std::string(16, 'b'))});
  ASSERT_TRUE(theirs.WaitReady()) << theirs.Log();
  EXPECT_FALSE(ours->serf->Join({theirs.address()}, false).ok());
  const std::string out = RunCommand(theirs.Cli("join") + " " + ours->address());
  EXPECT_NE(out.find("Error joining"), std::string::npos) << out;
  EXPECT_EQ(ours->StatusOf("plain"), MemberStatus::kNone);
}

}  // namespace
}  // namespace consulate::gossip
