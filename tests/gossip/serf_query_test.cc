// serf's outgoing queries (Serf::Query) and the KeyManager built on them (RunKeyOperation), on
// in-process clusters over 127.0.0.21x loopback addresses: acks and node filters, the size
// limit, and a full key rotation (install, use, remove) with serf's error reporting.
#include <gtest/gtest.h>

#include <chrono>

#include "base/base64.h"
#include "gossip/keymanager.h"
#include "gossip/serf.h"
#include "gossip_test_util.h"

namespace consulate::gossip {
namespace {

using namespace std::chrono_literals;
using testing::NodeOptions;
using testing::StartNode;
using testing::TestNode;
using testing::WaitFor;

const std::string kKey1(16, '\x01');
const std::string kKey2(32, '\x02');

std::vector<std::unique_ptr<TestNode>> StartCluster(int n, int first_ip,
                                                    const NodeOptions& options = {}) {
  std::vector<std::unique_ptr<TestNode>> nodes;
  for (int i = 0; i < n; ++i) {
    auto node =
        StartNode("q" + std::to_string(i), "127.0.0." + std::to_string(first_ip + i), options);
    if (!node) return {};
    nodes.push_back(std::move(node));
  }
  for (int i = 1; i < n; ++i) {
    auto joined = nodes[i]->serf->Join({nodes[0]->address()}, false);
    EXPECT_TRUE(joined.ok()) << joined.status().ToString();
  }
  const bool converged = WaitFor(
      [&] {
        for (const auto& node : nodes) {
          if (node->CountStatus(MemberStatus::kAlive) != n) return false;
        }
        return true;
      },
      10s);
  EXPECT_TRUE(converged);
  return nodes;
}

TEST(SerfQuery, AckWithNodeFilterOnlyFromTheNamedMember) {
  auto nodes = StartCluster(3, 210);
  ASSERT_EQ(nodes.size(), 3u);
  QueryParams params;
  params.request_ack = true;
  params.filter_nodes = {"q1"};
  params.timeout = 1500ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = nodes[0]->serf->Query("_serf_ping", "", params);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->num_members, 3);
  EXPECT_EQ(r->acks, std::vector<std::string>{"q1"});
  EXPECT_TRUE(r->responses.empty());  // ping answers with an ack only
  // Without an early finish the query stays open for its whole timeout.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1400ms);
}

TEST(SerfQuery, AcksFromEveryMemberAndEarlyFinish) {
  auto nodes = StartCluster(3, 213);
  ASSERT_EQ(nodes.size(), 3u);
  QueryParams params;
  params.request_ack = true;
  params.timeout = 10s;
  const auto start = std::chrono::steady_clock::now();
  auto r = nodes[1]->serf->Query("_serf_ping", "", params, [](const QueryResult& res) {
    return static_cast<int>(res.acks.size()) == res.num_members;
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> acks = r->acks;
  std::sort(acks.begin(), acks.end());
  EXPECT_EQ(acks, (std::vector<std::string>{"q0", "q1", "q2"}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(SerfQuery, TooLargeQueryRefused) {
  auto a = StartNode("big", "127.0.0.216");
  ASSERT_TRUE(a);
  auto r = a->serf->Query("_serf_ping", std::string(2000, 'x'), QueryParams{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "query exceeds limit of 1024 bytes");
}

TEST(SerfQuery, DefaultTimeoutFollowsGossipInterval) {
  auto a = StartNode("timeout", "127.0.0.217");
  ASSERT_TRUE(a);
  // 200 ms x 0.1 (test time scale) x 16 x ceil(log10(2)).
  EXPECT_EQ(a->serf->DefaultQueryTimeout(), 320ms);
}

TEST(KeyManager, RotationAcrossThreeMembers) {
  NodeOptions options;
  options.keys = {kKey1};
  auto nodes = StartCluster(3, 218, options);
  ASSERT_EQ(nodes.size(), 3u);
  const std::string k1 = Base64Encode(kKey1), k2 = Base64Encode(kKey2);

  KeyOperationResult list = RunKeyOperation(nodes[0]->serf.get(), KeyOperation::kList, "", 0);
  ASSERT_TRUE(list.status.ok()) << list.status.ToString();
  EXPECT_EQ(list.response.num_nodes, 3);
  EXPECT_EQ(list.response.num_resp, 3);
  EXPECT_EQ(list.response.keys, (std::map<std::string, int>{{k1, 3}}));
  EXPECT_EQ(list.response.primary_keys, (std::map<std::string, int>{{k1, 3}}));
  EXPECT_TRUE(list.response.messages.empty());

  KeyOperationResult install = RunKeyOperation(nodes[1]->serf.get(), KeyOperation::kInstall, k2, 0);
  ASSERT_TRUE(install.status.ok()) << install.status.ToString();
  list = RunKeyOperation(nodes[2]->serf.get(), KeyOperation::kList, "", 0);
  EXPECT_EQ(list.response.keys, (std::map<std::string, int>{{k1, 3}, {k2, 3}}));

  ASSERT_TRUE(RunKeyOperation(nodes[0]->serf.get(), KeyOperation::kUse, k2, 0).status.ok());
  // The old primary cannot be removed anywhere until it is no longer primary: here it is not.
  KeyOperationResult remove = RunKeyOperation(nodes[0]->serf.get(), KeyOperation::kRemove, k1, 0);
  ASSERT_TRUE(remove.status.ok()) << remove.status.ToString();
  for (const auto& n : nodes) EXPECT_EQ(n->serf->ListKeys(), std::vector<std::string>{kKey2});

  // Removing the primary key fails on every member, with each one's message.
  remove = RunKeyOperation(nodes[0]->serf.get(), KeyOperation::kRemove, k2, 0);
  EXPECT_EQ(remove.status.message(), "3/3 nodes reported failure");
  EXPECT_EQ(remove.response.num_err, 3);
  ASSERT_EQ(remove.response.messages.size(), 3u);
  EXPECT_EQ(remove.response.messages["q1"], "Removing the primary key is not allowed");

  // The pool still works on the new key: an event reaches everyone.
  ASSERT_TRUE(nodes[2]->serf->FireUserEvent("after-rotation", "x", false).ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& n : nodes) {
          bool seen = false;
          for (const auto& e : n->UserEvents()) seen |= e.name == "after-rotation";
          if (!seen) return false;
        }
        return true;
      },
      10s));
}

TEST(KeyManager, ErrorsAsSerfReportsThem) {
  NodeOptions options;
  options.keys = {kKey1};
  auto nodes = StartCluster(2, 222, options);
  ASSERT_EQ(nodes.size(), 2u);
  KeyOperationResult bad = RunKeyOperation(nodes[0]->serf.get(), KeyOperation::kInstall, "!!", 0);
  EXPECT_EQ(bad.status.message(), "illegal base64 data at input byte 0");
  EXPECT_EQ(bad.response.num_nodes, 0);
  KeyOperationResult missing =
      RunKeyOperation(nodes[0]->serf.get(), KeyOperation::kUse, Base64Encode(kKey2), 0);
  EXPECT_EQ(missing.status.message(), "2/2 nodes reported failure");
  EXPECT_EQ(missing.response.messages["q0"], "Requested key is not in the keyring");
  // With relaying the answers arrive twice or more; each member still counts once.
  KeyOperationResult relayed = RunKeyOperation(nodes[1]->serf.get(), KeyOperation::kList, "", 1);
  EXPECT_TRUE(relayed.status.ok()) << relayed.status.ToString();
  EXPECT_EQ(relayed.response.num_resp, 2);
}

TEST(KeyManager, ListWithoutEncryption) {
  auto nodes = StartCluster(2, 225);
  ASSERT_EQ(nodes.size(), 2u);
  KeyOperationResult list = RunKeyOperation(nodes[0]->serf.get(), KeyOperation::kList, "", 0);
  EXPECT_EQ(list.status.message(), "2/2 nodes reported failure");
  EXPECT_EQ(list.response.messages["q1"], "Keyring is empty (encryption not enabled)");
  EXPECT_TRUE(list.response.keys.empty());
}

}  // namespace
}  // namespace consulate::gossip
