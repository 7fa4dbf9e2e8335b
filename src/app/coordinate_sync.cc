#include "app/coordinate_sync.h"

namespace consulate::app {

namespace {
// lib/cluster.go: below once a day the rate means "no scaling".
constexpr double kMinRate = 1.0 / 86400;
}  // namespace

CoordinateSyncOptions CoordinateSyncOptionsFrom(const config::RuntimeConfig& cfg) {
  CoordinateSyncOptions o;
  o.node_name = cfg.node_name;
  if (const auto* v = cfg.merged.if_contains("sync_coordinate_interval_min");
      v != nullptr && v->is_string()) {
    auto d = ParseGoDuration(std::string_view(v->as_string()));
    if (d.ok()) o.interval_min = *d;
  }
  if (const auto* v = cfg.merged.if_contains("sync_coordinate_rate_target");
      v != nullptr && v->is_number()) {
    o.rate_target = v->to_number<double>();
  }
  return o;
}

Duration RateScaledInterval(double rate, Duration min, size_t n) {
  if (rate <= kMinRate) return min;
  const auto interval = Duration(static_cast<int64_t>(1e9 * static_cast<double>(n) / rate));
  return interval < min ? min : interval;
}

state::Coordinate CoordinateFromSerfVec(const std::vector<double>& v) {
  state::Coordinate c;
  if (v.size() < 4) return c;
  c.vec.assign(v.begin(), v.end() - 3);
  c.error = v[v.size() - 3];
  c.adjustment = v[v.size() - 2];
  c.height = v[v.size() - 1];
  return c;
}

CoordinateSync::CoordinateSync(CoordinateSyncOptions options, Hooks hooks, Logger logger)
    : options_(std::move(options)),
      hooks_(std::move(hooks)),
      logger_(std::move(logger)),
      rng_(std::random_device{}()) {}

CoordinateSync::~CoordinateSync() { Stop(); }

void CoordinateSync::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void CoordinateSync::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CoordinateSync::Loop() {
  while (true) {
    Duration interval =
        RateScaledInterval(options_.rate_target, options_.interval_min, hooks_.members());
    // lib.RandomStagger: a uniform extra delay in [0, interval).
    if (interval.count() > 0)
      interval += Duration(static_cast<int64_t>(rng_() % static_cast<uint64_t>(interval.count())));
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, interval, [this] { return stopping_; })) return;
    }
    // Consul sends one update per segment it is in; our agents are only in the default one.
    state::Coordinate coord = CoordinateFromSerfVec(hooks_.coordinate());
    if (!coord.IsValid() || coord.vec.empty()) {
      logger_.Error("Failed to get coordinate: error=\"invalid coordinate\"");
      continue;
    }
    hooks_.send(state::CoordinateEntry{options_.node_name, "", std::move(coord)});
  }
}

}  // namespace consulate::app
