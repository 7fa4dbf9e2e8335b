// In-process clusters of Serf instances on 127.0.0.x loopback addresses: join and convergence,
// failure detection (with real LAN timings), graceful leave, restart and rejoin, user events,
// tags, force-leave, encryption, and a 50-member cluster.
#include "gossip/serf.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "gossip_test_util.h"

namespace consulate::gossip {
namespace {

using namespace std::chrono_literals;
using testing::NodeOptions;
using testing::StartNode;
using testing::TestNode;
using testing::WaitFor;

// Starts `n` nodes on 127.0.0.<first_ip + i> and joins them all through the first.
std::vector<std::unique_ptr<TestNode>> StartCluster(int n, int first_ip,
                                                    const NodeOptions& options = {}) {
  std::vector<std::unique_ptr<TestNode>> nodes;
  for (int i = 0; i < n; ++i) {
    auto node =
        StartNode("node" + std::to_string(i), "127.0.0." + std::to_string(first_ip + i), options);
    if (!node) return {};
    nodes.push_back(std::move(node));
  }
  for (int i = 1; i < n; ++i) {
    auto joined = nodes[i]->serf->Join({nodes[0]->address()}, false);
    EXPECT_TRUE(joined.ok()) << joined.status().ToString();
    if (joined.ok()) {
      EXPECT_EQ(*joined, 1);
    }
  }
  return nodes;
}

bool AllSee(const std::vector<std::unique_ptr<TestNode>>& nodes, const std::string& who,
            MemberStatus status) {
  for (const auto& n : nodes) {
    if (n && n->serf && n->name != who && n->StatusOf(who) != status) return false;
  }
  return true;
}

bool Converged(const std::vector<std::unique_ptr<TestNode>>& nodes) {
  for (const auto& n : nodes) {
    if (n->CountStatus(MemberStatus::kAlive) != static_cast<int>(nodes.size())) return false;
  }
  return true;
}

TEST(Serf, LocalMemberAndTags) {
  NodeOptions options;
  options.tags = {{"role", "consul"}, {"dc", "dc1"}};
  auto a = StartNode("solo", "127.0.0.2", options);
  ASSERT_TRUE(a);
  Member me = a->serf->LocalMember();
  EXPECT_EQ(me.name, "solo");
  EXPECT_EQ(me.addr, "127.0.0.2");
  EXPECT_NE(me.port, 0);
  EXPECT_EQ(me.status, MemberStatus::kAlive);
  EXPECT_EQ(me.tags, options.tags);
  EXPECT_EQ(me.protocol_min, 1);
  EXPECT_EQ(me.protocol_max, 5);
  EXPECT_EQ(me.protocol_cur, 2);
  EXPECT_EQ(me.delegate_min, 2);
  EXPECT_EQ(me.delegate_max, 5);
  EXPECT_EQ(me.delegate_cur, 5);
  EXPECT_EQ(a->CountMemberEvents(MemberEvent::kJoin, "solo"), 1);
  // Nobody to join: an error, nothing contacted.
  auto joined = a->serf->Join({"127.0.0.2:1"}, false);
  EXPECT_FALSE(joined.ok());
}

TEST(Serf, JoinAndConverge) {
  auto nodes = StartCluster(4, 10);
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  for (const auto& n : nodes) {
    for (const auto& other : nodes) {
      EXPECT_EQ(n->CountMemberEvents(MemberEvent::kJoin, other->name), 1)
          << n->name << " about " << other->name;
    }
  }
}

TEST(Serf, TagsPropagate) {
  auto nodes = StartCluster(3, 20);
  ASSERT_EQ(nodes.size(), 3u);
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  ASSERT_TRUE(nodes[2]->serf->SetTags({{"role", "node"}, {"build", "1.2.3"}}).ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& n : nodes) {
          for (const Member& m : n->serf->Members()) {
            if (m.name == "node2" && m.tags.count("build") == 0) return false;
          }
        }
        return true;
      },
      5s));
  EXPECT_TRUE(
      WaitFor([&] { return nodes[0]->CountMemberEvents(MemberEvent::kUpdate, "node2") >= 1; }, 5s));
}

