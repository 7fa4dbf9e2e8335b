// The pure parts of memberlist: TransmitLimitedQueue and the scaling formulas, checked against
// values computed with memberlist's Go code (queue_test.go, util_test.go, suspicion_test.go).
#include "gossip/broadcast_queue.h"

#include <gtest/gtest.h>

namespace consulate::gossip {
namespace {

using std::chrono::milliseconds;

TEST(Formulas, RetransmitLimit) {
  EXPECT_EQ(RetransmitLimit(3, 0), 0);
  EXPECT_EQ(RetransmitLimit(3, 1), 3);
  EXPECT_EQ(RetransmitLimit(3, 99), 6);
  EXPECT_EQ(RetransmitLimit(4, 9), 4);
  EXPECT_EQ(RetransmitLimit(4, 10), 8);
}

TEST(Formulas, SuspicionTimeout) {
  EXPECT_EQ(SuspicionTimeout(3, 10, milliseconds(1000)), milliseconds(3000));
  EXPECT_EQ(SuspicionTimeout(4, 1, milliseconds(1000)), milliseconds(4000));
  EXPECT_EQ(SuspicionTimeout(3, 100, milliseconds(1000)), milliseconds(6000));
  EXPECT_EQ(SuspicionTimeout(3, 1000, milliseconds(1000)), milliseconds(9000));
  // log10(50) = 1.69897 -> 1.698 kept, as Go's time.Duration(nodeScale*1000).
  EXPECT_EQ(SuspicionTimeout(4, 50, milliseconds(1000)), milliseconds(6792));
}

TEST(Formulas, RemainingSuspicionTimeAsLifeguard) {
  // suspicion_test.go TestSuspicion_remainingSuspicionTime.
  struct Case {
    int n, k;
    int elapsed_ms, min_s, max_s;
    int expected_ms;
  } cases[] = {
      {0, 3, 0, 2, 30, 30000},    {1, 3, 2000, 2, 30, 14000}, {2, 3, 3000, 2, 30, 4810},
      {3, 3, 4000, 2, 30, -2000}, {4, 3, 5000, 2, 30, -3000}, {5, 3, 10000, 2, 30, -8000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RemainingSuspicionTime(c.n, c.k, milliseconds(c.elapsed_ms),
                                     milliseconds(c.min_s * 1000), milliseconds(c.max_s * 1000)),
              milliseconds(c.expected_ms))
        << c.n << "/" << c.k;
  }
}

TEST(Formulas, PushPullScale) {
  const milliseconds s(1000);
  EXPECT_EQ(PushPullScale(s, 1), s);
  EXPECT_EQ(PushPullScale(s, 32), s);
  EXPECT_EQ(PushPullScale(s, 33), 2 * s);
  EXPECT_EQ(PushPullScale(s, 64), 2 * s);
  EXPECT_EQ(PushPullScale(s, 65), 3 * s);
  EXPECT_EQ(PushPullScale(s, 128), 3 * s);
}

TEST(TransmitLimitedQueue, NamedBroadcastsInvalidateOlder) {
  int finished = 0;
  TransmitLimitedQueue q(1, [] { return 1; });
  q.Queue({"node1", "a", [&] { ++finished; }});
  q.Queue({"node2", "b", nullptr});
  q.Queue({"node1", "c", nullptr});
  EXPECT_EQ(q.NumQueued(), 2u);
  EXPECT_EQ(finished, 1);
  auto out = q.GetBroadcasts(0, 100);
  ASSERT_EQ(out.size(), 2u);
  // Same transmit count and size: newest first.
  EXPECT_EQ(out[0], "c");
  EXPECT_EQ(out[1], "b");
}

TEST(TransmitLimitedQueue, UniqueBroadcastsAreKept) {
  TransmitLimitedQueue q(1, [] { return 1; });
  q.Queue({"", "a", nullptr});
  q.Queue({"", "a", nullptr});
  EXPECT_EQ(q.NumQueued(), 2u);
}

TEST(TransmitLimitedQueue, LimitsAndRetransmits) {
  // queue_test.go TestTransmitLimited_GetBroadcasts_Limit: retransmit mult 1, 10 nodes -> 2.
  int finished = 0;
  TransmitLimitedQueue q(1, [] { return 10; });
  for (const char* m :
       {"1. this is a test.", "2. this is a test.", "3. this is a test.", "4. this is a test."}) {
    q.Queue({"", m, [&] { ++finished; }});
  }
  // 3 byte overhead, 80 byte limit: two 18-byte messages fit per call (3 would need 63 < 80...).
  auto first = q.GetBroadcasts(3, 3 + 18 + 3 + 18);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], "4. this is a test.");
  EXPECT_EQ(first[1], "3. this is a test.");
  auto second = q.GetBroadcasts(3, 3 + 18 + 3 + 18);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0], "2. this is a test.");
  EXPECT_EQ(second[1], "1. this is a test.");
  EXPECT_EQ(finished, 0);
  q.GetBroadcasts(3, 1000);  // everyone's second transmission: all reach the limit of 2
  EXPECT_EQ(q.NumQueued(), 0u);
  EXPECT_EQ(finished, 4);
}

TEST(TransmitLimitedQueue, LargestFirstWithinATier) {
  TransmitLimitedQueue q(3, [] { return 1; });
  q.Queue({"", "xx", nullptr});
  q.Queue({"", "xxxx", nullptr});
  q.Queue({"", "x", nullptr});
  auto out = q.GetBroadcasts(0, 5);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "xxxx");
  EXPECT_EQ(out[1], "x");
}

TEST(TransmitLimitedQueue, PruneKeepsNewest) {
  int finished = 0;
  TransmitLimitedQueue q(3, [] { return 1; });
  for (int i = 0; i < 10; ++i) q.Queue({"", std::to_string(i), [&] { ++finished; }});
  q.Prune(3);
  EXPECT_EQ(q.NumQueued(), 3u);
  EXPECT_EQ(finished, 7);
  auto out = q.GetBroadcasts(0, 100);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], "9");
  q.Reset();
  EXPECT_EQ(finished, 10);
}

}  // namespace
}  // namespace consulate::gossip
