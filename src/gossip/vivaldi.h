// serf's network coordinates (serf/coordinate: Vivaldi with height vectors, an adjustment term
// and gravity towards the origin), so our ping acks carry a meaningful coordinate and RTTs to
// peers refine ours. Not thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "base/status.h"
#include "gossip/serf_messages.h"

namespace consulate::gossip {

struct VivaldiConfig {
  int dimensionality = 8;
  double vivaldi_error_max = 1.5;
  double vivaldi_ce = 0.25;
  double vivaldi_cc = 0.25;
  size_t adjustment_window_size = 20;
  double height_min = 10.0e-6;
  size_t latency_filter_size = 3;
  double gravity_rho = 150.0;
};

// Estimated RTT between two coordinates, in seconds (Coordinate.DistanceTo).
double CoordinateDistance(const serf::Coordinate& a, const serf::Coordinate& b);

class VivaldiClient {
 public:
  explicit VivaldiClient(VivaldiConfig config = {});

  const serf::Coordinate& GetCoordinate() const { return coord_; }
  // Folds in one RTT measurement to `node`, whose coordinate is `other`. InvalidArgument for an
  // incompatible or non-finite coordinate or an implausible RTT (<= 0 or > 10 s).
  Status Update(const std::string& node, const serf::Coordinate& other,
                std::chrono::nanoseconds rtt);
  void ForgetNode(const std::string& node) { latency_filter_.erase(node); }

 private:
  double LatencyFilter(const std::string& node, double rtt_seconds);
  void UpdateVivaldi(const serf::Coordinate& other, double rtt_seconds);
  void UpdateAdjustment(const serf::Coordinate& other, double rtt_seconds);
  void UpdateGravity();
  serf::Coordinate ApplyForce(const serf::Coordinate& c, double force,
                              const serf::Coordinate& other);

  VivaldiConfig config_;
  serf::Coordinate coord_;
  serf::Coordinate origin_;
  std::vector<double> adjustment_samples_;
  size_t adjustment_index_ = 0;
  std::map<std::string, std::vector<double>> latency_filter_;
  std::mt19937_64 rng_;
};

}  // namespace consulate::gossip
