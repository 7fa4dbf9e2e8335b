// Real servers in one process: each has its own data dir, Raft thread and server port on its own
// loopback address (127.0.0.1-5), and they talk over TCP. Gossip is simulated by telling each
// server about the others (ServerSeen), as the agent does from the LAN pool.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "../raft/temp_dir.h"
#include "fsm/command.h"
#include "server/server.h"

namespace consulate::server {
namespace {

using namespace std::chrono_literals;
using raft::testutil::TempDir;

struct Node {
  std::string name, id, host, dir;
  std::unique_ptr<Server> srv;
};

class ClusterTest : public ::testing::Test {
 protected:
  void Make(int n, int expect) {
    for (int i = 0; i < n; ++i) {
      Node node;
      node.name = "s" + std::to_string(i + 1);
      node.id = "00000000-0000-0000-0000-00000000000" + std::to_string(i + 1);
      node.host = "127.0.0." + std::to_string(i + 1);
      node.dir = dir_.path() + "/" + node.name;
      nodes_.push_back(std::move(node));
    }
    for (int i = 0; i < n; ++i) Start(i, expect);
    for (int i = 0; i < n; ++i) Introduce(i);
  }

  void Start(int i, int expect) {
    Options o;
    o.data_dir = nodes_[i].dir;
    o.node_id = nodes_[i].id;
    o.node_name = nodes_[i].name;
    o.rpc_bind = nodes_[i].host;
    o.rpc_port = ports_.count(i) ? ports_[i] : 0;
    o.bootstrap_expect = expect;
    o.raft_multiplier = 1;
    o.snapshot_threshold = snapshot_threshold_;
    o.snapshot_interval = std::chrono::milliseconds(20);
    o.trailing_logs = 10;
    if (auto f = sync_faults_.find(i); f != sync_faults_.end()) o.sync_fault = f->second;
    auto s = Server::Open(o, Logger());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    nodes_[i].srv = std::move(*s);
    const std::string addr = nodes_[i].srv->RpcAddress();
    ports_[i] = std::stoi(addr.substr(addr.rfind(':') + 1));
  }

  // Every live server learns about every other live one.
  void Introduce(int i) {
    for (size_t j = 0; j < nodes_.size(); ++j) {
      if (!nodes_[j].srv || !nodes_[i].srv) continue;
      ServerInfo a{nodes_[j].id, nodes_[j].name, nodes_[j].srv->RpcAddress(), expect_};
      nodes_[i].srv->ServerSeen(a);
      ServerInfo b{nodes_[i].id, nodes_[i].name, nodes_[i].srv->RpcAddress(), expect_};
      nodes_[j].srv->ServerSeen(b);
    }
  }

  // Polls `done` every 10 ms until it holds or `timeout` passes; whether it held.
  static bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  // The live server that leads (the first, if several think so), waiting up to `timeout`.
  int Leader(std::chrono::milliseconds timeout = 10s) {
    int lead = -1;
    WaitUntil(
        [&] {
          for (size_t i = 0; i < nodes_.size(); ++i) {
            if (nodes_[i].srv && nodes_[i].srv->IsLeader()) {
              lead = static_cast<int>(i);
              return true;
            }
          }
          return false;
        },
        timeout);
    return lead;
  }

  fsm::ApplyResult Put(int via, const std::string& key, const std::string& value) {
    fsm::KVSCommand cmd;
    cmd.op = state::KVOp::kSet;
    cmd.entry.key = key;
    cmd.entry.value = value;
    std::promise<fsm::ApplyResult> p;
    auto f = p.get_future();
    nodes_[via].srv->Propose(fsm::EncodeKVS(cmd),
                             [&p](fsm::ApplyResult r) { p.set_value(std::move(r)); });
    return f.get();
  }

  Status Barrier(int via, bool consistent) {
    std::promise<Status> p;
    auto f = p.get_future();
    nodes_[via].srv->ReadBarrier(consistent, [&p](Status s) { p.set_value(std::move(s)); });
    return f.get();
  }

