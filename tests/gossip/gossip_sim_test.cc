// The gossip simulation at a reduced size: the real memberlist state machine in virtual time
// detects a killed member and spreads an update to everyone, within the bounds the protocol's
// timings imply, and a run repeats exactly for the same seed.
#include "gossip_sim.h"

#include <gtest/gtest.h>

namespace consulate::gossip::sim {
namespace {

SimOptions SmallOptions() {
  SimOptions o;
  o.nodes = 100;
  o.packet_loss = 0.02;
  o.settle = std::chrono::milliseconds(5000);
  o.limit = std::chrono::milliseconds(90000);
  return o;
}

TEST(GossipSimTest, DetectsFailureAndDisseminatesUpdate) {
  const SimResult r = RunSimulation(SmallOptions());
  EXPECT_EQ(r.broadcast_reached, 99);
  EXPECT_GT(r.broadcast_all, 0);
  EXPECT_LT(r.broadcast_all, 5.0);
  // n = 100: suspicion min 8 s (4 x 2 x 1 s), max 48 s.
  EXPECT_DOUBLE_EQ(r.suspicion_min_s, 8.0);
  EXPECT_EQ(r.failure_marked, 99);
  // Not before a probe fails and the suspicion minimum has passed; well before its maximum.
  EXPECT_GT(r.failure_first, 8.0);
  EXPECT_LT(r.failure_all, 30.0);
  EXPECT_GT(r.packets_dropped, 0u);
}

TEST(GossipSimTest, RunsAreDeterministic) {
  SimOptions o = SmallOptions();
  o.nodes = 30;
  const SimResult a = RunSimulation(o);
  const SimResult b = RunSimulation(o);
  EXPECT_EQ(a.packets_sent, b.packets_sent);
  EXPECT_EQ(a.events, b.events);
  EXPECT_DOUBLE_EQ(a.failure_all, b.failure_all);
  EXPECT_DOUBLE_EQ(a.broadcast_all, b.broadcast_all);
}

TEST(GossipSimTest, SerfModelMatchesItsFormula) {
  // 1,000 members, fanout 3, no loss: 99.99% after ln(1001 * 9999) / 3 = 5.37 rounds.
  EXPECT_NEAR(SerfModelRounds(1000, 3, 0, 0.9999), 5.373, 0.001);
}

}  // namespace
}  // namespace consulate::gossip::sim
