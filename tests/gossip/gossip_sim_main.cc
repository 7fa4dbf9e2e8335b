// gossip_sim: runs the deterministic gossip simulation (gossip_sim.h) and prints its figures next
// to what serf's convergence model and memberlist's suspicion formula predict.
//
//   gossip_sim [--nodes N] [--loss P] [--seeds K] [--min-delay-us U] [--max-delay-us U]
//              [--no-compression]
//
// Each seed is one run: settle, one alive update (dissemination), settle, one member killed
// (detection + dissemination of its failure).
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gossip_sim.h"

using consulate::gossip::sim::RunSimulation;
using consulate::gossip::sim::SimOptions;
using consulate::gossip::sim::SimResult;

int main(int argc, char** argv) {
  SimOptions options;
  int seeds = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        fmt::print(stderr, "gossip_sim: {} needs a value\n", arg);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--nodes") {
      options.nodes = std::atoi(next());
    } else if (arg == "--loss") {
      options.packet_loss = std::atof(next());
    } else if (arg == "--seeds") {
      seeds = std::atoi(next());
    } else if (arg == "--min-delay-us") {
      options.min_delay_us = std::atoll(next());
    } else if (arg == "--max-delay-us") {
      options.max_delay_us = std::atoll(next());
    } else if (arg == "--no-compression") {
      options.compression = false;
    } else {
      fmt::print(stderr,
                 "usage: gossip_sim [--nodes N] [--loss P] [--seeds K] "
                 "[--min-delay-us U] [--max-delay-us U] [--no-compression]\n");
      return 2;
    }
  }
  if (options.nodes < 3 || options.packet_loss < 0 || options.packet_loss >= 1 || seeds < 1) {
    fmt::print(stderr, "gossip_sim: need --nodes >= 3, 0 <= --loss < 1, --seeds >= 1\n");
    return 2;
  }
  fmt::print(
      "gossip simulation: {} members, {:.1f}% packet loss, one-way delay {}-{} us, "
      "memberlist LAN timings (probe 1 s, timeout 500 ms, 3 indirect, suspicion mult 4, "
      "gossip 200 ms x 3, retransmit mult 4), compression {}\n",
      options.nodes, options.packet_loss * 100, options.min_delay_us, options.max_delay_us,
      options.compression ? "on" : "off");
  fmt::print(
      "{:>5} | {:>8} {:>8} {:>8} {:>8} {:>6} | {:>8} {:>8} {:>8} {:>8} {:>6} | {:>5} | "
      "{:>9} {:>7} {:>6}\n",
      "seed", "bc p50", "bc p99", "bc p99.9", "bc all", "seen", "fd first", "fd p50", "fd p99",
      "fd all", "marked", "false", "packets", "drop%", "wall s");
  SimResult last;
  for (int s = 1; s <= seeds; ++s) {
    options.seed = static_cast<uint64_t>(s);
    const auto t0 = std::chrono::steady_clock::now();
    last = RunSimulation(options);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print(
        "{:>5} | {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>6} | {:>8.2f} {:>8.2f} {:>8.2f} "
        "{:>8.2f} {:>6} | {:>5} | {:>9} {:>7.2f} {:>6.1f}\n",
        s, last.broadcast_p50, last.broadcast_p99, last.broadcast_p999, last.broadcast_all,
        last.broadcast_reached, last.failure_first, last.failure_p50, last.failure_p99,
        last.failure_all, last.failure_marked, last.false_failures, last.packets_sent,
        last.packets_sent ? 100.0 * static_cast<double>(last.packets_dropped) /
                                static_cast<double>(last.packets_sent)
                          : 0.0,
        wall);
  }
  fmt::print(
      "(bc: seconds until that fraction of all {} members has the alive update; fd: "
      "seconds from the kill until survivors mark the member failed; seen/marked: "
      "members out of {}; false: live members marked failed by someone)\n",
      options.nodes, options.nodes - 1);
  fmt::print(
      "model: serf simulator.js (fanout 3, 200 ms rounds, {:.1f}% loss): 99.9% after "
      "{:.2f} rounds = {:.2f} s, 99.99% after {:.2f} rounds = {:.2f} s\n",
      options.packet_loss * 100, last.model_rounds_999, last.model_rounds_999 * 0.2,
      last.model_rounds_9999, last.model_rounds_9999 * 0.2);
  fmt::print(
      "model: suspicion timeout for n={}: min {:.1f} s (4 x log10(n) x 1 s), max {:.1f} s, "
      "{} confirmations bring it to the min; broadcasts are retransmitted {} times\n",
      options.nodes, last.suspicion_min_s, last.suspicion_max_s, last.expected_confirmations,
      last.retransmit_limit);
  return 0;
}