  std::optional<std::string> Get(int via, const std::string& key) {
    std::optional<state::DirEntry> e;
    nodes_[via].srv->state().KVSGet(key, &e, nullptr);
    if (!e) return std::nullopt;
    return e->value;
  }

  TempDir dir_;
  std::vector<Node> nodes_;
  std::map<int, int> ports_;
  int expect_ = 3;
  uint64_t snapshot_threshold_ = 8192;
  std::map<int, std::function<Status()>> sync_faults_;
};

TEST_F(ClusterTest, ThreeServersElectReplicateAndFailOver) {
  Make(3, 3);
  const int lead = Leader();
  ASSERT_GE(lead, 0);
  // Every server agrees on the three voters.
  for (auto& n : nodes_) {
    WaitUntil([&] { return n.srv->PeerAddresses().size() == 3; }, 5s);
    EXPECT_EQ(n.srv->PeerAddresses().size(), 3u) << n.name;
  }
  // Writes through a follower are forwarded to the leader.
  const int follower = (lead + 1) % 3;
  for (int i = 0; i < 50; ++i) {
    auto r = Put(follower, "k" + std::to_string(i), "v" + std::to_string(i));
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    ASSERT_TRUE(r.ok);
  }
  // A consistent read on any server sees every acknowledged write.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Barrier(i, true).ok());
    EXPECT_EQ(Get(i, "k49"), "v49") << nodes_[i].name;
  }
  EXPECT_EQ(nodes_[follower].srv->LeaderAddress(), nodes_[lead].srv->RpcAddress());

  // The leader stops: a new one is elected quickly (its connections drop) and takes writes.
  const auto t0 = std::chrono::steady_clock::now();
  nodes_[lead].srv->Shutdown();
  nodes_[lead].srv.reset();
  const int lead2 = Leader();
  ASSERT_GE(lead2, 0);
  EXPECT_NE(lead2, lead);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  auto r = Put((lead2 + 1) % 3 == lead ? (lead2 + 2) % 3 : (lead2 + 1) % 3, "after", "x");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(Get(lead2, "k10"), "v10");

  // The old leader restarts from its data dir and catches up.
  Start(lead, 3);
  Introduce(lead);
  WaitUntil([&] { return Get(lead, "after") == "x"; }, 10s);
  EXPECT_EQ(Get(lead, "after"), "x");
  EXPECT_EQ(Get(lead, "k0"), "v0");
}

TEST_F(ClusterTest, LaggingServerCatchesUpBySnapshot) {
  snapshot_threshold_ = 20;
  Make(3, 3);
  int lead = Leader();
  ASSERT_GE(lead, 0);
  const int down = (lead + 1) % 3;
  nodes_[down].srv->Shutdown();
  nodes_[down].srv.reset();
  for (int i = 0; i < 200; ++i) {
    auto r = Put(lead, "s" + std::to_string(i), std::string(100, 'a' + i % 26));
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  }
  Start(down, 3);
  Introduce(down);
  WaitUntil([&] { return Get(down, "s199") != std::nullopt; }, 10s);
  EXPECT_EQ(Get(down, "s199"), std::string(100, 'a' + 199 % 26));
  EXPECT_EQ(Get(down, "s0"), std::string(100, 'a'));
}

TEST_F(ClusterTest, NoLeaderMeansNoConsistentReadAndHeldWrites) {
  Make(3, 3);
  int lead = Leader();
  ASSERT_GE(lead, 0);
  ASSERT_TRUE(Put(lead, "a", "1").status.ok());
  // Two of three servers gone: the survivor must refuse consistent reads and writes.
  const int survivor = (lead + 1) % 3;
  for (int i = 0; i < 3; ++i) {
    if (i == survivor) continue;
    nodes_[i].srv->Shutdown();
    nodes_[i].srv.reset();
  }
  std::promise<Status> p;
  auto f = p.get_future();
  nodes_[survivor].srv->ReadBarrier(true, [&p](Status s) { p.set_value(std::move(s)); });
  EXPECT_EQ(f.wait_for(20s), std::future_status::ready);
  Status st = f.get();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "No cluster leader");
}

