#include "state/coordinate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "fsm/command.h"
#include "fsm/fsm.h"
#include "state/store.h"

namespace consulate::state {
namespace {

class CountingWaiter : public Waiter {
 public:
  void Fire() override { ++fired; }
  int fired = 0;
};

RegisterRequest Reg(std::string node) {
  RegisterRequest r;
  r.node.node = std::move(node);
  r.node.address = "127.0.0.1";
  r.node.datacenter = "dc1";
  return r;
}

// A coordinate `x` seconds along the first axis (lib.GenerateCoordinate, with a height).
Coordinate At(double x, double height = 0, double adjustment = 0) {
  Coordinate c = NewCoordinate();
  c.vec[0] = x;
  c.height = height;
  c.adjustment = adjustment;
  c.error = 0.5;
  return c;
}

TEST(CoordinateTest, NewCoordinateIsSerfsDefault) {
  Coordinate c = NewCoordinate();
  EXPECT_EQ(c.vec, std::vector<double>(8, 0.0));
  EXPECT_EQ(c.error, 1.5);
  EXPECT_EQ(c.adjustment, 0.0);
  EXPECT_EQ(c.height, 10.0e-6);
  EXPECT_TRUE(c.IsValid());
}

TEST(CoordinateTest, Validity) {
  Coordinate c = NewCoordinate();
  c.vec[3] = std::nan("");
  EXPECT_FALSE(c.IsValid());
  c = NewCoordinate();
  c.height = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(c.IsValid());
  Coordinate two;
  two.vec = {1, 2};
  EXPECT_FALSE(NewCoordinate().IsCompatibleWith(two));
}

TEST(ComputeDistanceTest, EuclideanPlusHeights) {
  // What `consul rtt` printed against Consul 1.8.7 for these coordinates ("%.3f ms").
  auto ms = [](double seconds) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3f", seconds * 1000.0);
    return std::string(buf);
  };
  Coordinate a = At(0.010, 0.001), b = At(0.002, 0.001);
  EXPECT_EQ(ms(ComputeDistance(&a, &b)), "10.000");
  Coordinate origin = NewCoordinate();
  EXPECT_EQ(ms(ComputeDistance(&a, &origin)), "11.010");
  EXPECT_EQ(ComputeDistance(&a, &origin), 0.011009999);  // whole nanoseconds, truncated
  EXPECT_EQ(ComputeDistance(&a, &b), ComputeDistance(&b, &a));
  // 3-4-5 in two dimensions.
  Coordinate p = NewCoordinate(), q = NewCoordinate();
  p.height = q.height = 0;
  p.vec[0] = 0.003;
  q.vec[1] = 0.004;
  EXPECT_NEAR(ComputeDistance(&p, &q), 0.005, 1e-12);
}

TEST(ComputeDistanceTest, AdjustmentsApplyOnlyWhenTheResultStaysPositive) {
  Coordinate a = At(0.010, 0, 0.002), b = At(0.0, 0, 0.001);
  EXPECT_NEAR(ComputeDistance(&a, &b), 0.013, 1e-12);
  Coordinate c = At(0.010, 0, -0.004), d = At(0.0, 0, -0.007);
  EXPECT_NEAR(ComputeDistance(&c, &d), 0.010, 1e-12);  // 0.010 - 0.011 < 0: raw distance
}

TEST(ComputeDistanceTest, TruncatesToNanoseconds) {
  Coordinate a = At(1.5e-9), b = At(0);
  EXPECT_EQ(ComputeDistance(&a, &b), 1e-9);
}

TEST(ComputeDistanceTest, MissingOrIncompatibleIsInfinite) {
  Coordinate a = At(0.001);
  Coordinate two;
  two.vec = {0, 0};
  EXPECT_TRUE(std::isinf(ComputeDistance(&a, nullptr)));
  EXPECT_TRUE(std::isinf(ComputeDistance(nullptr, &a)));
  EXPECT_TRUE(std::isinf(ComputeDistance(&a, &two)));
}

TEST(IntersectTest, SegmentRules) {
  CoordinateSet server{{"", At(1)}, {"alpha", At(2)}};
  CoordinateSet client_default{{"", At(3)}};
  CoordinateSet client_alpha{{"alpha", At(4)}};
  auto [a, b] = Intersect(server, client_alpha);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->vec[0], 2);
  EXPECT_EQ(b->vec[0], 4);
  std::tie(a, b) = Intersect(server, client_default);
  EXPECT_EQ(a->vec[0], 1);
  EXPECT_EQ(b->vec[0], 3);
  // Two clients in different segments have nothing in common.
  std::tie(a, b) = Intersect(client_default, client_alpha);
  EXPECT_EQ(a, nullptr);
  EXPECT_NE(b, nullptr);
  std::tie(a, b) = Intersect(server, CoordinateSet{});
  EXPECT_NE(a, nullptr);
  EXPECT_EQ(b, nullptr);
}