// Real LAN timings: probe every 1 s, 500 ms probe timeout, suspicion 4 s (3 nodes: no
// confirmations expected). A killed member must be marked failed within the Lifeguard bound:
// at most two probe rounds to be probed, the probe interval, the suspicion timeout, and gossip.
TEST(Serf, FailureDetectionWithLanDefaults) {
  NodeOptions options;
  options.time_scale = 1.0;
  auto nodes = StartCluster(3, 30, options);
  ASSERT_EQ(nodes.size(), 3u);
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  const auto killed_at = std::chrono::steady_clock::now();
  nodes[2]->serf->Shutdown();
  nodes[2].reset();
  EXPECT_TRUE(WaitFor([&] { return AllSee(nodes, "node2", MemberStatus::kFailed); }, 15s));
  const auto took = std::chrono::steady_clock::now() - killed_at;
  EXPECT_LT(took, 12s);
  EXPECT_GE(took, 4s);  // the suspicion timeout itself
  EXPECT_EQ(nodes[0]->CountMemberEvents(MemberEvent::kFailed, "node2"), 1);
  // Survivors stay alive to each other.
  EXPECT_EQ(nodes[0]->StatusOf("node1"), MemberStatus::kAlive);
  EXPECT_EQ(nodes[1]->StatusOf("node0"), MemberStatus::kAlive);
}

TEST(Serf, GracefulLeave) {
  auto nodes = StartCluster(3, 40);
  ASSERT_EQ(nodes.size(), 3u);
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  ASSERT_TRUE(nodes[2]->serf->Leave().ok());
  EXPECT_EQ(nodes[2]->StatusOf("node2"), MemberStatus::kLeft);
  nodes[2]->serf->Shutdown();
  EXPECT_TRUE(WaitFor([&] { return AllSee(nodes, "node2", MemberStatus::kLeft); }, 5s));
  EXPECT_EQ(nodes[0]->CountMemberEvents(MemberEvent::kLeave, "node2"), 1);
  EXPECT_EQ(nodes[0]->CountMemberEvents(MemberEvent::kFailed, "node2"), 0);
  // And it stays left: nobody suspects it afterwards.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(nodes[1]->StatusOf("node2"), MemberStatus::kLeft);
}

TEST(Serf, RejoinAfterRestart) {
  auto nodes = StartCluster(3, 50);
  ASSERT_EQ(nodes.size(), 3u);
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  const uint16_t port = nodes[2]->port();
  nodes[2]->serf->Shutdown();
  nodes[2].reset();
  ASSERT_TRUE(WaitFor([&] { return AllSee(nodes, "node2", MemberStatus::kFailed); }, 10s));
  NodeOptions options;
  options.port = port;
  nodes[2] = StartNode("node2", "127.0.0.52", options);
  ASSERT_TRUE(nodes[2]);
  auto joined = nodes[2]->serf->Join({nodes[0]->address()}, false);
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  EXPECT_GE(nodes[1]->CountMemberEvents(MemberEvent::kJoin, "node2"), 2);
}

TEST(Serf, ReconnectAfterPartitionHeals) {
  // A member that failed but is alive again is picked up by the reconnect loop even though
  // nobody joins explicitly: node2 comes back on its old address without calling Join.
  auto nodes = StartCluster(2, 60);
  ASSERT_EQ(nodes.size(), 2u);
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  const uint16_t port = nodes[1]->port();
  nodes[1]->serf->Shutdown();
  nodes[1].reset();
  ASSERT_TRUE(WaitFor([&] { return nodes[0]->StatusOf("node1") == MemberStatus::kFailed; }, 10s));
  NodeOptions options;
  options.port = port;
  nodes[1] = StartNode("node1", "127.0.0.61", options);
  ASSERT_TRUE(nodes[1]);
  // Reconnect interval is 30 s * 0.1 = 3 s; with one failed of one alive the chance is 1.
  EXPECT_TRUE(WaitFor([&] { return nodes[0]->StatusOf("node1") == MemberStatus::kAlive; }, 10s));
}

TEST(Serf, FailedMemberIsReaped) {
  NodeOptions options;
  options.reconnect_timeout = 500ms;
  auto nodes = StartCluster(2, 65, options);
  ASSERT_EQ(nodes.size(), 2u);
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  nodes[1]->serf->Shutdown();
  ASSERT_TRUE(WaitFor([&] { return nodes[0]->StatusOf("node1") == MemberStatus::kFailed; }, 10s));
  // Reap interval 15 s * 0.1.
  EXPECT_TRUE(WaitFor([&] { return nodes[0]->StatusOf("node1") == MemberStatus::kNone; }, 5s));
  EXPECT_EQ(nodes[0]->CountMemberEvents(MemberEvent::kReap, "node1"), 1);
}