TEST_F(ClusterTest, RemovePeerShrinksTheConfiguration) {
  Make(3, 3);
  int lead = Leader();
  ASSERT_GE(lead, 0);
  const int victim = (lead + 2) % 3;
  const std::string victim_addr = nodes_[victim].srv->RpcAddress();
  nodes_[victim].srv->Shutdown();
  nodes_[victim].srv.reset();
  std::promise<Status> p;
  auto f = p.get_future();
  const int via = (lead + 1) % 3;  // a follower forwards it to the leader
  nodes_[via].srv->RemovePeer(victim_addr, [&p](Status s) { p.set_value(std::move(s)); });
  ASSERT_TRUE(f.get().ok());
  auto conf = nodes_[lead].srv->RaftConfiguration();
  ASSERT_EQ(conf.servers.size(), 2u);
  for (const auto& s : conf.servers) EXPECT_NE(s.address, victim_addr);
  std::promise<Status> p2;
  auto f2 = p2.get_future();
  nodes_[lead].srv->RemovePeer("no-such-id", [&p2](Status s) { p2.set_value(std::move(s)); });
  EXPECT_TRUE(f2.get().IsNotFound());
}

TEST_F(ClusterTest, PeersJsonRecoversAClusterThatLostTwoOfThree) {
  Make(3, 3);
  int lead = Leader();
  ASSERT_GE(lead, 0);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Put(lead, "p" + std::to_string(i), "v").status.ok());
  for (auto& n : nodes_) {
    n.srv->Shutdown();
    n.srv.reset();
  }
  // Only s1 survives. The operator writes peers.json naming it alone and starts it.
  const std::string addr = nodes_[0].host + ":" + std::to_string(ports_[0]);
  {
    std::ofstream f(nodes_[0].dir + "/raft/peers.json");
    f << "[{\"id\": \"" << nodes_[0].id << "\", \"address\": \"" << addr
      << "\", \"non_voter\": false}]";
  }
  expect_ = 0;
  Start(0, 3);
  ASSERT_EQ(Leader(), 0);
  EXPECT_FALSE(std::ifstream(nodes_[0].dir + "/raft/peers.json").good());
  EXPECT_EQ(Get(0, "p19"), "v");
  ASSERT_TRUE(Put(0, "after-recovery", "1").status.ok());
  EXPECT_EQ(nodes_[0].srv->PeerAddresses(), std::vector<std::string>{addr});
  // And it stays recovered across a restart.
  nodes_[0].srv->Shutdown();
  nodes_[0].srv.reset();
  Start(0, 3);
  ASSERT_EQ(Leader(), 0);
  EXPECT_EQ(Get(0, "after-recovery"), "1");
}

TEST_F(ClusterTest, LeavingLeaderRemovesItselfAndTheRestCarryOn) {
  Make(3, 3);
  int lead = Leader();
  ASSERT_GE(lead, 0);
  ASSERT_TRUE(nodes_[lead].srv->Leave(std::chrono::seconds(5)).ok());
  nodes_[lead].srv->Shutdown();
  nodes_[lead].srv.reset();
  const int lead2 = Leader();
  ASSERT_GE(lead2, 0);
  // As in Consul, the leaver's gossip "left" reaches the others only after its Raft removal. A new
  // leader that still sees it alive in between adds it back as a non-voter; the leave event then
  // takes it out for good.
  for (auto& n : nodes_) {
    if (n.srv) n.srv->ServerLeft(nodes_[lead].name);
  }
  WaitUntil([&] { return nodes_[lead2].srv->RaftConfiguration().servers.size() == 2u; }, 5s);
  const auto conf = nodes_[lead2].srv->RaftConfiguration();
  ASSERT_EQ(conf.servers.size(), 2u);
  for (const auto& p : conf.servers) EXPECT_NE(p.id, nodes_[lead].id);
  ASSERT_TRUE(Put(lead2, "after-leave", "1").status.ok());
}

