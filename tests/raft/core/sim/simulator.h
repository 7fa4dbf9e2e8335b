// Simulator: a deterministic, single-threaded world in which RawNodes run under faults, so that
// one seed always replays the same history (Jepsen-style testing without threads or sockets, as
// FoundationDB's simulation does).
//
//   * Virtual clock: an event queue ordered by (time in ms, sequence number).
//   * Network: every message is encoded with the real codec, then dropped, delayed, duplicated
//     (hence reordered) or cut by partitions, decided at send and again at delivery.
//   * Disks (SimDisk): a Ready is persisted in the driver order of raw_node.h. Appended entries
//     are unsynced until the Ready's sync; a crash keeps a random prefix of unsynced entries (what
//     SegmentLog recovery keeps after a torn write) and may lose an unsynced hard state. A crash
//     can strike in the middle of handling a Ready (before persisting, between write and sync,
//     before or while sending, before applying). A restarted node recovers only from its disk.
//   * State machine: a running hash of applied entries; snapshots carry it (padded so they need
//     several chunks), and logs are compacted behind them.
//   * Chaos (Run): random proposals, reads, crashes and restarts, partitions and heals,
//     membership changes (joining spare nodes as learners, promoting, demoting, removing) and
//     leadership transfers. Then every fault heals and liveness is required: a leader emerges
//     and a fresh proposal is applied by every member within a bounded virtual time.
//   * After every event the Checker verifies the safety properties (checker.h).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "raft/core/memory_storage.h"
#include "raft/core/raw_node.h"
#include "sim/checker.h"

namespace consulate::raft::core::sim {

struct SimOptions {
  uint64_t seed = 1;
  int voters = 3;         // founding voters, IDs 1..voters
  int spares = 2;         // IDs voters+1.. that may join through membership changes
  uint64_t tick_ms = 10;  // one Raft tick
  int election_ticks = 10;
  int heartbeat_ticks = 2;
  bool chaos = true;         // Run(): random faults; false: only what a scenario does
  uint64_t chaos_ms = 5000;  // length of the faulty phase
  // After healing, a proposal must be applied everywhere within this. Usually well under a
  // second; the slowest seeds (one entry per message, delays near the election timeout, a long
  // backlog to replicate) take several seconds.
  uint64_t liveness_bound_ms = 20000;
  // Network (chaos mode draws its own values from the seed; these are the manual defaults).
  double drop_rate = 0.0;
  double duplicate_rate = 0.0;
  uint64_t min_delay_ms = 1;
  uint64_t max_delay_ms = 5;
  // Snapshots: compact once this many applied entries are in the log (0: never).
  uint64_t compact_threshold = 0;
  uint64_t snapshot_padding = 2000;  // bytes added to every snapshot's data
  uint64_t snapshot_chunk_bytes = 512;
  size_t max_inflight_messages = 4;
  uint64_t max_append_bytes = 256;
  bool pre_vote = true;
  bool check_quorum = true;
  // Leaders sync their log in the background (RaftOptions::async_log_writes): a leader's Ready
  // is written, Advanced unsynced, and reported durable 1-30 ms later (lost in a crash before).
  bool async_leader_writes = false;
  bool verbose = false;  // print the trace as it happens
};

// What a run exercised (summed over seeds by the randomized test, to show coverage).
struct SimStats {
  uint64_t events = 0;
  uint64_t committed = 0;     // distinct indices applied
  uint64_t leader_terms = 0;  // terms that had a leader
  uint64_t crashes = 0;
  uint64_t torn_entries = 0;         // unsynced entries lost in crashes
  uint64_t snapshots_installed = 0;  // snapshots restored from a leader
  uint64_t snapshot_chunks = 0;
  uint64_t reads_checked = 0;
  uint64_t configurations = 0;    // configuration entries committed
  uint64_t transfers = 0;         // TimeoutNow delivered
  uint64_t rejected_appends = 0;  // log mismatches resolved by backtracking
  uint64_t liveness_ms = 0;       // from healing to a proposal applied everywhere (Add: max)

  void Add(const SimStats& o);
  std::string ToString() const;
};

// How a crash interrupts the handling of a Ready.
enum class CrashPoint : uint8_t {
  kBeforePersist,  // nothing of the Ready reaches disk
  kTornWrite,      // entries written but not synced: a strict prefix survives (waits for a
                   // Ready with entries)
  kAfterPersist,   // durable, but no message sent
  kMidSend,        // some of the messages sent
  kBeforeApply,    // all sent, nothing applied
};

class Simulator {
 public:
  explicit Simulator(const SimOptions& options);
  ~Simulator();

  // Chaos, heal, liveness. Returns the failure ("" on success).
  std::string Run();

  // --- Scenario controls (time only moves inside RunFor / RunUntil) ---
  void RunFor(uint64_t ms);
  // Runs until pred() holds (checked after every event); false if max_ms passed first.
  bool RunUntil(const std::function<bool()>& pred, uint64_t max_ms);
  // Nodes in different groups cannot talk; nodes in no group can talk to nobody.
  void Partition(const std::vector<std::set<uint64_t>>& groups);
  void Isolate(uint64_t id);
  void HealPartitions();
  void Crash(uint64_t id);
  // The next Ready of `id` is interrupted at `point`.
  void ArmCrash(uint64_t id, CrashPoint point);
  void Restart(uint64_t id);
  // Starts spare node `id` with an empty configuration (to be added by a membership change).
  void StartSpare(uint64_t id);
  Result<LogIndex> Propose(uint64_t id, const std::string& data);
  Result<LogIndex> ProposeConfChange(uint64_t id, const ConfChange& change);
  Status TransferLeadership(uint64_t id, uint64_t to);
  // Issues a ReadIndex with a fresh context; returns it.
  std::string ReadIndex(uint64_t id);
  // Compacts `id`'s log through its applied index now.
  void CompactNow(uint64_t id);

