// Cluster membership: who votes (voters), who only replicates (learners, a.k.a. non-voters), how
// one change is applied, and how the configuration follows the log.
//
// Membership changes are one server at a time (Raft thesis §4.1): any majority of the old voter
// set overlaps any majority of the new one, so no joint consensus is needed. A configuration entry
// (EntryType::kConfiguration) carries the *whole* new configuration, and a server uses the latest
// configuration in its log whether or not it is committed ("a configuration takes effect when
// appended"). If that entry is later truncated away the server falls back to the previous one.
// ConfigurationHistory tracks exactly that.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "raft/core/types.h"

namespace consulate::raft::core {

struct Configuration {
  std::vector<NodeId> voters;    // sorted, unique, never kNoNode
  std::vector<NodeId> learners;  // sorted, unique, disjoint from voters

  bool IsVoter(NodeId id) const;
  bool IsLearner(NodeId id) const;
  bool Contains(NodeId id) const { return IsVoter(id) || IsLearner(id); }
  bool IsEmpty() const { return voters.empty() && learners.empty(); }
  // Sorts, deduplicates and validates (InvalidArgument: kNoNode, or a node in both lists).
  Status Normalize();
  std::string ToString() const;  // "voters=[1 2 3] learners=[4]"
  friend bool operator==(const Configuration&, const Configuration&) = default;
};

// One membership change, proposed through RawNode::ProposeConfChange.
struct ConfChange {
  enum class Kind : uint8_t {
    kAddVoter = 0,    // add a new voter, or promote a learner
    kAddLearner = 1,  // add a new learner, or demote a voter
    kRemoveNode = 2,  // remove a voter or a learner
  };
  Kind kind = Kind::kAddVoter;
  NodeId node;
  friend bool operator==(const ConfChange&, const ConfChange&) = default;
};

// The configuration after `change`. InvalidArgument if the change is a no-op (adding an existing
// voter, removing a stranger), names kNoNode, or would leave no voter. Each valid change adds or
// removes at most one voter, which is what makes one-at-a-time changes safe.
Result<Configuration> ApplyConfChange(const Configuration& current, const ConfChange& change);

// The payload of a kConfiguration entry and of snapshot metadata:
//   varint count of voters | voters (varint64 each) | varint count of learners | learners
// Decoding never crashes: Corruption on truncation, trailing bytes, kNoNode, or lists that are not
// sorted, unique and disjoint.
std::string EncodeConfiguration(const Configuration& configuration);
Status DecodeConfiguration(std::string_view input, Configuration* out);
// Appends / consumes the same encoding inside a larger message.
void PutConfiguration(std::string* dst, const Configuration& configuration);
bool GetConfiguration(std::string_view* input, Configuration* out);

// The configurations found in a log: the base one (from the snapshot, or the bootstrap
// configuration) at base_index, plus one per configuration entry after it. The latest is in force.
class ConfigurationHistory {
 public:
  // Forgets everything: `configuration` is in force as of `index` (a snapshot's index, or 0).
  void Reset(LogIndex index, Configuration configuration);
  // Records a configuration entry appended at entry.index. Corruption if its payload does not
  // decode; nothing changes then. REQUIRES: entry.index > LatestIndex().
  Status Append(const LogEntry& entry);
  // The log lost every entry from first_removed on: their configurations are forgotten.
  void Truncate(LogIndex first_removed);
  // Entries up to committed can never be truncated: drop configurations older than the newest
  // one at or before committed (they can no longer come back into force).
  void Compact(LogIndex committed);

  const Configuration& Latest() const { return entries_.back().second; }
  LogIndex LatestIndex() const { return entries_.back().first; }
  // The configuration the latest one replaced, if the log still holds it; nullptr otherwise.
  const Configuration* Previous() const {
    return entries_.size() >= 2 ? &entries_[entries_.size() - 2].second : nullptr;
  }
  // Bumped on every change of Latest(); lets the core notice a change cheaply.
  uint64_t version() const { return version_; }

 private:
  // (index, configuration), ascending by index; never empty.
  std::vector<std::pair<LogIndex, Configuration>> entries_ = {{0, Configuration{}}};
  uint64_t version_ = 0;
};

}  // namespace consulate::raft::core
