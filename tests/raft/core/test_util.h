// Helpers for the Raft core unit tests: building Raft instances over MemoryStorage, making
// messages, and Cluster, a synchronous in-memory network of RawNodes that follows the Ready
// contract exactly (persist, then send, then apply, then Advance).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "raft/core/memory_storage.h"
#include "raft/core/message.h"
#include "raft/core/raft.h"
#include "raft/core/raw_node.h"

namespace consulate::raft {
// Readable gtest output for log entries.
inline void PrintTo(const LogEntry& e, std::ostream* os) {
  *os << e.index << "@" << e.term << "/" << static_cast<int>(e.type) << ":" << e.data;
}
}  // namespace consulate::raft

namespace consulate::raft::core::testing {

inline NodeId N(uint64_t id) { return NodeId(id); }

inline Configuration Voters(std::initializer_list<uint64_t> ids,
                            std::initializer_list<uint64_t> learners = {}) {
  Configuration c;
  for (uint64_t id : ids) c.voters.push_back(NodeId(id));
  for (uint64_t id : learners) c.learners.push_back(NodeId(id));
  EXPECT_TRUE(c.Normalize().ok());
  return c;
}

// Options for paper-style tests: the plain algorithm of the paper (no pre-vote, no
// check-quorum) unless a test turns them on.
inline RaftOptions PaperOptions(uint64_t id, int election_ticks = 10, int heartbeat_ticks = 1) {
  RaftOptions o;
  o.id = NodeId(id);
  o.election_ticks = election_ticks;
  o.heartbeat_ticks = heartbeat_ticks;
  o.random_seed = 42;
  o.pre_vote = false;
  o.check_quorum = false;
  return o;
}

inline LogEntry Entry(LogIndex index, TermId term, std::string data = "",
                      EntryType type = EntryType::kCommand) {
  return LogEntry{index, term, type, std::move(data)};
}

inline std::unique_ptr<Raft> NewRaft(const RaftOptions& options, const Storage* storage) {
  auto r = Raft::Create(options, storage);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

inline Message Msg(uint64_t from, uint64_t to, TermId term, MessageBody body) {
  return Message{NodeId(from), NodeId(to), term, std::move(body)};
}

// Messages of type T among msgs.
template <typename T>
std::vector<std::pair<Message, T>> Filter(const std::vector<Message>& msgs) {
  std::vector<std::pair<Message, T>> out;
  for (const Message& m : msgs) {
    if (const T* body = std::get_if<T>(&m.body)) out.emplace_back(m, *body);
  }
  return out;
}

// The entries [lo, last] of a Raft's log view.
inline std::vector<LogEntry> LogEntries(const Raft& r, LogIndex lo = 1) {
  std::vector<LogEntry> out;
  Status s = r.log().Entries(lo, UINT64_MAX, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// A Raft together with the storage it reads (which must outlive it).
struct TestRaft {
  std::unique_ptr<MemoryStorage> storage;
  std::unique_ptr<Raft> raft;
  Raft* operator->() { return raft.get(); }
  Raft& operator*() { return *raft; }
};

// A Raft whose storage already holds `entries` (from index 1) and `hard_state`.
inline TestRaft MakeRaft(const RaftOptions& options, Configuration configuration,
                         std::vector<LogEntry> entries = {}, HardState hard_state = {}) {
  TestRaft t;
  t.storage = std::make_unique<MemoryStorage>(std::move(configuration));
  EXPECT_TRUE(t.storage->Append(entries).ok());
  t.storage->SetHardState(hard_state);
  t.raft = NewRaft(options, t.storage.get());
  return t;
}

// Entries of the given terms, at indices 1, 2, ...
inline std::vector<LogEntry> EntriesWithTerms(std::initializer_list<TermId> terms) {
  std::vector<LogEntry> out;
  LogIndex i = 0;
  for (TermId t : terms) {
    ++i;
    out.push_back(Entry(i, t, "e" + std::to_string(i)));
  }
  return out;
}

// Delivers messages among Rafts (no persistence needed: the log view includes unstable
// entries) until none is left; messages for nodes not in `nodes`, or for which drop() is true,
// are lost.
inline void DeliverAll(const std::map<uint64_t, Raft*>& nodes,
                       const std::function<bool(const Message&)>& drop = {}) {
  for (int round = 0; round < 10000; ++round) {
    std::vector<Message> msgs;
    for (auto& [id, r] : nodes) {
      for (Message& m : r->TakeMessages()) msgs.push_back(std::move(m));
    }
    if (msgs.empty()) return;
    for (const Message& m : msgs) {
      auto it = nodes.find(m.to.value());
      if (it == nodes.end() || (drop && drop(m))) continue;
      Status s = it->second->Step(m);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }
  ADD_FAILURE() << "messages kept flowing";
}

// Makes a Raft a leader of a fresh term by granting it all votes (synchronously, no network).
inline void ElectLeader(Raft* r) {
  ASSERT_TRUE(r->Campaign().ok());
  for (NodeId voter : r->configuration().voters) {
    if (voter == r->id() || r->role() == Role::kLeader) continue;
    if (r->role() == Role::kPreCandidate) {
      ASSERT_TRUE(r->Step(Message{voter, r->id(), r->term() + 1, PreVoteResponse{true}}).ok());
    }
    if (r->role() == Role::kCandidate) {
      ASSERT_TRUE(r->Step(Message{voter, r->id(), r->term(), VoteResponse{true}}).ok());
    }
  }
  ASSERT_EQ(r->role(), Role::kLeader);
  r->TakeMessages();
}

// A synchronous network of RawNodes over MemoryStorage. Messages are queued and delivered by
// Stabilize() (or one at a time by DeliverOne) unless a filter drops them.
class Cluster {
 public:
  using Tweak = std::function<void(RaftOptions*)>;

  // Founding voters `ids`, all bootstrapped with the same configuration.
  explicit Cluster(std::vector<uint64_t> ids, Tweak tweak = {}) : tweak_(std::move(tweak)) {
    Configuration c;
    for (uint64_t id : ids) c.voters.push_back(NodeId(id));
    for (uint64_t id : ids) AddNode(id, c);
  }
  // Every member (voter or learner) of `configuration` bootstrapped with it.
  explicit Cluster(const Configuration& configuration, Tweak tweak = {})
      : tweak_(std::move(tweak)) {
    for (NodeId id : configuration.voters) AddNode(id.value(), configuration);
    for (NodeId id : configuration.learners) AddNode(id.value(), configuration);
  }

  // Starts a node with `bootstrap` as its base configuration (empty: a joining server).
  void AddNode(uint64_t id, Configuration bootstrap = {}) {
    auto& n = nodes_[id];
    n.storage = std::make_unique<MemoryStorage>(std::move(bootstrap));
    Start(id);
  }

  // Recreates the node from its storage (everything handed out in Readies was persisted),
  // forgetting its volatile state, as after a crash at a Ready boundary.
  void Restart(uint64_t id) { Start(id); }

  RawNode& node(uint64_t id) { return *nodes_.at(id).node; }
  const Raft& raft(uint64_t id) { return nodes_.at(id).node->raft(); }
  MemoryStorage& storage(uint64_t id) { return *nodes_.at(id).storage; }
  const std::vector<LogEntry>& applied(uint64_t id) { return nodes_.at(id).applied; }
  LogIndex applied_snapshot(uint64_t id) { return nodes_.at(id).applied_snapshot; }
  const std::vector<ReadState>& read_states(uint64_t id) { return nodes_.at(id).read_states; }
  const std::vector<Message>& sent() const { return sent_; }
  void ClearSent() { sent_.clear(); }

  // Commands applied by a node, in order.
  std::vector<std::string> AppliedCommands(uint64_t id) {
    std::vector<std::string> out;
    for (const LogEntry& e : applied(id)) {
      if (e.type == EntryType::kCommand) out.push_back(e.data);
    }
    return out;
  }

  // Network faults.
  void Isolate(uint64_t id) { isolated_.insert(id); }
  void Cut(uint64_t a, uint64_t b) {
    cut_.insert({a, b});
    cut_.insert({b, a});
  }
  void Heal() {
    isolated_.clear();
    cut_.clear();
    drop_ = {};
  }
  // Drops every message for which pred returns true.
  void DropIf(std::function<bool(const Message&)> pred) { drop_ = std::move(pred); }

  void Tick(uint64_t id, int n = 1) {
    for (int i = 0; i < n; ++i) node(id).Tick();
  }
  void TickAll(int n = 1) {
    for (int i = 0; i < n; ++i) {
      for (auto& [id, node] : nodes_) node.node->Tick();
    }
  }

  // Handles every node's Ready, collecting their messages.
  void ProcessReadies() {
    for (auto& [id, n] : nodes_) HandleReady(id);
  }

  // Delivers the oldest queued message (after the drop filters). Returns false if none.
  bool DeliverOne() {
    while (!queue_.empty()) {
      Message m = std::move(queue_.front());
      queue_.pop_front();
      if (Dropped(m)) continue;
      auto it = nodes_.find(m.to.value());
      if (it == nodes_.end()) continue;
      Status s = it->second.node->Step(m);
      EXPECT_TRUE(s.ok()) << s.ToString() << " for " << DescribeMessage(m);
      return true;
    }
    return false;
  }

  // Readies and messages until nothing moves.
  void Stabilize() {
    for (int rounds = 0; rounds < 100000; ++rounds) {
      ProcessReadies();
      if (!DeliverOne()) {
        ProcessReadies();
        if (queue_.empty()) return;
      }
    }
    ADD_FAILURE() << "cluster did not stabilize";
  }

  void Campaign(uint64_t id) {
    ASSERT_TRUE(node(id).Campaign().ok());
    Stabilize();
  }

  // Ticks every node until one becomes leader (at most max_ticks); returns its id or 0.
  uint64_t ElectAny(int max_ticks = 1000) {
    for (int t = 0; t < max_ticks; ++t) {
      if (uint64_t l = Leader()) return l;
      TickAll();
      Stabilize();
    }
    return Leader();
  }

  // The leader of the highest term, or 0.
  uint64_t Leader() {
    uint64_t best = 0;
    TermId best_term = 0;
    for (auto& [id, n] : nodes_) {
      if (n.node->role() == Role::kLeader && n.node->term() >= best_term) {
        best = id;
        best_term = n.node->term();
      }
    }
    return best;
  }

  Result<LogIndex> Propose(uint64_t id, std::string data) {
    auto r = node(id).Propose(std::move(data));
    Stabilize();
    return r;
  }

  // Snapshots node `id` at its applied index and compacts its log through that index.
  void CompactLog(uint64_t id) {
    auto& n = nodes_.at(id);
    const LogIndex index = n.node->raft().log().applied();
    ASSERT_TRUE(n.storage
                    ->CreateSnapshot(index, n.node->raft().configuration(),
                                     "state@" + std::to_string(index))
                    .ok());
    ASSERT_TRUE(n.storage->Compact(index).ok());
  }

  std::vector<uint64_t> ids() const {
    std::vector<uint64_t> out;
    for (auto& [id, n] : nodes_) out.push_back(id);
    return out;
  }

 private:
  struct Node {
    std::unique_ptr<MemoryStorage> storage;
    std::unique_ptr<RawNode> node;
    std::vector<LogEntry> applied;
    LogIndex applied_snapshot = 0;
    std::vector<ReadState> read_states;
  };

  void Start(uint64_t id) {
    auto& n = nodes_.at(id);
    RaftOptions o = PaperOptions(id);
    o.pre_vote = true;
    o.check_quorum = true;
    o.random_seed = 7;
    if (tweak_) tweak_(&o);
    o.applied = n.storage->snapshot().metadata.index;
    n.applied.clear();
    auto r = RawNode::Create(o, n.storage.get());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    n.node = std::move(r).value();
  }

  void HandleReady(uint64_t id) {
    auto& n = nodes_.at(id);
    while (n.node->HasReady()) {
      Ready rd = n.node->GetReady();
      if (rd.snapshot) {
        ASSERT_TRUE(n.storage->ApplySnapshot(*rd.snapshot).ok());
      }
      ASSERT_TRUE(n.storage->Append(rd.entries).ok());
      if (rd.hard_state) n.storage->SetHardState(*rd.hard_state);
      for (Message& m : rd.messages) {
        sent_.push_back(m);
        queue_.push_back(std::move(m));
      }
      if (rd.snapshot) {
        n.applied_snapshot = rd.snapshot->metadata.index;
        n.applied.clear();
      }
      for (LogEntry& e : rd.committed_entries) n.applied.push_back(std::move(e));
      for (ReadState& rs : rd.read_states) n.read_states.push_back(std::move(rs));
      n.node->Advance();
    }
  }

  bool Dropped(const Message& m) const {
    if (isolated_.count(m.from.value()) || isolated_.count(m.to.value())) return true;
    if (cut_.count({m.from.value(), m.to.value()})) return true;
    return drop_ && drop_(m);
  }

  Tweak tweak_;
  std::map<uint64_t, Node> nodes_;
  std::deque<Message> queue_;
  std::vector<Message> sent_;
  std::set<uint64_t> isolated_;
  std::set<std::pair<uint64_t, uint64_t>> cut_;
  std::function<bool(const Message&)> drop_;
};

}  // namespace consulate::raft::core::testing