  // --- Observation ---
  bool IsUp(uint64_t id) const;
  const RawNode& node(uint64_t id) const;  // REQUIRES: IsUp(id)
  // The leader with the highest term among running nodes, or 0.
  uint64_t Leader() const;
  // Commands applied by `id` since its last restart or snapshot restore, in order.
  const std::vector<std::string>& applied_commands(uint64_t id) const;
  LogIndex applied_index(uint64_t id) const;
  uint64_t state_hash(uint64_t id) const;
  const std::vector<ReadState>& read_states(uint64_t id) const;
  // How many messages of each type (MessageTypeName) were delivered.
  uint64_t delivered(const std::string& type) const;
  // Durable log length on `id`'s disk (entries after its snapshot, synced or not).
  size_t disk_entries(uint64_t id) const;
  LogIndex disk_last_index(uint64_t id) const;
  uint64_t now() const { return now_; }
  const Checker& checker() const { return checker_; }
  // Has the entry (index, term) been applied, and by every member of the leader's
  // configuration (all of which must be running)?
  bool AllMembersApplied(LogIndex index, TermId term) const;
  std::vector<uint64_t> ids() const;
  // The trace (last lines when not verbose), for failure reports.
  std::string Trace() const;
  SimStats stats() const;
  // One line per node (role, term, log bounds, commit, applied) and the leader's progress.
  std::string DescribeNodes() const;

 private:
  struct Node;
  struct Event {
    enum class Kind : uint8_t { kTick, kDeliver, kRestart, kChaos, kSynced };
    uint64_t time = 0;
    uint64_t seq = 0;  // ties at the same time run in scheduling order
    Kind kind = Kind::kTick;
    uint64_t node = 0;
    uint64_t from = 0;
    uint64_t incarnation = 0;  // a tick of a crashed incarnation is ignored
    std::string bytes;         // kDeliver: the encoded message
    // kSynced: the leader's background sync of its disk entries through (index, term) finished;
    // void if the disk lost a suffix since (`truncations` changed).
    LogIndex index = 0;
    TermId term = 0;
    uint64_t truncations = 0;
  };
  struct EventOrder {
    bool operator()(const Event& a, const Event& b) const {
      return a.time != b.time ? a.time > b.time : a.seq > b.seq;  // min-heap
    }
  };

  Node& N(uint64_t id);
  const Node& N(uint64_t id) const;
  void Log(const std::string& line);
  RaftOptions OptionsFor(uint64_t id) const;
  void Boot(Node& n);
  void Schedule(uint64_t at, Event event);
  void ScheduleTick(Node& n);
  // Runs one event; false if the queue is empty.
  bool Step(uint64_t until);
  void HandleReady(Node& n);
  void Send(const Message& m);
  void Deliver(uint64_t from, uint64_t to, const std::string& bytes);
  bool CanTalk(uint64_t a, uint64_t b) const;
  void ApplyEntry(Node& n, const LogEntry& e);
  void RestoreSnapshot(Node& n, const Snapshot& s);
  void MaybeCompact(Node& n, bool force);
  void CheckAfterEvent();
  void ObserveMembership();
  void CrashNode(Node& n);

  // Chaos.
  enum class ChaosKind : uint8_t {
    kPropose,
    kRead,
    kCrash,
    kCrashMidReady,
    kPartition,
    kHeal,
    kMembership,
    kTransfer,
    kCompact,
    kCount
  };
  ChaosKind PickAction();
  void ChaosAction();
  void ChaosMembership(uint64_t leader);
  void HealAll();
  bool LivenessPhase();

  SimOptions options_;
  Prng prng_;
  Checker checker_;
  uint64_t now_ = 0;
  uint64_t seq_ = 0;
  std::priority_queue<Event, std::vector<Event>, EventOrder> events_;
  std::map<uint64_t, std::unique_ptr<Node>> nodes_;
  // Cut links, as (smaller id, larger id). Need not be transitive (A-B and B-C up, A-C cut).
  std::set<std::pair<uint64_t, uint64_t>> cut_;
  std::set<uint64_t> retired_;  // removed by a committed change and stopped for good
  std::map<std::string, uint64_t> delivered_;
  uint64_t next_context_ = 0;
  SimStats stats_;
  std::set<uint64_t> ever_member_;  // appeared in some applied configuration
  bool chaos_running_ = false;
  uint64_t next_command_ = 0;
  std::deque<std::string> trace_;
  // Relative frequency of each ChaosKind, drawn per seed so seeds differ in character (some
  // crash a lot, some partition a lot, ...).
  std::vector<uint64_t> chaos_weights_;
  Configuration bootstrap_;
  // The newest configuration any node applied (hence committed), and its index.
  Configuration committed_configuration_;
  LogIndex committed_configuration_index_ = 0;
};

}  // namespace consulate::raft::core::sim
