#include "raft/core/configuration.h"

#include <algorithm>

#include "base/coding.h"

namespace consulate::raft::core {

namespace {

bool SortedContains(const std::vector<NodeId>& ids, NodeId id) {
  return std::binary_search(ids.begin(), ids.end(), id);
}

void Insert(std::vector<NodeId>* ids, NodeId id) {
  auto it = std::lower_bound(ids->begin(), ids->end(), id);
  if (it == ids->end() || *it != id) ids->insert(it, id);
}

void Erase(std::vector<NodeId>* ids, NodeId id) {
  auto it = std::lower_bound(ids->begin(), ids->end(), id);
  if (it != ids->end() && *it == id) ids->erase(it);
}

void PutIds(std::string* dst, const std::vector<NodeId>& ids) {
  PutVarint64(dst, ids.size());
  for (NodeId id : ids) PutVarint64(dst, id.value());
}

// Reads a strictly ascending list of non-zero IDs.
bool GetIds(std::string_view* input, std::vector<NodeId>* ids) {
  uint64_t count = 0;
  if (!GetVarint64(input, &count) || count > input->size()) return false;  // >= 1 byte per ID
  ids->clear();
  ids->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t v = 0;
    if (!GetVarint64(input, &v) || v == 0) return false;
    if (!ids->empty() && ids->back().value() >= v) return false;
    ids->push_back(NodeId(v));
  }
  return true;
}

std::string IdsToString(const std::vector<NodeId>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ' ';
    out += core::ToString(ids[i]);
  }
  return out + "]";
}

}  // namespace

bool Configuration::IsVoter(NodeId id) const { return SortedContains(voters, id); }
bool Configuration::IsLearner(NodeId id) const { return SortedContains(learners, id); }

Status Configuration::Normalize() {
  for (auto* ids : {&voters, &learners}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
    if (!ids->empty() && ids->front().IsNone()) {
      return Status::InvalidArgument("configuration names node 0");
    }
  }
  for (NodeId id : learners) {
    if (IsVoter(id))
      return Status::InvalidArgument("node " + core::ToString(id) + " is both voter and learner");
  }
  return Status::OK();
}

std::string Configuration::ToString() const {
  return "voters=" + IdsToString(voters) + " learners=" + IdsToString(learners);
}

Result<Configuration> ApplyConfChange(const Configuration& current, const ConfChange& change) {
  if (change.node.IsNone()) return Status::InvalidArgument("configuration change names node 0");
  Configuration next = current;
  const std::string who = "node " + ToString(change.node);
  switch (change.kind) {
    case ConfChange::Kind::kAddVoter:
      if (current.IsVoter(change.node)) return Status::InvalidArgument(who + " is already a voter");
      Erase(&next.learners, change.node);
      Insert(&next.voters, change.node);
      break;
    case ConfChange::Kind::kAddLearner:
      if (current.IsLearner(change.node))
        return Status::InvalidArgument(who + " is already a learner");
      Erase(&next.voters, change.node);
      Insert(&next.learners, change.node);
      break;
    case ConfChange::Kind::kRemoveNode:
      if (!current.Contains(change.node)) return Status::InvalidArgument(who + " is not a member");
      Erase(&next.voters, change.node);
      Erase(&next.learners, change.node);
      break;
    default:
      return Status::InvalidArgument("unknown configuration change kind");
  }
  if (next.voters.empty()) return Status::InvalidArgument("the change would leave no voter");
  return next;
}

void PutConfiguration(std::string* dst, const Configuration& configuration) {
  PutIds(dst, configuration.voters);
  PutIds(dst, configuration.learners);
}

bool GetConfiguration(std::string_view* input, Configuration* out) {
  if (!GetIds(input, &out->voters) || !GetIds(input, &out->learners)) return false;
  for (NodeId id : out->learners) {
    if (out->IsVoter(id)) return false;
  }
  return true;
}

std::string EncodeConfiguration(const Configuration& configuration) {
  std::string out;
  PutConfiguration(&out, configuration);
  return out;
}

Status DecodeConfiguration(std::string_view input, Configuration* out) {
  Configuration parsed;
  if (!GetConfiguration(&input, &parsed) || !input.empty()) {
    return Status::Corruption("bad configuration encoding");
  }
  *out = std::move(parsed);
  return Status::OK();
}

void ConfigurationHistory::Reset(LogIndex index, Configuration configuration) {
  entries_.clear();
  entries_.emplace_back(index, std::move(configuration));
  ++version_;
}

Status ConfigurationHistory::Append(const LogEntry& entry) {
  if (entry.type != EntryType::kConfiguration) return Status::OK();
  Configuration configuration;
  CONSULATE_RETURN_IF_ERROR(DecodeConfiguration(entry.data, &configuration));
  entries_.emplace_back(entry.index, std::move(configuration));
  ++version_;
  return Status::OK();
}

void ConfigurationHistory::Truncate(LogIndex first_removed) {
  // The base entry (snapshot) is never removed: truncation stays above the commit index.
  while (entries_.size() > 1 && entries_.back().first >= first_removed) {
    entries_.pop_back();
    ++version_;
  }
}

void ConfigurationHistory::Compact(LogIndex committed) {
  size_t keep_from = 0;
  for (size_t i = 0; i < entries_.size() && entries_[i].first <= committed; ++i) keep_from = i;
  if (keep_from > 0) entries_.erase(entries_.begin(), entries_.begin() + keep_from);
}

}  // namespace consulate::raft::core