TEST(CoordinateTableTest, BatchUpdateSkipsUnknownNodesAndBadData) {
  StateStore s;
  ASSERT_TRUE(s.EnsureRegistration(3, Reg("n1")).ok());
  ASSERT_TRUE(s.EnsureRegistration(4, Reg("n2")).ok());
  std::vector<CoordinateEntry> out;
  EXPECT_EQ(s.Coordinates(&out, nullptr), 0u);
  EXPECT_TRUE(out.empty());

  Coordinate bad = At(0.1);
  bad.error = std::nan("");
  s.CoordinateBatchUpdate(
      5, {{"n1", "", At(0.1)}, {"ghost", "", At(0.2)}, {"n2", "", bad}, {"n2", "alpha", At(0.3)}});
  EXPECT_EQ(s.Coordinates(&out, nullptr), 5u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (CoordinateEntry{"n1", "", At(0.1)}));
  EXPECT_EQ(out[1], (CoordinateEntry{"n2", "alpha", At(0.3)}));
  EXPECT_EQ(s.LastIndex(), 5u);

  // An update replaces the node's coordinate in that segment only.
  s.CoordinateBatchUpdate(6, {{"n2", "", At(0.4)}, {"n2", "alpha", At(0.5)}});
  CoordinateSet set;
  EXPECT_EQ(s.NodeCoordinates("n2", &set, nullptr), 6u);
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[""].vec[0], 0.4);
  EXPECT_EQ(set["alpha"].vec[0], 0.5);
  set.clear();
  EXPECT_EQ(s.NodeCoordinates("n", &set, nullptr), 6u);  // no prefix matching
  EXPECT_TRUE(set.empty());
}

TEST(CoordinateTableTest, WatchesFire) {
  StateStore s;
  ASSERT_TRUE(s.EnsureRegistration(3, Reg("n1")).ok());
  ASSERT_TRUE(s.EnsureRegistration(4, Reg("n2")).ok());
  auto all = std::make_shared<CountingWaiter>();
  auto n1 = std::make_shared<CountingWaiter>();
  auto n2 = std::make_shared<CountingWaiter>();
  WatchSet ws_all, ws_n1, ws_n2;
  ws_all.set_waiter(all);
  ws_n1.set_waiter(n1);
  ws_n2.set_waiter(n2);
  std::vector<CoordinateEntry> out;
  CoordinateSet set;
  s.Coordinates(&out, &ws_all);
  s.NodeCoordinates("n1", &set, &ws_n1);
  s.NodeCoordinates("n2", &set, &ws_n2);
  s.CoordinateBatchUpdate(5, {{"n1", "", At(0.1)}});
  EXPECT_EQ(all->fired, 1);
  EXPECT_EQ(n1->fired, 1);
  EXPECT_EQ(n2->fired, 0);
}