// The leader syncs its log in the background while it replicates. When that sync fails, the
// leader stops (it can no longer say what is on its disk); the other two carry on with every write
// that was acknowledged, since an entry commits only on a majority that has it on disk.
TEST_F(ClusterTest, LeaderWhoseBackgroundSyncFailsStopsAndNoAcknowledgedWriteIsLost) {
  std::array<std::atomic<bool>, 3> failing{};
  std::array<std::atomic<int>, 3> injected{};
  for (int i = 0; i < 3; ++i) {
    sync_faults_[i] = [&failing, &injected, i]() -> Status {
      if (!failing[i].load()) return Status::OK();
      ++injected[i];
      return Status::IOError("injected fdatasync failure");
    };
  }
  Make(3, 3);
  const int lead = Leader();
  ASSERT_GE(lead, 0);

  // Eight writers keep proposals in flight on the leader; each remembers what was acknowledged.
  std::mutex mu;
  std::map<std::string, std::string> acked;
  std::atomic<int> failed_writes{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int n = 0; !stop.load(); ++n) {
        const std::string key = "w" + std::to_string(w) + "/" + std::to_string(n);
        auto r = Put(lead, key, key);
        if (r.status.ok() && r.ok) {
          std::lock_guard<std::mutex> lock(mu);
          acked[key] = key;
        } else {
          ++failed_writes;
          std::this_thread::sleep_for(1ms);
        }
      }
    });
  }
  auto acked_count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return acked.size();
  };
  WaitUntil([&] { return acked_count() >= 200; }, 10s);
  ASSERT_GE(acked_count(), 200u);
  failing[lead] = true;
  WaitUntil([&] { return injected[lead].load() > 0 && !nodes_[lead].srv->IsLeader(); }, 10s);
  EXPECT_GE(injected[lead].load(), 1);
  EXPECT_FALSE(nodes_[lead].srv->IsLeader());
  EXPECT_FALSE(nodes_[lead].srv->KnownLeader());
  // Writes through the stopped server now fail at once.
  auto refused = Put(lead, "refused", "x");
  EXPECT_EQ(refused.status.code(), Status::Code::kUnavailable) << refused.status.ToString();
  stop = true;
  for (auto& t : writers) t.join();
  EXPECT_GE(failed_writes.load(), 1);

  const int lead2 = Leader();  // the stopped server no longer claims to lead
  ASSERT_GE(lead2, 0);
  ASSERT_NE(lead2, lead);
  ASSERT_TRUE(Put(lead2, "after-failure", "1").status.ok());
  // Every acknowledged write is on both survivors.
  for (int i = 0; i < 3; ++i) {
    if (i == lead) continue;
    ASSERT_TRUE(Barrier(i, true).ok());
    size_t missing = 0;
    for (const auto& [k, v] : acked) missing += Get(i, k) != v;
    EXPECT_EQ(missing, 0u) << nodes_[i].name << " of " << acked.size();
  }
}

TEST_F(ClusterTest, BadPeersJsonRefusesToStart) {
  Make(1, 0);
  nodes_[0].srv->Shutdown();
  nodes_[0].srv.reset();
  {
    std::ofstream f(nodes_[0].dir + "/raft/peers.json");
    f << "[{\"address\": \"127.0.0.1:1\"}]";
  }
  Options o;
  o.data_dir = nodes_[0].dir;
  o.node_id = nodes_[0].id;
  o.rpc_bind = "127.0.0.1";
  o.rpc_port = 0;
  auto s = Server::Open(o, Logger());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("peers.json"), std::string::npos);
}

}  // namespace
}  // namespace consulate::server
