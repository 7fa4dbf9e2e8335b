// A deterministic gossip simulation: N real Memberlist instances (the production state machine,
// messages and packet encoding) on a virtual clock and an in-memory lossy network, with
// memberlist's default LAN timings. One event queue orders timers and packet deliveries, so a
// run with the same options repeats exactly and 1,000 members simulate in seconds.
//
// Not simulated: TCP (push/pull and the TCP ping fallback are disabled; members are seeded as if
// they had joined long ago) and CPU time (handlers take zero virtual time).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace consulate::gossip::sim {

struct SimOptions {
  int nodes = 1000;
  double packet_loss = 0.02;  // each UDP packet is dropped with this probability
  // One-way delay of a delivered packet, uniform in [min, max] microseconds.
  int64_t min_delay_us = 500;
  int64_t max_delay_us = 20000;
  uint64_t seed = 1;
  bool compression = true;  // memberlist's LAN default; off runs faster
  // Virtual time to run before each measurement, and the most a measurement may take.
  std::chrono::milliseconds settle{10000};
  std::chrono::milliseconds limit{120000};
};

// Times are seconds of virtual time from the start of the measurement; -1: never reached.
struct SimResult {
  // (b) one alive update (new metadata) from one member, until seen by each other member.
  double broadcast_p50 = -1, broadcast_p99 = -1, broadcast_p999 = -1, broadcast_all = -1;
  int broadcast_reached = 0;  // members other than the sender that saw it
  // (a) one member killed, until each survivor has marked it failed (NotifyLeave).
  double failure_first = -1, failure_p50 = -1, failure_p99 = -1, failure_all = -1;
  int failure_marked = 0;  // survivors that marked it failed
  int false_failures = 0;  // live members some member marked failed during the run
  uint64_t packets_sent = 0, packets_dropped = 0, events = 0;
  double virtual_seconds = 0;
  // Model figures for comparison.
  double suspicion_min_s = 0, suspicion_max_s = 0;
  int expected_confirmations = 0, retransmit_limit = 0;
  double model_rounds_9999 = 0, model_rounds_999 = 0;  // serf simulator.js formula
};

SimResult RunSimulation(const SimOptions& options);

// The formula of serf's convergence simulator (website/source/javascripts/simulator.js): after x
// gossip rounds the infected fraction is 1 / (1 + (n+1) e^(-fanout (1-loss) x)). Returns x for
// `fraction` (continuous; the web page steps in whole rounds).
double SerfModelRounds(int nodes, int fanout, double loss, double fraction);

}  // namespace consulate::gossip::sim
