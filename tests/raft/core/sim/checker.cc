#include "sim/checker.h"

namespace consulate::raft::core::sim {

namespace {

std::string S(uint64_t v) { return std::to_string(v); }

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

uint64_t EntryHash(const LogEntry& e) {
  return Mix(HashBytes(e.data), static_cast<uint64_t>(e.type));
}

}  // namespace

uint64_t HashBytes(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t ChainHash(uint64_t previous, const LogEntry& entry) {
  return Mix(Mix(Mix(previous, entry.index), entry.term), EntryHash(entry));
}

void Checker::OnLeader(const Raft& raft) {
  const TermId term = raft.term();
  auto [it, inserted] = leaders_.emplace(term, raft.id());
  if (!inserted && it->second != raft.id()) {
    Fail("election safety: nodes " + ToString(it->second) + " and " + ToString(raft.id()) +
         " both lead term " + S(term));
    return;
  }
  if (!completeness_checked_.insert({raft.id().value(), term}).second) return;
  // Every entry committed by a leader of an earlier term must be in this leader's log.
  LogIndex bound = 0;
  for (const auto& [commit, commit_term] : commit_steps_) {
    if (commit_term < term) bound = std::max(bound, commit);
  }
  CheckHoldsCommitted(raft, bound, "leader completeness");
}

void Checker::CheckHoldsCommitted(const Raft& raft, LogIndex through, const std::string& what) {
  const RaftLog& log = raft.log();
  const LogIndex compacted_through = log.FirstIndex() - 1;  // covered by its snapshot
  for (auto it = committed_.upper_bound(compacted_through);
       it != committed_.end() && it->first <= through; ++it) {
    const LogIndex index = it->first;
    auto term_at = log.Term(index);
    if (!term_at.ok() || *term_at != it->second.term) {
      Fail(what + ": " + RoleName(raft.role()) + " " + ToString(raft.id()) + " of term " +
           S(raft.term()) + " lacks committed entry " + S(index) + "@" + S(it->second.term) +
           " (has term " + (term_at.ok() ? S(*term_at) : term_at.status().ToString()) + ")");
      return;
    }
  }
}

void Checker::OnPersistedEntries(NodeId node, const std::vector<LogEntry>& entries,
                                 std::optional<TermId> prev_term) {
  for (const LogEntry& e : entries) {
    if (prev_term && *prev_term > e.term) {
      Fail("log of node " + ToString(node) + " has decreasing terms at index " + S(e.index));
      return;
    }
    const uint64_t h = EntryHash(e);
    auto [it, inserted] = seen_.try_emplace({e.index, e.term}, Seen{h, prev_term});
    if (!inserted) {
      if (it->second.hash != h) {
        Fail("log matching: node " + ToString(node) + " holds a different entry at " + S(e.index) +
             "@" + S(e.term));
        return;
      }
      if (prev_term && it->second.prev_term && *prev_term != *it->second.prev_term) {
        Fail("log matching: node " + ToString(node) + " has term " + S(*prev_term) + " before " +
             S(e.index) + "@" + S(e.term) + ", another node has " + S(*it->second.prev_term));
        return;
      }
      if (!it->second.prev_term) it->second.prev_term = prev_term;
    }
    prev_term = e.term;
  }
}

void Checker::OnLeaderCommit(TermId term, LogIndex commit_index) {
  if (commit_index <= max_commit_) return;
  commit_steps_.emplace_back(commit_index, term);
  max_commit_ = commit_index;
}

void Checker::OnApply(NodeId node, const LogEntry& entry, uint64_t hash) {
  const Digest digest{entry.term, EntryHash(entry)};
  auto [it, inserted] = committed_.try_emplace(entry.index, digest);
  if (!inserted && (it->second.term != digest.term || it->second.hash != digest.hash)) {
    Fail("state machine safety: node " + ToString(node) + " applied " + S(entry.index) + "@" +
         S(entry.term) + " but another node applied " + S(entry.index) + "@" + S(it->second.term));
    return;
  }
  auto [cit, cinserted] = chain_.try_emplace(entry.index, hash);
  if (!cinserted && cit->second != hash) {
    Fail("state machine safety: node " + ToString(node) + " has a different state after " +
         S(entry.index));
  }
}

void Checker::OnSnapshotRestore(NodeId node, LogIndex index, uint64_t hash) {
  auto it = chain_.find(index);
  if (it == chain_.end()) {
    Fail("node " + ToString(node) + " restored a snapshot at " + S(index) +
         " that no node produced by applying");
  } else if (it->second != hash) {
    Fail("state machine safety: node " + ToString(node) + " restored a snapshot at " + S(index) +
         " whose state differs from the applied log");
  }
}

void Checker::OnReadState(NodeId node, const ReadState& state) {
  auto it = read_floor_.find(state.context);
  if (it == read_floor_.end()) {
    Fail("node " + ToString(node) + " got a read state for unknown context " + state.context);
    return;
  }
  ++reads_checked_;
  if (state.index < it->second) {
    Fail("stale read: node " + ToString(node) + " got read index " + S(state.index) + " for " +
         state.context + " but " + S(it->second) + " was committed before the request");
  }
}

std::optional<uint64_t> Checker::ChainAt(LogIndex index) const {
  auto it = chain_.find(index);
  if (it == chain_.end()) return std::nullopt;
  return it->second;
}

}  // namespace consulate::raft::core::sim
