// Randomized simulation of the Raft core: many seeds, each a full chaos / heal / liveness run
// (sim/simulator.h). A failure prints its seed and the end of its trace.
//
//   RAFT_SIM_SEEDS=<n>       how many seeds to run (default below)
//   RAFT_SIM_FIRST_SEED=<n>  first seed (default 1)
//   RAFT_SIM_SEED=<n>        replay exactly one seed; RAFT_SIM_VERBOSE=1 prints its whole trace
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/simulator.h"

namespace consulate::raft::core::sim {
namespace {

constexpr uint64_t kDefaultSeeds = 10000;  // about 15 s in RelWithDebInfo

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

// Everything about a run follows from its seed, so a replay is exact.
SimOptions OptionsForSeed(uint64_t seed) {
  SimOptions o;
  o.seed = seed;
  o.voters = seed % 2 == 1 ? 3 : 5;
  o.spares = 2;
  o.chaos = true;
  o.async_leader_writes = seed % 4 >= 2;  // half the seeds, both cluster sizes
  o.verbose = EnvOr("RAFT_SIM_VERBOSE", 0) != 0;
  return o;
}

TEST(RaftSimulationTest, RandomSeeds) {
  uint64_t first = EnvOr("RAFT_SIM_FIRST_SEED", 1);
  uint64_t count = EnvOr("RAFT_SIM_SEEDS", kDefaultSeeds);
  if (const char* one = std::getenv("RAFT_SIM_SEED"); one != nullptr && *one != '\0') {
    first = std::strtoull(one, nullptr, 10);
    count = 1;
  }
  const auto start = std::chrono::steady_clock::now();
  int failures = 0;
  uint64_t ran = 0;
  SimStats total;
  uint64_t slowest_ms = 0;
  uint64_t slowest_seed = 0;
  for (uint64_t seed = first; seed < first + count && failures < 3; ++seed, ++ran) {
    Simulator sim(OptionsForSeed(seed));
    const std::string failure = sim.Run();
    total.Add(sim.stats());
    if (sim.stats().liveness_ms >= slowest_ms) {
      slowest_ms = sim.stats().liveness_ms;
      slowest_seed = seed;
    }
    if (count == 1)
      std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed),
                  sim.stats().ToString().c_str());
    if (!failure.empty()) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << " failed: " << failure << "\n"
                    << sim.stats().ToString() << "\n"
                    << sim.DescribeNodes() << "replay with RAFT_SIM_SEED=" << seed
                    << " (RAFT_SIM_VERBOSE=1 for the full trace). Trace tail:\n"
                    << sim.Trace();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("simulated %llu seeds from %llu in %.1fs\n", static_cast<unsigned long long>(ran),
              static_cast<unsigned long long>(first), seconds);
  std::printf("totals: %s\n", total.ToString().c_str());
  std::printf("slowest recovery after healing: seed %llu, %llu ms\n",
              static_cast<unsigned long long>(slowest_seed),
              static_cast<unsigned long long>(slowest_ms));
}

}  // namespace
}  // namespace consulate::raft::core::sim