// serf's coordinate cache: a peer's coordinate from its ping acks, ours under our own name,
// nothing for unknown or reaped members.
TEST(Serf, CachedCoordinatesFromPingAcks) {
  NodeOptions options;
  options.reconnect_timeout = 500ms;
  auto nodes = StartCluster(2, 95, options);
  ASSERT_EQ(nodes.size(), 2u);
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  EXPECT_TRUE(WaitFor(
      [&] {
        return nodes[0]->serf->CachedCoordinate("node1").has_value() &&
               nodes[1]->serf->CachedCoordinate("node0").has_value();
      },
      10s));
  auto peer = nodes[0]->serf->CachedCoordinate("node1");
  ASSERT_TRUE(peer.has_value());
  EXPECT_EQ(peer->size(), nodes[1]->serf->CoordinateVec().size());  // 8 dims + error/adj/height
  auto self = nodes[0]->serf->CachedCoordinate("node0");
  ASSERT_TRUE(self.has_value());
  EXPECT_EQ(*self, nodes[0]->serf->CoordinateVec());
  EXPECT_FALSE(nodes[0]->serf->CachedCoordinate("nobody").has_value());
  nodes[1]->serf->Shutdown();
  ASSERT_TRUE(WaitFor([&] { return nodes[0]->StatusOf("node1") == MemberStatus::kNone; }, 15s));
  EXPECT_FALSE(nodes[0]->serf->CachedCoordinate("node1").has_value());
}

TEST(Serf, ForceLeaveMarksFailedMemberLeft) {
  auto nodes = StartCluster(3, 70);
  ASSERT_EQ(nodes.size(), 3u);
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  nodes[2]->serf->Shutdown();
  nodes[2].reset();
  ASSERT_TRUE(WaitFor([&] { return AllSee(nodes, "node2", MemberStatus::kFailed); }, 10s));
  ASSERT_TRUE(nodes[0]->serf->ForceLeave("node2", false).ok());
  EXPECT_TRUE(WaitFor([&] { return AllSee(nodes, "node2", MemberStatus::kLeft); }, 5s));
  ASSERT_TRUE(nodes[0]->serf->ForceLeave("node2", true).ok());
  // The node that prunes forgets at once; the others when the (UDP, best-effort) broadcast
  // reaches them, which under a loaded CI machine took longer than 5 s once.
  EXPECT_TRUE(WaitFor([&] { return nodes[0]->StatusOf("node2") == MemberStatus::kNone; }, 1s));
  EXPECT_TRUE(WaitFor([&] { return AllSee(nodes, "node2", MemberStatus::kNone); }, 15s));
}

TEST(Serf, UserEventDeliveredOnceToAll) {
  auto nodes = StartCluster(4, 80);
  ASSERT_EQ(nodes.size(), 4u);
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 5s));
  ASSERT_TRUE(nodes[1]->serf->FireUserEvent("deploy", "v1.2.3", false).ok());
  ASSERT_TRUE(nodes[3]->serf->FireUserEvent("restart", "", true).ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& n : nodes) {
          if (n->UserEvents().size() < 2) return false;
        }
        return true;
      },
      5s));
  std::this_thread::sleep_for(1s);  // retransmissions and push/pulls must not redeliver
  for (const auto& n : nodes) {
    auto events = n->UserEvents();
    ASSERT_EQ(events.size(), 2u) << n->name;
    int deploys = 0, restarts = 0;
    for (const auto& e : events) {
      if (e.name == "deploy") {
        ++deploys;
        EXPECT_EQ(e.payload, "v1.2.3");
        EXPECT_FALSE(e.coalesce);
      } else if (e.name == "restart") {
        ++restarts;
        EXPECT_TRUE(e.coalesce);
      }
    }
    EXPECT_EQ(deploys, 1) << n->name;
    EXPECT_EQ(restarts, 1) << n->name;
  }
  // Too large.
  EXPECT_FALSE(nodes[0]->serf->FireUserEvent("big", std::string(600, 'x'), false).ok());
}

