// CoordinateSync: every agent's periodic report of its LAN network coordinate to the servers
// (Consul's Agent.sendCoordinate). Every interval (lib.RateScaledInterval: at least
// sync_coordinate_interval_min, 15 s, growing with the pool so the servers receive about
// sync_coordinate_rate_target, 64, updates a second in all; plus a random stagger of up to one
// interval) it reads the coordinate from the LAN pool and hands one update per segment to `send`.
//
// How an update reaches the catalog is the caller's business: a server agent proposes a
// CoordinateBatchUpdate command itself (Cluster does so); a client agent will forward the update
// to a server once it can reach one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/duration.h"
#include "base/log.h"
#include "config/config.h"
#include "state/coordinate.h"

namespace consulate::app {

struct CoordinateSyncOptions {
  std::string node_name;
  Duration interval_min = std::chrono::seconds(15);  // sync_coordinate_interval_min
  double rate_target = 64.0;                         // sync_coordinate_rate_target
};

// Reads the options from the agent's configuration (Consul's defaults when absent).
CoordinateSyncOptions CoordinateSyncOptionsFrom(const config::RuntimeConfig& cfg);

// lib.RateScaledInterval: the interval at which `n` nodes together send `rate` updates a second,
// but never less than `min`.
Duration RateScaledInterval(double rate, Duration min, size_t n);

// serf's coordinate in gossip::Serf::CoordinateVec()'s encoding ({vec..., error, adjustment,
// height}) as a state::Coordinate. An encoding shorter than 4 values gives an empty (invalid for
// comparison) coordinate.
state::Coordinate CoordinateFromSerfVec(const std::vector<double>& v);

class CoordinateSync {
 public:
  struct Hooks {
    std::function<std::vector<double>()> coordinate;   // our LAN coordinate (serf's encoding)
    std::function<size_t()> members;                   // how many members the LAN pool has
    std::function<void(state::CoordinateEntry)> send;  // delivers one update (must not block long)
  };

  CoordinateSync(CoordinateSyncOptions options, Hooks hooks, Logger logger);
  ~CoordinateSync();
  CoordinateSync(const CoordinateSync&) = delete;
  CoordinateSync& operator=(const CoordinateSync&) = delete;

  // Starts the sending thread. REQUIRES: called once.
  void Start();
  // Stops and joins the thread; idempotent.
  void Stop();

 private:
  void Loop();

  const CoordinateSyncOptions options_;
  const Hooks hooks_;
  Logger logger_;
  std::mt19937_64 rng_;  // used by the sending thread only

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace consulate::app