TEST(CoordinateTableTest, DeletedWithTheirNode) {
  StateStore s;
  ASSERT_TRUE(s.EnsureRegistration(3, Reg("n1")).ok());
  ASSERT_TRUE(s.EnsureRegistration(4, Reg("n2")).ok());
  s.CoordinateBatchUpdate(5, {{"n1", "", At(0.1)}, {"n2", "", At(0.2)}});
  auto w = std::make_shared<CountingWaiter>();
  WatchSet ws;
  ws.set_waiter(w);
  std::vector<CoordinateEntry> out;
  s.Coordinates(&out, &ws);

  // Deregistering a service or check of the node keeps its coordinates.
  DeregisterRequest d;
  d.node = "n1";
  d.service_id = "nope";
  ASSERT_TRUE(s.Deregister(6, d).ok());
  out.clear();
  EXPECT_EQ(s.Coordinates(&out, nullptr), 5u);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(w->fired, 0);

  d.service_id.clear();
  ASSERT_TRUE(s.Deregister(7, d).ok());
  out.clear();
  EXPECT_EQ(s.Coordinates(&out, nullptr), 7u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].node, "n2");
  EXPECT_EQ(w->fired, 1);

  // A re-registered node starts without a coordinate.
  ASSERT_TRUE(s.EnsureRegistration(8, Reg("n1")).ok());
  CoordinateSet set;
  s.NodeCoordinates("n1", &set, nullptr);
  EXPECT_TRUE(set.empty());
}

TEST(CoordinateTableTest, SnapshotRoundTrip) {
  StateStore s;
  ASSERT_TRUE(s.EnsureRegistration(3, Reg("n1")).ok());
  s.CoordinateBatchUpdate(5, {{"n1", "", At(0.1, 0.002, -0.0001)}, {"n1", "seg", At(0.2)}});
  std::string snap = s.EncodeSnapshot();
  StateStore r;
  ASSERT_TRUE(r.RestoreSnapshot(snap).ok());
  std::vector<CoordinateEntry> a, b;
  EXPECT_EQ(s.Coordinates(&a, nullptr), r.Coordinates(&b, nullptr));
  EXPECT_EQ(a, b);
  EXPECT_EQ(r.EncodeSnapshot(), snap);
}

TEST(CoordinateTableTest, SnapshotsWithoutTheTableStayReadable) {
  StateStore s;
  ASSERT_TRUE(s.EnsureRegistration(3, Reg("n1")).ok());
  std::string snap = s.EncodeSnapshot();
  // The coordinates table is last: type 7, no entries, index 0, then the end marker.
  const std::string tail("\x07\x00\x00\x00", 4);
  ASSERT_EQ(snap.substr(snap.size() - 4), tail);
  std::string old = snap.substr(0, snap.size() - 4) + std::string(1, '\0');
  StateStore r;
  ASSERT_TRUE(r.RestoreSnapshot(old).ok());
  std::vector<Node> nodes;
  r.Nodes(&nodes, nullptr);
  EXPECT_EQ(nodes.size(), 1u);
  std::vector<CoordinateEntry> out;
  EXPECT_EQ(r.Coordinates(&out, nullptr), 0u);
  EXPECT_TRUE(out.empty());
}

TEST(CoordinateCommandTest, EncodeDecodeApply) {
  std::vector<CoordinateEntry> updates = {{"n1", "", At(0.1, 0.001, 0.0002)},
                                          {"n2", "alpha", At(-0.25)}};
  std::string cmd = fsm::EncodeCoordinateBatchUpdate(updates);
  EXPECT_EQ(fsm::TypeOf(cmd), fsm::MessageType::kCoordinateBatchUpdate);
  auto decoded = fsm::DecodeCoordinateBatchUpdate(cmd);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, updates);
  EXPECT_FALSE(fsm::DecodeCoordinateBatchUpdate(cmd.substr(0, cmd.size() - 1)).ok());
  EXPECT_FALSE(fsm::DecodeCoordinateBatchUpdate(cmd + "x").ok());

  StateStore s;
  fsm::FSM machine(&s);
  ASSERT_TRUE(machine.Apply(1, fsm::EncodeRegister(Reg("n1"))).status.ok());
  ASSERT_TRUE(machine.Apply(2, fsm::EncodeRegister(Reg("n2"))).status.ok());
  fsm::ApplyResult r = machine.Apply(3, cmd);
  EXPECT_TRUE(r.status.ok());
  std::vector<CoordinateEntry> out;
  EXPECT_EQ(s.Coordinates(&out, nullptr), 3u);
  EXPECT_EQ(out, updates);
  EXPECT_FALSE(machine.Apply(4, cmd.substr(0, 3)).status.ok());
  EXPECT_EQ(s.LastIndex(), 4u);
}

}  // namespace
}  // namespace consulate::state