TEST(Serf, EventsReplayedToLateJoinerUnlessIgnoreOld) {
  auto nodes = StartCluster(2, 90);
  ASSERT_EQ(nodes.size(), 2u);
  ASSERT_TRUE(nodes[0]->serf->FireUserEvent("early", "1", false).ok());
  ASSERT_TRUE(WaitFor([&] { return nodes[1]->UserEvents().size() == 1; }, 5s));
  auto late = StartNode("late", "127.0.0.92");
  auto ignoring = StartNode("ignoring", "127.0.0.93");
  ASSERT_TRUE(late && ignoring);
  ASSERT_TRUE(late->serf->Join({nodes[0]->address()}, false).ok());
  ASSERT_TRUE(ignoring->serf->Join({nodes[0]->address()}, true).ok());
  EXPECT_TRUE(WaitFor([&] { return late->UserEvents().size() == 1; }, 5s));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(ignoring->UserEvents().size(), 0u);
}

TEST(Serf, EncryptionSameKeyJoinsDifferentKeyRefused) {
  NodeOptions keyed;
  keyed.keys = {std::string(32, 'k')};
  auto a = StartNode("enc-a", "127.0.0.100", keyed);
  auto b = StartNode("enc-b", "127.0.0.101", keyed);
  NodeOptions other;
  other.keys = {std::string(16, 'o')};
  auto c = StartNode("enc-c", "127.0.0.102", other);
  auto plain = StartNode("plain", "127.0.0.103");
  ASSERT_TRUE(a && b && c && plain);
  ASSERT_TRUE(b->serf->Join({a->address()}, false).ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        return a->StatusOf("enc-b") == MemberStatus::kAlive &&
               b->StatusOf("enc-a") == MemberStatus::kAlive;
      },
      5s));
  auto refused = c->serf->Join({a->address()}, false);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("No installed keys could decrypt the message"),
            std::string::npos)
      << refused.status().ToString();
  EXPECT_FALSE(plain->serf->Join({a->address()}, false).ok());
  EXPECT_FALSE(a->serf->Join({plain->address()}, false).ok());
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(a->StatusOf("enc-c"), MemberStatus::kNone);
  EXPECT_EQ(a->StatusOf("plain"), MemberStatus::kNone);
  // Keyring rotation: install c's key everywhere, then c can join.
  for (auto* n : {a.get(), b.get()}) ASSERT_TRUE(n->serf->InstallKey(std::string(16, 'o')).ok());
  EXPECT_EQ(a->serf->ListKeys().size(), 2u);
  ASSERT_TRUE(c->serf->InstallKey(std::string(32, 'k')).ok());
  EXPECT_TRUE(c->serf->Join({a->address()}, false).ok());
  EXPECT_TRUE(WaitFor([&] { return b->StatusOf("enc-c") == MemberStatus::kAlive; }, 5s));
}

TEST(Serf, FiftyMembersConvergeAndDetectFailures) {
  NodeOptions options;
  options.time_scale = 0.2;
  std::vector<std::unique_ptr<TestNode>> nodes;
  for (int i = 0; i < 50; ++i) {
    nodes.push_back(
        StartNode("n" + std::to_string(i), "127.0.0." + std::to_string(150 + i), options));
    ASSERT_TRUE(nodes.back());
  }
  // Each joins through a random earlier member, as agents started by hand would.
  for (int i = 1; i < 50; ++i) {
    auto joined = nodes[i]->serf->Join({nodes[i / 2]->address()}, false);
    ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  }
  ASSERT_TRUE(WaitFor([&] { return Converged(nodes); }, 10s));
  std::vector<std::string> killed;
  for (int i : {7, 19, 23, 31, 44}) {
    killed.push_back(nodes[i]->name);
    nodes[i]->serf->Shutdown();
    nodes[i].reset();
  }
  std::vector<std::unique_ptr<TestNode>> survivors;
  for (auto& n : nodes) {
    if (n) survivors.push_back(std::move(n));
  }
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& name : killed) {
          if (!AllSee(survivors, name, MemberStatus::kFailed)) return false;
        }
        return true;
      },
      12s));
  for (const auto& n : survivors) EXPECT_EQ(n->CountStatus(MemberStatus::kAlive), 45) << n->name;
}

}  // namespace
}  // namespace consulate::gossip
