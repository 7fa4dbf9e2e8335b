// Vocabulary of the pure Raft core (src/raft/core): node IDs, the hard state the caller must
// persist, the volatile soft state, read states and the deterministic PRNG.
//
// The core follows etcd's raft package in shape (see docs STYLE.md section 1): it is a state
// machine driven only by messages, ticks and proposals, and it hands everything to persist, send
// and apply back to the caller in a Ready (raw_node.h). It does no I/O, reads no clock, starts no
// thread and never throws.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

#include "raft/log_entry.h"

namespace consulate::raft::core {

// A server's identity inside the core. 0 means "none" (no vote, no leader). The driver maps
// Consul's string server IDs to these numbers.
class NodeId {
 public:
  constexpr NodeId() = default;
  constexpr explicit NodeId(uint64_t value) : value_(value) {}
  constexpr uint64_t value() const { return value_; }
  constexpr bool IsNone() const { return value_ == 0; }
  friend constexpr auto operator<=>(NodeId, NodeId) = default;

 private:
  uint64_t value_ = 0;
};
inline constexpr NodeId kNoNode{};

inline std::string ToString(NodeId id) { return std::to_string(id.value()); }

// What must be durable before the Ready that carries it is acted on. Raft (§5.1, Figure 2)
// requires term and vote to survive crashes; commit_index may be lost (it is recomputed from the
// cluster), which is why Ready::must_sync ignores it.
struct HardState {
  TermId term = 0;
  NodeId vote;  // candidate voted for in `term`; kNoNode: none
  LogIndex commit_index = 0;

  bool IsEmpty() const { return term == 0 && vote.IsNone() && commit_index == 0; }
  friend bool operator==(const HardState&, const HardState&) = default;
};

enum class Role : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };
const char* RoleName(Role role);

// Volatile state, reported for information (metrics, redirecting clients); never persisted.
struct SoftState {
  NodeId leader;
  Role role = Role::kFollower;
  friend bool operator==(const SoftState&, const SoftState&) = default;
};

// The answer to a ReadIndex(context) request: once the caller's state machine has applied `index`,
// a read served from it is linearizable with respect to every write committed before the
// request was made.
struct ReadState {
  LogIndex index = 0;
  std::string context;
  friend bool operator==(const ReadState&, const ReadState&) = default;
};

// SplitMix64: tiny, fast and fully specified, so a seed gives the same sequence with every
// compiler and standard library (std::uniform_int_distribution is not specified that way).
class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). REQUIRES: n > 0. (The modulo bias is irrelevant for n far below 2^64.)
  uint64_t Uniform(uint64_t n) { return Next() % n; }
  // True with probability p.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

}  // namespace consulate::raft::core

template <>
struct std::hash<consulate::raft::core::NodeId> {
  size_t operator()(consulate::raft::core::NodeId id) const noexcept {
    return std::hash<uint64_t>()(id.value());
  }
};
