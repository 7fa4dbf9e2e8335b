// serf's Vivaldi coordinate client: updates move the estimate towards measured RTTs, bad input is
// rejected (coordinate/client_test.go, coordinate_test.go).
#include "gossip/vivaldi.h"

#include <gtest/gtest.h>

#include <cmath>

namespace consulate::gossip {
namespace {

using namespace std::chrono_literals;

TEST(Vivaldi, StartsAtOriginWithMaxError) {
  VivaldiClient client;
  const serf::Coordinate& c = client.GetCoordinate();
  EXPECT_EQ(c.vec, std::vector<double>(8, 0.0));
  EXPECT_DOUBLE_EQ(c.error, 1.5);
  EXPECT_DOUBLE_EQ(c.adjustment, 0.0);
  EXPECT_DOUBLE_EQ(c.height, 10.0e-6);
}

TEST(Vivaldi, RejectsBadInput) {
  VivaldiClient client;
  serf::Coordinate other = client.GetCoordinate();
  other.vec.resize(3);
  EXPECT_FALSE(client.Update("a", other, 1ms).ok());
  other = client.GetCoordinate();
  other.vec[0] = std::nan("");
  EXPECT_FALSE(client.Update("a", other, 1ms).ok());
  other = client.GetCoordinate();
  EXPECT_FALSE(client.Update("a", other, 0ms).ok());
  EXPECT_FALSE(client.Update("a", other, 11s).ok());
}

TEST(Vivaldi, ConvergesTowardsMeasuredRtt) {
  // Two clients 10 ms apart that keep measuring each other end up ~10 ms apart.
  VivaldiClient a, b;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(a.Update("b", b.GetCoordinate(), 10ms).ok());
    ASSERT_TRUE(b.Update("a", a.GetCoordinate(), 10ms).ok());
  }
  const double d = CoordinateDistance(a.GetCoordinate(), b.GetCoordinate());
  EXPECT_NEAR(d, 0.010, 0.002);
  EXPECT_LT(a.GetCoordinate().error, 0.5);
}

TEST(Vivaldi, DistanceUsesHeightsAndAdjustments) {
  serf::Coordinate x{{0, 0, 0}, 0, 0, 0};
  serf::Coordinate y{{3, 4, 0}, 0, 0, 0};
  EXPECT_DOUBLE_EQ(CoordinateDistance(x, y), 5.0);
  x.height = 1;
  y.height = 2;
  EXPECT_DOUBLE_EQ(CoordinateDistance(x, y), 8.0);
  x.adjustment = 0.5;
  y.adjustment = -0.25;
  EXPECT_DOUBLE_EQ(CoordinateDistance(x, y), 8.25);
  // A negative adjusted distance falls back to the raw one.
  x.adjustment = -100;
  EXPECT_DOUBLE_EQ(CoordinateDistance(x, y), 8.0);
}

}  // namespace
}  // namespace consulate::gossip
