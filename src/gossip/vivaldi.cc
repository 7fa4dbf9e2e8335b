#include "gossip/vivaldi.h"

#include <algorithm>
#include <cmath>

namespace consulate::gossip {

namespace {

constexpr double kZeroThreshold = 1.0e-6;

serf::Coordinate NewCoordinate(const VivaldiConfig& c) {
  serf::Coordinate coord;
  coord.vec.assign(c.dimensionality, 0.0);
  coord.error = c.vivaldi_error_max;
  coord.adjustment = 0;
  coord.height = c.height_min;
  return coord;
}

double Magnitude(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x * x;
  return std::sqrt(sum);
}

double RawDistance(const serf::Coordinate& a, const serf::Coordinate& b) {
  std::vector<double> diff(a.vec.size());
  for (size_t i = 0; i < diff.size() && i < b.vec.size(); ++i) diff[i] = a.vec[i] - b.vec[i];
  return Magnitude(diff) + a.height + b.height;
}

bool Valid(const serf::Coordinate& c) {
  for (double x : c.vec) {
    if (!std::isfinite(x)) return false;
  }
  return std::isfinite(c.error) && std::isfinite(c.adjustment) && std::isfinite(c.height);
}

}  // namespace

double CoordinateDistance(const serf::Coordinate& a, const serf::Coordinate& b) {
  const double dist = RawDistance(a, b);
  const double adjusted = dist + a.adjustment + b.adjustment;
  return adjusted > 0 ? adjusted : dist;
}

VivaldiClient::VivaldiClient(VivaldiConfig config)
    : config_(config),
      coord_(NewCoordinate(config)),
      origin_(NewCoordinate(config)),
      adjustment_samples_(config.adjustment_window_size, 0.0),
      rng_(std::random_device{}()) {}

Status VivaldiClient::Update(const std::string& node, const serf::Coordinate& other,
                             std::chrono::nanoseconds rtt) {
  if (other.vec.size() != coord_.vec.size())
    return Status::InvalidArgument("dimensions aren't compatible");
  if (!Valid(other)) return Status::InvalidArgument("coordinate is invalid");
  const double rtt_seconds = std::chrono::duration<double>(rtt).count();
  if (rtt_seconds <= 0 || rtt_seconds > 10.0)
    return Status::InvalidArgument("round trip time not in valid range");
  const double filtered = LatencyFilter(node, rtt_seconds);
  UpdateVivaldi(other, filtered);
  UpdateAdjustment(other, filtered);
  UpdateGravity();
  if (!Valid(coord_)) {
    coord_ = NewCoordinate(config_);
    return Status::Internal("coordinate became invalid; reset");
  }
  return Status::OK();
}

double VivaldiClient::LatencyFilter(const std::string& node, double rtt_seconds) {
  auto& samples = latency_filter_[node];
  samples.push_back(rtt_seconds);
  if (samples.size() > config_.latency_filter_size) samples.erase(samples.begin());
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  return sorted[sorted.size() / 2];
}

serf::Coordinate VivaldiClient::ApplyForce(const serf::Coordinate& c, double force,
                                           const serf::Coordinate& other) {
  serf::Coordinate ret = c;
  std::vector<double> unit(c.vec.size());
  for (size_t i = 0; i < unit.size(); ++i) unit[i] = c.vec[i] - other.vec[i];
  double mag = Magnitude(unit);
  if (mag > kZeroThreshold) {
    for (double& x : unit) x /= mag;
  } else {
    // Coincident: push in a random direction.
    std::uniform_real_distribution<double> d(-0.5, 0.5);
    for (double& x : unit) x = d(rng_);
    const double m = Magnitude(unit);
    if (m > kZeroThreshold) {
      for (double& x : unit) x /= m;
    }
    mag = 0;
  }
  for (size_t i = 0; i < ret.vec.size(); ++i) ret.vec[i] += unit[i] * force;
  if (mag > kZeroThreshold) {
    ret.height = (ret.height + other.height) * force / mag + ret.height;
    ret.height = std::max(ret.height, config_.height_min);
  }
  return ret;
}

void VivaldiClient::UpdateVivaldi(const serf::Coordinate& other, double rtt) {
  const double dist = CoordinateDistance(coord_, other);
  rtt = std::max(rtt, kZeroThreshold);
  const double wrongness = std::abs(dist - rtt) / rtt;
  double total_error = coord_.error + other.error;
  if (total_error < kZeroThreshold) total_error = kZeroThreshold;
  const double weight = coord_.error / total_error;
  coord_.error =
      config_.vivaldi_ce * weight * wrongness + coord_.error * (1.0 - config_.vivaldi_ce * weight);
  coord_.error = std::min(coord_.error, config_.vivaldi_error_max);
  const double force = config_.vivaldi_cc * weight * (rtt - dist);
  coord_ = ApplyForce(coord_, force, other);
}

void VivaldiClient::UpdateAdjustment(const serf::Coordinate& other, double rtt) {
  if (config_.adjustment_window_size == 0) return;
  adjustment_samples_[adjustment_index_] = rtt - RawDistance(coord_, other);
  adjustment_index_ = (adjustment_index_ + 1) % config_.adjustment_window_size;
  double sum = 0;
  for (double s : adjustment_samples_) sum += s;
  coord_.adjustment = sum / (2.0 * static_cast<double>(config_.adjustment_window_size));
}

void VivaldiClient::UpdateGravity() {
  const double dist = CoordinateDistance(origin_, coord_);
  const double force = -1.0 * std::pow(dist / config_.gravity_rho, 2.0);
  coord_ = ApplyForce(coord_, force, origin_);
}

}  // namespace consulate::gossip
