// Network coordinates (Consul's state/coordinate.go and lib/rtt.go): the Vivaldi coordinate each
// agent reports for its node, one per network segment, and the distance estimate between two of
// them that `?near=` sorting and `consul rtt` use. The maths is serf's coordinate package.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace consulate::state {

// serf's coordinate.Coordinate: a position in `vec` (seconds), a height above it, an adjustment
// term, and the error estimate. Consul's JSON: {"Vec": [...], "Error", "Adjustment", "Height"}.
struct Coordinate {
  std::vector<double> vec;
  double error = 0;
  double adjustment = 0;
  double height = 0;

  bool operator==(const Coordinate&) const = default;
  // Every component is a finite number (serf's IsValid).
  bool IsValid() const;
  // Same dimensionality (serf's IsCompatibleWith).
  bool IsCompatibleWith(const Coordinate& other) const { return vec.size() == other.vec.size(); }
};

// serf's NewCoordinate(DefaultConfig()): the origin in 8 dimensions, error 1.5, height 10us.
Coordinate NewCoordinate();

// One row of the coordinates table (structs.Coordinate): a node's coordinate in one segment.
struct CoordinateEntry {
  std::string node;
  std::string segment;  // "" is the default segment
  Coordinate coord;
  bool operator==(const CoordinateEntry&) const = default;
};

// A node's coordinates by segment (lib.CoordinateSet).
using CoordinateSet = std::map<std::string, Coordinate, std::less<>>;

// The estimated round trip time between `a` and `b` in seconds (lib.ComputeDistance over serf's
// DistanceTo): the Euclidean distance of the vectors plus both heights, plus both adjustments when
// that sum stays positive; truncated to whole nanoseconds as Go's time.Duration does. Positive
// infinity when either is null or they are incompatible.
double ComputeDistance(const Coordinate* a, const Coordinate* b);

// lib.CoordinateSet.Intersect: the pair of coordinates to compare two nodes with. The default
// segment, unless one side has exactly one segment (a client), which then decides. Either may be
// null when that segment is missing.
std::pair<const Coordinate*, const Coordinate*> Intersect(const CoordinateSet& a,
                                                          const CoordinateSet& b);

// Binary encodings shared by snapshots and the FSM's coordinate batch command.
void EncodeCoordinateEntry(std::string* out, const CoordinateEntry& e);
bool DecodeCoordinateEntry(std::string_view* in, CoordinateEntry* e);

}  // namespace consulate::state
