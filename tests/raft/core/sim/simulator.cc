#include "sim/simulator.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <utility>

#include "raft/core/message_codec.h"
#include "sim/node.h"

namespace consulate::raft::core::sim {

namespace {

std::string S(uint64_t v) { return std::to_string(v); }

constexpr size_t kTraceLines = 400;

// Snapshot data: "S<index>:<hash>:" then padding, so that transfers need several chunks.
std::string EncodeState(LogIndex index, uint64_t hash, uint64_t padding) {
  return "S" + S(index) + ":" + S(hash) + ":" + std::string(padding, 'x');
}

bool DecodeState(const std::string& data, LogIndex* index, uint64_t* hash) {
  unsigned long long i = 0;
  unsigned long long h = 0;
  if (std::sscanf(data.c_str(), "S%llu:%llu:", &i, &h) != 2) return false;
  *index = i;
  *hash = h;
  return true;
}

}  // namespace

Simulator::Simulator(const SimOptions& options) : options_(options), prng_(options.seed) {
  for (int i = 1; i <= options_.voters; ++i) bootstrap_.voters.push_back(NodeId(i));
  committed_configuration_ = bootstrap_;
  if (options_.chaos) {
    // Every seed draws its own environment.
    options_.drop_rate = prng_.Chance(0.2) ? 0.0 : static_cast<double>(prng_.Uniform(100)) / 1000;
    options_.duplicate_rate = static_cast<double>(prng_.Uniform(50)) / 1000;
    options_.min_delay_ms = 1;
    options_.max_delay_ms = 2 + prng_.Uniform(30);
    options_.compact_threshold = prng_.Chance(0.25) ? 0 : 10 + prng_.Uniform(60);
    options_.snapshot_padding = prng_.Uniform(3000);
    options_.snapshot_chunk_bytes = 128 + prng_.Uniform(1024);
    options_.max_inflight_messages = 1 + prng_.Uniform(8);
    // 1 byte: one command per AppendEntries, so entries of old terms travel apart from the new
    // leader's no-op (the Figure 8 setting).
    options_.max_append_bytes = prng_.Chance(0.3) ? 1 : 16 + prng_.Uniform(512);
    options_.election_ticks = 5 + static_cast<int>(prng_.Uniform(10));
    options_.heartbeat_ticks = 1 + static_cast<int>(prng_.Uniform(3));
    // Sometimes messages take as long as an election timeout: split votes and stale leaders.
    if (prng_.Chance(0.2)) {
      options_.max_delay_ms = options_.tick_ms * static_cast<uint64_t>(options_.election_ticks);
    }
    chaos_weights_ = {
        30 + prng_.Uniform(40),  // kPropose
        5 + prng_.Uniform(15),   // kRead
        prng_.Uniform(10),       // kCrash
        prng_.Uniform(8),        // kCrashMidReady
        prng_.Uniform(8),        // kPartition
        2 + prng_.Uniform(8),    // kHeal
        prng_.Uniform(8),        // kMembership
        prng_.Uniform(8),        // kTransfer
        prng_.Uniform(4),        // kCompact
    };
  }
  for (int i = 1; i <= options_.voters + options_.spares; ++i) {
    auto n = std::make_unique<Node>();
    n->id = i;
    if (i <= options_.voters) n->bootstrap = bootstrap_;
    nodes_.emplace(i, std::move(n));
  }
  for (int i = 1; i <= options_.voters; ++i) {
    ever_member_.insert(i);
    Boot(N(i));
  }
}

Simulator::~Simulator() = default;

Simulator::Node& Simulator::N(uint64_t id) { return *nodes_.at(id); }
const Simulator::Node& Simulator::N(uint64_t id) const { return *nodes_.at(id); }

void Simulator::Log(const std::string& line) {
  std::string full = "[" + S(now_) + "ms] " + line;
  if (options_.verbose) std::fprintf(stderr, "%s\n", full.c_str());
  trace_.push_back(std::move(full));
  if (trace_.size() > kTraceLines) trace_.pop_front();
}

std::string Simulator::Trace() const {
  std::string out;
  for (const std::string& line : trace_) out += line + "\n";
  return out;
}

RaftOptions Simulator::OptionsFor(uint64_t id) const {
  RaftOptions o;
  o.id = NodeId(id);
  o.election_ticks = options_.election_ticks;
  o.heartbeat_ticks = options_.heartbeat_ticks;
  o.random_seed = options_.seed * 1000003 + id * 7919 + N(id).incarnation;
  o.pre_vote = options_.pre_vote;
  o.check_quorum = options_.check_quorum;
  o.max_append_bytes = options_.max_append_bytes;
  o.max_inflight_messages = options_.max_inflight_messages;
  o.snapshot_chunk_bytes = options_.snapshot_chunk_bytes;
  o.async_log_writes = options_.async_leader_writes;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Node lifecycle

void Simulator::Boot(Node& n) {
  ++n.incarnation;
  n.storage = std::make_unique<MemoryStorage>(n.bootstrap);
  n.applied = 0;
  n.hash = 0;
  n.fsm_configuration = n.bootstrap;
  n.commands.clear();
  if (!n.disk_snapshot.IsEmpty()) {
    Status s = n.storage->ApplySnapshot(n.disk_snapshot);
    if (!s.ok()) checker_.Fail("node " + S(n.id) + " restart: " + s.ToString());
    RestoreSnapshot(n, n.disk_snapshot);
  }
  Status s = n.storage->Append(n.disk_entries);
  if (!s.ok()) checker_.Fail("node " + S(n.id) + " restart: " + s.ToString());
  // As DiskStorage::Recover: a commit index past the surviving log is cut back to it. A leader
  // syncing in the background may learn (and store with a new term) a commit index beyond what
  // its own disk holds yet, since two followers can commit without it; the entries are
  // committed, so the node learns them again from the cluster.
  HardState hs = n.hard_state_synced;
  if (hs.commit_index > n.storage->LastIndex()) {
    Log("node " + S(n.id) + " restart: commit index " + S(hs.commit_index) + " cut back to " +
        S(n.storage->LastIndex()));
    hs.commit_index = n.storage->LastIndex();
  }
  n.storage->SetHardState(hs);
  RaftOptions o = OptionsFor(n.id);
  o.applied = n.applied;
  auto r = RawNode::Create(o, n.storage.get());
  if (!r.ok()) {
    checker_.Fail("node " + S(n.id) + " failed to restart: " + r.status().ToString());
    return;
  }
  n.raft = std::move(r).value();
  n.up = true;
  Log("node " + S(n.id) + " up: term " + S(n.raft->term()) + " last " + S(n.storage->LastIndex()) +
      " commit " + S(n.hard_state_synced.commit_index) + " snapshot " +
      S(n.disk_snapshot.metadata.index));
  ScheduleTick(n);
}

void Simulator::CrashNode(Node& n) {
  if (!n.up) return;
  ++stats_.crashes;
  n.up = false;
  ++n.incarnation;
  n.raft.reset();
  n.storage.reset();
  n.armed_crash.reset();
  n.reads.clear();
  // Unsynced entries (only a crash between write and sync leaves any): the last record is torn,
  // and SegmentLog recovery drops it and everything after it, so a strict prefix survives.
  const size_t unsynced = n.disk_entries.size() - n.disk_synced;
  const size_t keep = n.disk_synced + (unsynced > 0 ? prng_.Uniform(unsynced) : 0);
  stats_.torn_entries += n.disk_entries.size() - keep;
  n.disk_entries.resize(keep);
  n.disk_synced = keep;
  // As DiskStorage::Recover: a log that now ends before the snapshot is dropped. A leader syncing
  // in the background can snapshot entries it applied (committed on two followers) before its
  // own copies are durable, and then lose them.
  if (!n.disk_entries.empty() && n.disk_entries.back().index < n.disk_snapshot.metadata.index) {
    n.disk_entries.clear();
    n.disk_synced = 0;
  }
  if (n.hard_state_unsynced) {
    if (prng_.Chance(0.5)) n.hard_state_synced = *n.hard_state_unsynced;
    n.hard_state_unsynced.reset();
  }
  Log("node " + S(n.id) + " crashed; disk keeps " + S(keep) + " entries after snapshot " +
      S(n.disk_snapshot.metadata.index) + ", commit " + S(n.hard_state_synced.commit_index));
}

void Simulator::Crash(uint64_t id) { CrashNode(N(id)); }

void Simulator::ArmCrash(uint64_t id, CrashPoint point) { N(id).armed_crash = point; }

void Simulator::Restart(uint64_t id) {
  Node& n = N(id);
  if (n.up || retired_.count(id)) return;
  Boot(n);
}

void Simulator::StartSpare(uint64_t id) {
  Node& n = N(id);
  if (n.up || retired_.count(id)) return;
  Boot(n);
}

// ---------------------------------------------------------------------------------------------
// Events

void Simulator::Schedule(uint64_t at, Event event) {
  event.time = at;
  event.seq = seq_++;
  events_.push(std::move(event));
}

void Simulator::ScheduleTick(Node& n) {
  Event e;
  e.kind = Event::Kind::kTick;
  e.node = n.id;
  e.incarnation = n.incarnation;
  Schedule(now_ + 1 + prng_.Uniform(options_.tick_ms), std::move(e));
}

bool Simulator::Step(uint64_t until) {
  if (events_.empty() || events_.top().time > until) return false;
  Event e = events_.top();
  events_.pop();
  now_ = e.time;
  ++stats_.events;
  switch (e.kind) {
    case Event::Kind::kTick: {
      Node& n = N(e.node);
      if (!n.up || n.incarnation != e.incarnation) break;
      n.raft->Tick();
      HandleReady(n);
      if (n.up && n.incarnation == e.incarnation) {
        Event next = e;
        Schedule(now_ + options_.tick_ms, std::move(next));
      }
      break;
    }
    case Event::Kind::kDeliver:
      Deliver(e.from, e.node, e.bytes);
      break;
    case Event::Kind::kRestart:
      Restart(e.node);
      break;
    case Event::Kind::kSynced: {
      Node& n = N(e.node);
      if (!n.up || n.incarnation != e.incarnation || n.truncations != e.truncations) break;
      // Durable now: the disk entries through e.index (a compaction may have dropped some).
      size_t upto = 0;
      while (upto < n.disk_entries.size() && n.disk_entries[upto].index <= e.index) ++upto;
      n.disk_synced = std::max(n.disk_synced, upto);
      n.raft->ReportDurable(e.index, e.term);
      HandleReady(n);
      break;
    }
    case Event::Kind::kChaos:
      if (chaos_running_) {
        ChaosAction();
        Event next;
        next.kind = Event::Kind::kChaos;
        Schedule(now_ + 10 + prng_.Uniform(40), std::move(next));
      }
      break;
  }
  CheckAfterEvent();
  return true;
}

void Simulator::RunFor(uint64_t ms) {
  const uint64_t until = now_ + ms;
  while (checker_.ok() && Step(until)) {
  }
  if (checker_.ok()) now_ = until;
}

bool Simulator::RunUntil(const std::function<bool()>& pred, uint64_t max_ms) {
  const uint64_t until = now_ + max_ms;
  if (pred()) return true;
  while (checker_.ok() && Step(until)) {
    if (pred()) return true;
  }
  if (checker_.ok()) now_ = until;
  return pred();
}

// ---------------------------------------------------------------------------------------------
// Ready handling: the driver loop of raw_node.h, with crash points.

void Simulator::HandleReady(Node& n) {
  while (n.up && n.raft->HasReady() && checker_.ok()) {
    Ready rd = n.raft->GetReady();
    std::optional<CrashPoint> crash = std::exchange(n.armed_crash, std::nullopt);
    if (crash == CrashPoint::kTornWrite && rd.entries.empty()) {
      n.armed_crash = crash;  // nothing to tear: wait for a Ready with entries
      crash.reset();
    }
    if (crash == CrashPoint::kBeforePersist) return CrashNode(n);

    // 1. Snapshot, then entries, then hard state.
    if (rd.snapshot) {
      Status s = n.storage->ApplySnapshot(*rd.snapshot);
      if (!s.ok()) return checker_.Fail("node " + S(n.id) + " ApplySnapshot: " + s.ToString());
      n.disk_snapshot = *rd.snapshot;
      n.disk_entries.clear();
      n.disk_synced = 0;
      ++n.truncations;
    }
    if (!rd.entries.empty()) {
      const LogIndex first = rd.entries.front().index;
      if (!n.disk_entries.empty() && first <= n.disk_entries.back().index) {
        // Truncating a conflicting suffix is synced (SegmentLog::TruncateSuffix).
        const size_t keep =
            first > n.disk_entries.front().index ? first - n.disk_entries.front().index : 0;
        n.disk_entries.resize(keep);
        n.disk_synced = std::min(n.disk_synced, keep);
        ++n.truncations;
      }
      n.disk_entries.insert(n.disk_entries.end(), rd.entries.begin(), rd.entries.end());
      Status s = n.storage->Append(rd.entries);
      if (!s.ok()) return checker_.Fail("node " + S(n.id) + " Append: " + s.ToString());
      auto prev = n.storage->Term(first - 1);
      checker_.OnPersistedEntries(NodeId(n.id), rd.entries,
                                  prev.ok() ? std::optional<TermId>(*prev) : std::nullopt);
    }
    if (crash == CrashPoint::kTornWrite) return CrashNode(n);
    // A leader whose Ready needs a sync only for its entries may leave that to the background.
    const bool async_sync = options_.async_leader_writes && n.raft->role() == Role::kLeader &&
                            rd.must_sync && !rd.snapshot && !rd.entries.empty() &&
                            (!rd.hard_state || (rd.hard_state->term == n.hard_state_synced.term &&
                                                rd.hard_state->vote == n.hard_state_synced.vote));
    // A node that is no longer the leader syncs what its leadership left unsynced before it sends
    // anything (its acknowledgements would otherwise claim entries a crash can still lose).
    const bool synced_now =
        (rd.must_sync && !async_sync) ||
        (n.raft->role() != Role::kLeader && n.disk_synced < n.disk_entries.size());
    if (synced_now) n.disk_synced = n.disk_entries.size();
    if (async_sync) {
      Event e;
      e.kind = Event::Kind::kSynced;
      e.node = n.id;
      e.incarnation = n.incarnation;
      e.index = rd.entries.back().index;
      e.term = rd.entries.back().term;
      e.truncations = n.truncations;
      Schedule(now_ + 1 + prng_.Uniform(30), std::move(e));
    }
    if (rd.hard_state) {
      if (synced_now) {
        n.hard_state_synced = *rd.hard_state;
        n.hard_state_unsynced.reset();
      } else {
        n.hard_state_unsynced = *rd.hard_state;
      }
      n.storage->SetHardState(*rd.hard_state);
    }
    const Raft& raft = n.raft->raft();
    if (raft.role() == Role::kLeader) {
      checker_.OnLeader(raft);
      checker_.OnLeaderCommit(raft.term(), raft.log().committed());
    }
    if (crash == CrashPoint::kAfterPersist) return CrashNode(n);

    // 2. Send.
    const size_t to_send =
        crash == CrashPoint::kMidSend ? prng_.Uniform(rd.messages.size() + 1) : rd.messages.size();
    for (size_t i = 0; i < to_send; ++i) Send(rd.messages[i]);
    if (crash == CrashPoint::kMidSend || crash == CrashPoint::kBeforeApply) return CrashNode(n);

    // 3. Apply.
    if (rd.snapshot) {
      RestoreSnapshot(n, *rd.snapshot);
      ++stats_.snapshots_installed;
    }
    for (const LogEntry& e : rd.committed_entries) ApplyEntry(n, e);
    for (const ReadState& rs : rd.read_states) {
      checker_.OnReadState(NodeId(n.id), rs);
      n.reads.push_back(rs);
    }
    if (rd.soft_state) {
      Log("node " + S(n.id) + " is " + RoleName(rd.soft_state->role) + " in term " +
          S(raft.term()) + " (leader " + ToString(rd.soft_state->leader) + ")");
    }
    n.raft->Advance(/*durable=*/!async_sync);
    if (!n.raft->fatal_error().ok()) {
      return checker_.Fail("node " + S(n.id) + " fatal: " + n.raft->fatal_error().ToString());
    }
    MaybeCompact(n, false);
  }
}

void Simulator::ApplyEntry(Node& n, const LogEntry& e) {
  if (e.index != n.applied + 1) {
    return checker_.Fail("node " + S(n.id) + " applied " + S(e.index) + " after " + S(n.applied));
  }
  n.applied = e.index;
  n.hash = ChainHash(n.hash, e);
  if (e.type == EntryType::kCommand) n.commands.push_back(e.data);
  if (e.type == EntryType::kConfiguration) {
    Status s = DecodeConfiguration(e.data, &n.fsm_configuration);
    if (!s.ok()) checker_.Fail("node " + S(n.id) + " bad configuration entry: " + s.ToString());
    if (e.index > committed_configuration_index_) {
      ++stats_.configurations;
      committed_configuration_index_ = e.index;
      committed_configuration_ = n.fsm_configuration;
      Log("configuration " + committed_configuration_.ToString() + " committed at " + S(e.index));
    }
  }
  checker_.OnApply(NodeId(n.id), e, n.hash);
}

void Simulator::RestoreSnapshot(Node& n, const Snapshot& s) {
  LogIndex index = 0;
  uint64_t hash = 0;
  if (!DecodeState(s.data, &index, &hash) || index != s.metadata.index) {
    return checker_.Fail("node " + S(n.id) + " got a garbled snapshot at " + S(s.metadata.index));
  }
  n.applied = index;
  n.hash = hash;
  n.fsm_configuration = s.metadata.configuration;
  n.commands.clear();
  checker_.OnSnapshotRestore(NodeId(n.id), index, hash);
}

void Simulator::MaybeCompact(Node& n, bool force) {
  if (!n.up) return;
  if (!force && options_.compact_threshold == 0) return;
  const LogIndex first = n.storage->FirstIndex();
  if (!force && n.applied < first + options_.compact_threshold) return;
  if (n.applied <= n.storage->snapshot().metadata.index) return;
  Status s = n.storage->CreateSnapshot(n.applied, n.fsm_configuration,
                                       EncodeState(n.applied, n.hash, options_.snapshot_padding));
  if (!s.ok()) return checker_.Fail("node " + S(n.id) + " CreateSnapshot: " + s.ToString());
  // Keep a few entries behind the snapshot, as real servers do (cheap catch-up).
  const LogIndex through = n.applied - std::min<LogIndex>(n.applied, prng_.Uniform(4));
  s = n.storage->Compact(through);
  if (!s.ok()) return checker_.Fail("node " + S(n.id) + " Compact: " + s.ToString());
  n.disk_snapshot = n.storage->snapshot();
  size_t drop = 0;
  while (drop < n.disk_entries.size() && n.disk_entries[drop].index <= through) ++drop;
  n.disk_entries.erase(n.disk_entries.begin(), n.disk_entries.begin() + drop);
  n.disk_synced -= std::min(n.disk_synced, drop);
  Log("node " + S(n.id) + " snapshot at " + S(n.applied) + ", compacted through " + S(through));
}

void Simulator::CompactNow(uint64_t id) { MaybeCompact(N(id), true); }

// ---------------------------------------------------------------------------------------------
// Network

bool Simulator::CanTalk(uint64_t a, uint64_t b) const {
  return cut_.count({std::min(a, b), std::max(a, b)}) == 0;
}

void Simulator::Send(const Message& m) {
  std::string bytes = EncodeMessage(m);
  const uint64_t from = m.from.value();
  const uint64_t to = m.to.value();
  if (!CanTalk(from, to) || prng_.Chance(options_.drop_rate)) return;
  const uint64_t spread = options_.max_delay_ms - options_.min_delay_ms + 1;
  Event e;
  e.kind = Event::Kind::kDeliver;
  e.node = to;
  e.from = from;
  if (prng_.Chance(options_.duplicate_rate)) {
    Event dup = e;
    dup.bytes = bytes;
    Schedule(now_ + options_.min_delay_ms + prng_.Uniform(spread), std::move(dup));
  }
  e.bytes = std::move(bytes);
  Schedule(now_ + options_.min_delay_ms + prng_.Uniform(spread), std::move(e));
}

void Simulator::Deliver(uint64_t from, uint64_t to, const std::string& bytes) {
  if (!CanTalk(from, to)) return;
  auto it = nodes_.find(to);
  if (it == nodes_.end() || !it->second->up) return;
  Node& n = *it->second;
  Message m;
  Status s = DecodeMessage(bytes, &m);
  if (!s.ok()) return checker_.Fail("undecodable message: " + s.ToString());
  ++delivered_[MessageTypeName(m.body)];
  if (const auto* r = std::get_if<AppendEntriesResponse>(&m.body); r && r->rejected) {
    ++stats_.rejected_appends;
  }
  if (options_.verbose) Log("deliver " + DescribeMessage(m));
  s = n.raft->Step(m);
  if (!s.ok())
    return checker_.Fail("node " + S(to) + " Step(" + DescribeMessage(m) + "): " + s.ToString());
  HandleReady(n);
}

void Simulator::Partition(const std::vector<std::set<uint64_t>>& groups) {
  cut_.clear();
  std::map<uint64_t, size_t> group_of;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (uint64_t id : groups[g]) group_of[id] = g;
  }
  for (auto& [a, na] : nodes_) {
    for (auto& [b, nb] : nodes_) {
      if (a >= b) continue;
      auto ga = group_of.find(a);
      auto gb = group_of.find(b);
      if (ga == group_of.end() || gb == group_of.end() || ga->second != gb->second) {
        cut_.insert({a, b});
      }
    }
  }
  std::string desc;
  for (const auto& g : groups) {
    desc += " {";
    for (uint64_t id : g) desc += " " + S(id);
    desc += " }";
  }
  Log("partition" + desc);
}

void Simulator::Isolate(uint64_t id) {
  for (auto& [other, n] : nodes_) {
    if (other != id) cut_.insert({std::min(id, other), std::max(id, other)});
  }
  Log("isolate " + S(id));
}

void Simulator::HealPartitions() {
  cut_.clear();
  Log("heal partitions");
}

// ---------------------------------------------------------------------------------------------
// Client operations

Result<LogIndex> Simulator::Propose(uint64_t id, const std::string& data) {
  Node& n = N(id);
  if (!n.up) return Status::Unavailable("node down");
  auto r = n.raft->Propose(data);
  if (r.ok()) Log("node " + S(id) + " proposed " + data + " at " + S(*r));
  HandleReady(n);
  CheckAfterEvent();
  return r;
}

Result<LogIndex> Simulator::ProposeConfChange(uint64_t id, const ConfChange& change) {
  Node& n = N(id);
  if (!n.up) return Status::Unavailable("node down");
  auto r = n.raft->ProposeConfChange(change);
  static const char* kKinds[] = {"add-voter", "add-learner", "remove"};
  Log("node " + S(id) + " proposes " + kKinds[static_cast<int>(change.kind)] + " " +
      ToString(change.node) + ": " + (r.ok() ? "index " + S(*r) : r.status().ToString()));
  HandleReady(n);
  CheckAfterEvent();
  return r;
}

Status Simulator::TransferLeadership(uint64_t id, uint64_t to) {
  Node& n = N(id);
  if (!n.up) return Status::Unavailable("node down");
  Status s = n.raft->TransferLeadership(NodeId(to));
  Log("node " + S(id) + " transfers leadership to " + S(to) + ": " + s.ToString());
  HandleReady(n);
  CheckAfterEvent();
  return s;
}

std::string Simulator::ReadIndex(uint64_t id) {
  Node& n = N(id);
  std::string context = "read-" + S(++next_context_);
  if (!n.up) return context;
  checker_.OnReadRequest(context);
  Status s = n.raft->ReadIndex(context);
  if (options_.verbose) Log("node " + S(id) + " ReadIndex " + context + ": " + s.ToString());
  HandleReady(n);
  CheckAfterEvent();
  return context;
}

// ---------------------------------------------------------------------------------------------
// Checks

void Simulator::CheckAfterEvent() {
  for (auto& [id, n] : nodes_) {
    if (!n->up) continue;
    const Raft& raft = n->raft->raft();
    if (raft.role() == Role::kLeader) checker_.OnLeader(raft);
    if (!raft.fatal_error().ok()) {
      checker_.Fail("node " + S(id) + " fatal: " + raft.fatal_error().ToString());
    }
  }
  ObserveMembership();
}

// Stops, for good, nodes that a committed configuration removed.
void Simulator::ObserveMembership() {
  const Configuration& committed = committed_configuration_;
  for (NodeId id : committed.voters) ever_member_.insert(id.value());
  for (NodeId id : committed.learners) ever_member_.insert(id.value());
  for (uint64_t id : ever_member_) {
    if (committed.Contains(NodeId(id)) || retired_.count(id)) continue;
    retired_.insert(id);
    Log("node " + S(id) + " retired (removed by a committed configuration)");
    CrashNode(N(id));
  }
}

bool Simulator::IsUp(uint64_t id) const {
  auto it = nodes_.find(id);
  return it != nodes_.end() && it->second->up;
}

const RawNode& Simulator::node(uint64_t id) const { return *N(id).raft; }

uint64_t Simulator::Leader() const {
  uint64_t best = 0;
  TermId best_term = 0;
  for (auto& [id, n] : nodes_) {
    if (n->up && n->raft->role() == Role::kLeader && n->raft->term() >= best_term) {
      best = id;
      best_term = n->raft->term();
    }
  }
  return best;
}

const std::vector<std::string>& Simulator::applied_commands(uint64_t id) const {
  return N(id).commands;
}
LogIndex Simulator::applied_index(uint64_t id) const { return N(id).applied; }
uint64_t Simulator::state_hash(uint64_t id) const { return N(id).hash; }
const std::vector<ReadState>& Simulator::read_states(uint64_t id) const { return N(id).reads; }

uint64_t Simulator::delivered(const std::string& type) const {
  auto it = delivered_.find(type);
  return it == delivered_.end() ? 0 : it->second;
}

size_t Simulator::disk_entries(uint64_t id) const { return N(id).disk_entries.size(); }
LogIndex Simulator::disk_last_index(uint64_t id) const {
  const Node& n = N(id);
  return n.disk_entries.empty() ? n.disk_snapshot.metadata.index : n.disk_entries.back().index;
}

std::vector<uint64_t> Simulator::ids() const {
  std::vector<uint64_t> out;
  for (auto& [id, n] : nodes_) out.push_back(id);
  return out;
}

bool Simulator::AllMembersApplied(LogIndex index, TermId term) const {
  const uint64_t leader = Leader();
  if (leader == 0) return false;
  auto applied_term = checker_.AppliedTermAt(index);
  if (!applied_term || *applied_term != term) return false;
  const Configuration& c = N(leader).raft->raft().configuration();
  for (const auto* ids : {&c.voters, &c.learners}) {
    for (NodeId id : *ids) {
      auto it = nodes_.find(id.value());
      if (it == nodes_.end() || !it->second->up || it->second->applied < index) return false;
    }
  }
  return true;
}

std::string Simulator::DescribeNodes() const {
  std::string out;
  for (auto& [id, n] : nodes_) {
    out += "node " + S(id) + ": ";
    if (!n->up) {
      out += retired_.count(id) ? "retired\n" : "down\n";
      continue;
    }
    const Raft& r = n->raft->raft();
    out += std::string(RoleName(r.role())) + " term=" + S(r.term()) +
           " leader=" + ToString(r.leader()) + " first=" + S(r.log().FirstIndex()) +
           " last=" + S(r.log().LastIndex()) + " commit=" + S(r.log().committed()) +
           " applied=" + S(n->applied) + " " + r.configuration().ToString() + "\n";
    if (r.role() == Role::kLeader) {
      for (const auto& [peer, pr] : r.tracker().progress()) {
        out += "    progress " + ToString(peer) + ": " + pr.ToString() + "\n";
      }
    }
  }
  return out;
}

SimStats Simulator::stats() const {
  SimStats out = stats_;
  out.committed = checker_.committed_count();
  out.leader_terms = checker_.leader_terms();
  out.reads_checked = checker_.reads_checked();
  out.snapshot_chunks = delivered("InstallSnapshotRequest");
  out.transfers = delivered("TimeoutNowRequest");
  return out;
}

void SimStats::Add(const SimStats& o) {
  events += o.events;
  committed += o.committed;
  leader_terms += o.leader_terms;
  crashes += o.crashes;
  torn_entries += o.torn_entries;
  snapshots_installed += o.snapshots_installed;
  snapshot_chunks += o.snapshot_chunks;
  reads_checked += o.reads_checked;
  configurations += o.configurations;
  transfers += o.transfers;
  rejected_appends += o.rejected_appends;
  liveness_ms = std::max(liveness_ms, o.liveness_ms);
}

std::string SimStats::ToString() const {
  return "events=" + S(events) + " committed=" + S(committed) + " leader_terms=" + S(leader_terms) +
         " crashes=" + S(crashes) + " torn_entries=" + S(torn_entries) +
         " snapshots_installed=" + S(snapshots_installed) +
         " snapshot_chunks=" + S(snapshot_chunks) + " reads_checked=" + S(reads_checked) +
         " configurations=" + S(configurations) + " transfers=" + S(transfers) +
         " rejected_appends=" + S(rejected_appends) + " liveness_ms(max)=" + S(liveness_ms);
}

}  // namespace consulate::raft::core::sim
