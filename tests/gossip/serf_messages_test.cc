// serf's messages against Go-codec goldens (testdata/gen_golden.go), plus tags, filters, relay,
// ack payloads and the Lamport clock.
#include "gossip/serf_messages.h"

#include <gtest/gtest.h>

#include "capture_util.h"

// Designated initializers name only the fields a case sets; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace consulate::gossip::serf {
namespace {

using gossip::testing::ToHex;

const std::string kLocalhost("\x7f\x00\x00\x01", 4);

class SerfGoldenTest : public ::testing::Test {
 protected:
  template <typename M>
  void Check(const std::string& name, const M& m) {
    ASSERT_EQ(golden_.count(name), 1u) << name;
    const std::string& want = golden_[name];
    EXPECT_EQ(ToHex(EncodeSerfMessage(m)), ToHex(want)) << name;
    M decoded;
    Status s = DecodeSerfMessage(std::string_view(want).substr(1), &decoded);
    ASSERT_TRUE(s.ok()) << name << ": " << s.ToString();
    EXPECT_EQ(decoded, m) << name;
  }
  std::map<std::string, std::string> golden_ = gossip::testing::LoadGolden();
};

TEST_F(SerfGoldenTest, Intents) {
  Check("serf_join", JoinIntent{.ltime = 42, .node = "node-a"});
  Check("serf_leave", LeaveIntent{.ltime = 43, .node = "node-a", .prune = true});
}

TEST_F(SerfGoldenTest, UserEvents) {
  Check("serf_event", UserEventMessage{.ltime = 5, .name = "deploy", .payload = "v1", .cc = true});
  Check("serf_event_nil", UserEventMessage{.ltime = 6, .name = "ping"});
}

TEST_F(SerfGoldenTest, QueryWithFiltersAndResponse) {
  const std::string node_filter = EncodeFilter(NodeFilter{{"node-b", "node-c"}});
  const std::string tag_filter = EncodeFilter(TagFilter{.tag = "role", .expr = "^web$"});
  EXPECT_EQ(ToHex(node_filter), ToHex(golden_["filter_node"]));
  EXPECT_EQ(ToHex(tag_filter), ToHex(golden_["filter_tag"]));
  Check("serf_query", QueryMessage{.ltime = 9,
                                   .id = 123456,
                                   .addr = kLocalhost,
                                   .port = 7946,
                                   .source_node = "node-a",
                                   .filters = {node_filter, tag_filter},
                                   .flags = kQueryFlagAck,
                                   .relay_factor = 2,
                                   .timeout_ns = 15'000'000'000,
                                   .name = "uptime",
                                   .payload = "?"});
  Check("serf_query_response",
        QueryResponseMessage{.ltime = 9, .id = 123456, .from = "node-b", .flags = kQueryFlagAck});
  Filter f;
  ASSERT_TRUE(DecodeFilter(golden_["filter_tag"], &f).ok());
  EXPECT_EQ(std::get<TagFilter>(f).expr, "^web$");
  ASSERT_TRUE(DecodeFilter(golden_["filter_node"], &f).ok());
  EXPECT_EQ(std::get<NodeFilter>(f).nodes, (std::vector<std::string>{"node-b", "node-c"}));
  EXPECT_TRUE(DecodeFilter(std::string("\x07\x90", 2), &f).IsCorruption());
  EXPECT_TRUE(DecodeFilter("", &f).IsCorruption());
}

TEST_F(SerfGoldenTest, KeyManagement) {
  Check("serf_key_request", KeyRequest{.key = "0123456789abcdef"});
  Check("serf_key_response",
        KeyResponse{.result = true, .keys = {"a2V5", "b3RoZXI="}, .primary_key = "a2V5"});
}

TEST_F(SerfGoldenTest, ConflictMember) {
  Check("serf_member", Member{.name = "node-a",
                              .addr = kLocalhost,
                              .port = 7946,
                              .tags = {{"role", "web"}},
                              .status = 1,
                              .protocol_min = 1,
                              .protocol_max = 5,
                              .protocol_cur = 2,
                              .delegate_min = 2,
                              .delegate_max = 5,
                              .delegate_cur = 4});
}

TEST_F(SerfGoldenTest, PushPullWithNilEventSlots) {
  SerfPushPull pp{
      .ltime = 10, .status_ltimes = {{"node-a", 3}}, .event_ltime = 4, .query_ltime = 7};
  pp.events.resize(3);
  pp.events[1] = UserEvents{.ltime = 2, .events = {UserEvent{.name = "e", .payload = "p"}}};
  Check("serf_push_pull", pp);
}

TEST_F(SerfGoldenTest, Relay) {
  const std::string inner =
      EncodeSerfMessage(QueryResponseMessage{.ltime = 1, .id = 2, .from = "node-c"});
  const RelayHeader header{
      .dest_ip = kLocalhost, .dest_port = 7946, .dest_zone = "", .dest_name = "node-a"};
  EXPECT_EQ(ToHex(EncodeRelay(header, inner)), ToHex(golden_["serf_relay"]));
  RelayHeader decoded;
  std::string_view got_inner;
  ASSERT_TRUE(
      DecodeRelay(std::string_view(golden_["serf_relay"]).substr(1), &decoded, &got_inner).ok());
  EXPECT_EQ(decoded, header);
  EXPECT_EQ(got_inner, inner);
}

TEST_F(SerfGoldenTest, TagsAndCoordinate) {
  EXPECT_EQ(ToHex(EncodeTags({{"dc", "dc1"}})), ToHex(golden_["serf_tags"]));
  std::map<std::string, std::string> tags;
  ASSERT_TRUE(DecodeTags(golden_["serf_tags"], &tags).ok());
  EXPECT_EQ(tags, (std::map<std::string, std::string>{{"dc", "dc1"}}));
  const Coordinate c{
      .vec = {0.001, -0.5, 0, 0, 0, 0, 0, 0}, .error = 1.5, .adjustment = -0.0001, .height = 1e-05};
  EXPECT_EQ(ToHex(EncodeAckPayload(c)), ToHex(golden_["serf_coordinate"]));
  Coordinate decoded;
  ASSERT_TRUE(DecodeAckPayload(golden_["serf_coordinate"], &decoded).ok());
  EXPECT_EQ(decoded, c);
  EXPECT_TRUE(DecodeAckPayload("", &decoded).IsCorruption());
  EXPECT_TRUE(DecodeAckPayload(std::string("\x02\x80", 2), &decoded).IsCorruption());
}

TEST(SerfTagsTest, LegacyRoleAndConsulTags) {
  std::map<std::string, std::string> tags;
  // Protocol-2 peers put a bare role in Meta.
  ASSERT_TRUE(DecodeTags("lb", &tags).ok());
  EXPECT_EQ(tags, (std::map<std::string, std::string>{{"role", "lb"}}));
  ASSERT_TRUE(DecodeTags("", &tags).ok());
  EXPECT_EQ(tags, (std::map<std::string, std::string>{{"role", ""}}));
  // Consul's server tags survive a round trip and fit memberlist's 512-byte meta limit.
  const std::map<std::string, std::string> consul = {{"role", "consul"},
                                                     {"dc", "dc1"},
                                                     {"segment", ""},
                                                     {"id", "0d5d9b6e-1a3e-4f8a-9a5b-3c1f2e4d5a6b"},
                                                     {"vsn", "2"},
                                                     {"vsn_min", "2"},
                                                     {"vsn_max", "3"},
                                                     {"raft_vsn", "3"},
                                                     {"build", "1.8.7:1f4b6a9c"},
                                                     {"port", "8300"},
                                                     {"expect", "3"},
                                                     {"wan_join_port", "8302"},
                                                     {"acls", "0"},
                                                     {"ft_fs", "1"}};
  const std::string meta = EncodeTags(consul);
  EXPECT_LE(meta.size(), 512u);
  EXPECT_EQ(static_cast<uint8_t>(meta[0]), kTagMagicByte);
  ASSERT_TRUE(DecodeTags(meta, &tags).ok());
  EXPECT_EQ(tags, consul);
  // Magic byte with garbage after it.
  EXPECT_TRUE(DecodeTags(std::string("\xff\x93", 2), &tags).IsCorruption());
  EXPECT_TRUE(DecodeTags(std::string("\xff\x81\x01\x02", 4), &tags).IsCorruption());
}

TEST(SerfMessagesTest, MapsDecodeInAnyOrder) {
  // Go writes map entries in random order; decoding must not care.
  std::string body;
  msgpack::Writer w(&body);
  msgpack::StructWriter s(&w);
  msgpack::Writer m = s.Field("StatusLTimes");
  m.MapHeader(2);
  m.Str("z");
  m.Uint(1);
  m.Str("a");
  m.Uint(2);
  s.Finish();
  SerfPushPull pp;
  ASSERT_TRUE(DecodeSerfMessage(body, &pp).ok());
  EXPECT_EQ(pp.status_ltimes, (std::map<std::string, LamportTime>{{"a", 2}, {"z", 1}}));
  EXPECT_TRUE(pp.events.empty());
}

TEST(SerfMessagesTest, WrongShapesAreCorruption) {
  std::string body;
  msgpack::Writer w(&body);
  msgpack::StructWriter s(&w);
  s.Field("Events").Str("not an array");
  s.Finish();
  SerfPushPull pp;
  EXPECT_TRUE(DecodeSerfMessage(body, &pp).IsCorruption());
  QueryMessage q;
  EXPECT_TRUE(DecodeSerfMessage(std::string("\x81\xa7"
                                            "Filters\x01",
                                            10),
                                &q)
                  .IsCorruption());
  RelayHeader h;
  std::string_view inner;
  EXPECT_TRUE(DecodeRelay(std::string("\x81\xa8"
                                      "DestAddr\x05",
                                      11),
                          &h, &inner)
                  .IsCorruption());
}

TEST(LamportClockTest, IncrementAndWitness) {
  LamportClock c;
  EXPECT_EQ(c.Time(), 0u);
  EXPECT_EQ(c.Increment(), 1u);
  c.Witness(0);  // old: no change
  EXPECT_EQ(c.Time(), 1u);
  c.Witness(1);  // equal: move one past it
  EXPECT_EQ(c.Time(), 2u);
  c.Witness(41);
  EXPECT_EQ(c.Time(), 42u);
  EXPECT_EQ(c.Increment(), 43u);
}

}  // namespace
}  // namespace consulate::gossip::serf
