// The coordinates table of StateStore (Consul's state/coordinate.go) and the distance maths of
// lib/rtt.go and serf's coordinate package.
#include "state/coordinate.h"

#include <bit>
#include <cmath>
#include <limits>
#include <mutex>

#include "base/coding.h"
#include "state/store.h"

namespace consulate::state {

namespace {
constexpr std::string_view kCoordinatesTable = "t:coordinates";
std::string NodeCoordinatesKey(std::string_view node) { return "c:" + std::string(node); }

// serf's coordinate.DefaultConfig().
constexpr int kDefaultDimensionality = 8;
constexpr double kDefaultErrorMax = 1.5;
constexpr double kDefaultHeightMin = 10.0e-6;

void PutDouble(std::string* out, double v) { PutFixed64(out, std::bit_cast<uint64_t>(v)); }
bool GetDouble(std::string_view* in, double* v) {
  uint64_t bits;
  if (!GetFixed64(in, &bits)) return false;
  *v = std::bit_cast<double>(bits);
  return true;
}
}  // namespace

bool Coordinate::IsValid() const {
  for (double v : vec)
    if (!std::isfinite(v)) return false;
  return std::isfinite(error) && std::isfinite(adjustment) && std::isfinite(height);
}

Coordinate NewCoordinate() {
  Coordinate c;
  c.vec.assign(kDefaultDimensionality, 0.0);
  c.error = kDefaultErrorMax;
  c.height = kDefaultHeightMin;
  return c;
}

double ComputeDistance(const Coordinate* a, const Coordinate* b) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (a == nullptr || b == nullptr || !a->IsCompatibleWith(*b)) return kInf;
  double sum = 0;
  for (size_t i = 0; i < a->vec.size(); ++i) {
    const double d = a->vec[i] - b->vec[i];
    sum += d * d;
  }
  double dist = std::sqrt(sum) + a->height + b->height;
  const double adjusted = dist + a->adjustment + b->adjustment;
  if (adjusted > 0.0) dist = adjusted;
  // Go converts to a time.Duration (whole nanoseconds, truncated) before taking Seconds().
  const double ns = dist * 1.0e9;
  if (!std::isfinite(ns) || std::fabs(ns) >= 9.2e18) return dist;
  return static_cast<double>(static_cast<int64_t>(ns)) / 1.0e9;
}

std::pair<const Coordinate*, const Coordinate*> Intersect(const CoordinateSet& a,
                                                          const CoordinateSet& b) {
  std::string_view segment;
  if (a.size() == 1) segment = a.begin()->first;
  if (b.size() == 1) segment = b.begin()->first;
  auto ia = a.find(segment);
  auto ib = b.find(segment);
  return {ia == a.end() ? nullptr : &ia->second, ib == b.end() ? nullptr : &ib->second};
}

void EncodeCoordinateEntry(std::string* out, const CoordinateEntry& e) {
  PutLengthPrefixedString(out, e.node);
  PutLengthPrefixedString(out, e.segment);
  PutVarint64(out, e.coord.vec.size());
  for (double v : e.coord.vec) PutDouble(out, v);
  PutDouble(out, e.coord.error);
  PutDouble(out, e.coord.adjustment);
  PutDouble(out, e.coord.height);
}

bool DecodeCoordinateEntry(std::string_view* in, CoordinateEntry* e) {
  std::string_view node, segment;
  uint64_t n;
  if (!GetLengthPrefixedString(in, &node) || !GetLengthPrefixedString(in, &segment) ||
      !GetVarint64(in, &n) || n > in->size() / 8)
    return false;
  e->node = std::string(node);
  e->segment = std::string(segment);
  e->coord.vec.resize(n);
  for (double& v : e->coord.vec)
    if (!GetDouble(in, &v)) return false;
  return GetDouble(in, &e->coord.error) && GetDouble(in, &e->coord.adjustment) &&
         GetDouble(in, &e->coord.height);
}

// ---- StateStore: the coordinates table ----

uint64_t StateStore::Coordinates(std::vector<CoordinateEntry>* out, WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&catalog_watches_, kCoordinatesTable);
  for (const auto& [key, coord] : coordinates_)
    out->push_back(CoordinateEntry{key.first, key.second, coord});
  return coordinates_index_;
}

uint64_t StateStore::NodeCoordinates(std::string_view node, CoordinateSet* out,
                                     WatchSet* ws) const {
  std::shared_lock lock(mu_);
  if (ws) ws->AddKey(&catalog_watches_, NodeCoordinatesKey(node));
  for (auto it = coordinates_.lower_bound({std::string(node), std::string()});
       it != coordinates_.end() && it->first.first == node; ++it)
    (*out)[it->first.second] = it->second;
  return coordinates_index_;
}

void StateStore::CoordinateBatchUpdate(uint64_t idx, const std::vector<CoordinateEntry>& updates) {
  std::unique_lock lock(mu_);
  last_index_ = std::max(last_index_, idx);
  std::vector<std::string> touched;
  for (const auto& u : updates) {
    // Bad data from an old client is skipped, and so are nodes not (yet) in the catalog: their
    // coordinates are cleaned up with the node, and the next update fixes it (as Consul does).
    if (!u.coord.IsValid() || !nodes_.count(u.node)) continue;
    coordinates_[{u.node, u.segment}] = u.coord;
    touched.push_back(NodeCoordinatesKey(u.node));
  }
  coordinates_index_ = idx;
  touched.push_back(std::string(kCoordinatesTable));
  FinishCatalogWrite(lock, touched);
}

void StateStore::DeleteCoordinatesInTxn(uint64_t idx, const std::string& node,
                                        std::vector<std::string>* touched) {
  auto it = coordinates_.lower_bound({node, std::string()});
  if (it == coordinates_.end() || it->first.first != node) return;
  while (it != coordinates_.end() && it->first.first == node) it = coordinates_.erase(it);
  coordinates_index_ = idx;
  touched->push_back(NodeCoordinatesKey(node));
  touched->push_back(std::string(kCoordinatesTable));
}

}  // namespace consulate::state
