#include "server/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cerrno>
#include <deque>
#include <fstream>
#include <future>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>

#include "base/coding.h"
#include "base/thread_name.h"
#include "raft/core/message_codec.h"
#include "raft/core/raw_node.h"
#include "raft/raft_storage.h"
#include "rpc/transport.h"
#include "server/forward_codec.h"

namespace consulate::server {

namespace core = raft::core;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kElectionTicks = 20;  // x tick = 1 s x multiplier (Consul's election timeout)
constexpr int kHeartbeatTicks = 2;  // 100 ms x multiplier (hashicorp/raft heartbeats)
constexpr auto kForwardTimeout = std::chrono::seconds(30);

Status MakeDirs(const std::string& path) {
  std::string cur;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!cur.empty() && ::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST)
        return Status::IOErrorFromErrno("mkdir " + cur, errno);
    }
    if (i < path.size()) cur += path[i];
  }
  return Status::OK();
}

// Raft node numbers are derived from Consul's server IDs (FNV-1a 64), never 0.
core::NodeId NodeIdFor(std::string_view server_id) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : server_id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return core::NodeId(h == 0 ? 1 : h);
}

fsm::ApplyResult Failed(Status s) {
  fsm::ApplyResult r;
  r.status = std::move(s);
  r.ok = false;
  return r;
}

Status NoLeader() { return Status::Unavailable("No cluster leader"); }

}  // namespace

struct PeerInfo {
  std::string id, name, address;
};

struct Server::Impl {
  Impl(const Options& o, Logger l) : options(o), logger(std::move(l)) {}

  const Options options;
  Logger logger;
  state::StateStore state;
  fsm::FSM fsm{&state};
  std::unique_ptr<raft::RaftStorage> storage;
  std::unique_ptr<core::RawNode> node;
  std::unique_ptr<rpc::Transport> transport;
  core::NodeId self;
  std::string rpc_address;
  std::string raft_dir;
  Clock::duration tick;

  std::atomic<bool> is_leader{false};
  std::atomic<uint64_t> last_applied{0};
  std::atomic<uint64_t> term{0};
  std::atomic<uint64_t> leader_raw{0};
  std::atomic<int64_t> last_contact_ns{0};  // steady clock of the last message from a leader

  // ---- Inbox: filled by any thread, drained by the driver.
  struct Proposal {
    std::string command;
    ApplyCallback done;
  };
  std::mutex mu;
  std::vector<Proposal> in_proposals;                       // GUARDED_BY(mu)
  std::vector<std::pair<std::string, uint64_t>> in_frames;  // GUARDED_BY(mu)
  std::vector<std::function<void()>> in_tasks;              // GUARDED_BY(mu)
  std::vector<DoneCallback> in_reads;                       // GUARDED_BY(mu)
  bool stopping = false;                                    // GUARDED_BY(mu)
  bool shut_down = false;                                   // GUARDED_BY(mu)
  // The driver runs on the transport's I/O thread, as one RunOnce per batch of inputs: Kick
  // schedules it (at most one pending), a timer runs it at the next tick.
  std::atomic<bool> running{false};       // set once Open has finished
  std::atomic<bool> kick_pending{false};  // a RunOnce is queued and has not started
  void Kick() {
    if (!running.load(std::memory_order_acquire)) return;
    if (!kick_pending.exchange(true, std::memory_order_acq_rel)) {
      transport->Post([this] { RunOnce(); });
    }
  }
  void RunOnce();
  void Finish();  // answers everything still queued; the driver does nothing after it
  // Any thread: queues `item` for the driver and wakes it; false (nothing queued, `item` kept)
  // once the server is stopping.
  template <class T>
  bool Enqueue(std::vector<T>* queue, T* item) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping) return false;
      queue->push_back(std::move(*item));
    }
    Kick();
    return true;
  }
  void Propose(std::string command, ApplyCallback done) {
    Proposal p{std::move(command), std::move(done)};
    if (!Enqueue(&in_proposals, &p)) p.done(Failed(Status::Unavailable("server is shutting down")));
  }

  // ---- Background sync of the leader's log (Raft thesis §10.2.1): the leader writes a Ready's
  // entries, sends them, and leaves the fsync to the syncer thread while it goes on stepping
  // acknowledgements and proposals; it counts itself towards a quorum once the sync is done
  // (RaftOptions::async_log_writes). Anything else that needs durability (votes, a follower's
  // acknowledgements, snapshots) is synced before its messages are sent, as before.
  struct Syncer {
    std::mutex mu;
    std::condition_variable cv;
    std::function<Status()> job;  // GUARDED_BY(mu)
    bool has_job = false;         // GUARDED_BY(mu)
    bool done = false;            // GUARDED_BY(mu): the last job finished, with `result`
    bool stop = false;            // GUARDED_BY(mu)
    Status result;                // GUARDED_BY(mu)
    uint64_t seq = 0;             // GUARDED_BY(mu)
    std::thread thread;
  };
  Syncer syncer;
  void SyncerLoop();
  void StartBackgroundSync();
  // Takes the finished job `seq`'s result; `restart`: start the next job if one is due.
  void FinishBackgroundSync(uint64_t seq, bool restart);
  // Blocks until the job in flight (if any) is done; false if it failed (the driver stops).
  bool WaitBackgroundSync();
  void StorageFailed(const Status& st);

  // ---- Driver (the transport's I/O thread) only.
  bool finished = false;
  using EntryId = std::pair<raft::LogIndex, raft::TermId>;
  std::optional<EntryId> unsynced_last;  // newest entry written but not yet handed to a sync
  std::optional<EntryId> sync_target;    // what the job in flight makes durable
  bool sync_in_flight = false;
  uint64_t sync_seq = 0;
  raft::TermId synced_term = 0;  // term and vote as last stored (storage syncs their changes)
  core::NodeId synced_vote;
  Clock::time_point next_tick{};
  Clock::time_point armed_wake{};
  std::vector<Proposal> proposals;
  std::vector<std::pair<std::string, uint64_t>> frames;
  std::vector<std::function<void()>> tasks;
  std::vector<DoneCallback> new_reads;
  std::map<core::NodeId, PeerInfo> book;  // how to reach each server
  std::unordered_map<uint64_t, core::NodeId> conn_sender;
  struct PendingApply {
    raft::TermId term;
    ApplyCallback done;
  };
  std::map<raft::LogIndex, PendingApply> pending;
  struct Waiting {
    std::string command;
    ApplyCallback done;
    Clock::time_point deadline;
  };
  std::deque<Waiting> waiting;  // proposals waiting for a leader
  struct ReadBatch {
    std::vector<DoneCallback> done;
    Clock::time_point issued, deadline;
    bool issued_ok = false;
  };
  std::map<std::string, ReadBatch> reads;  // by ReadIndex context
  std::multimap<raft::LogIndex, DoneCallback> reads_after_apply;
  uint64_t next_read_ctx = 1;
  std::map<raft::LogIndex, DoneCallback> pending_conf;
  core::Configuration applied_config;
  std::map<std::string, ServerInfo> seen;  // by name, from gossip
  std::set<std::string> left;              // names that left the pool
  std::set<std::string> removed_ids;       // removed by an operator or a leave: not re-added
  std::set<std::string> failed;            // names the pool marks failed
  std::map<core::NodeId, Clock::time_point> last_heard;     // any message from the peer
  std::map<core::NodeId, Clock::time_point> healthy_since;  // autopilot stability
  AutopilotConfig autopilot;                                // as applied
  bool bootstrap_checking = false;
  Clock::time_point next_reconcile{};
  Clock::time_point next_snapshot_check{};
  // The next snapshot check: a random time in [interval, 2 x interval) from now (hashicorp/raft).
  Clock::time_point NextSnapshotCheck(Clock::time_point now) {
    const auto ms = options.snapshot_interval.count();
    return now + options.snapshot_interval +
           std::chrono::milliseconds(
               ms > 0 ? static_cast<int64_t>(rng() % static_cast<uint64_t>(ms)) : 0);
  }
  std::optional<std::pair<Clock::time_point, core::NodeId>> forget_leader;
  std::mt19937_64 rng{std::random_device{}()};

  // Snapshots.
  std::thread snapshot_thread;
  std::atomic<bool> snapshot_running{false};

  std::mutex handlers_mu;
  std::map<uint8_t, RequestHandler> handlers;  // GUARDED_BY(handlers_mu)

  // ---- Published for other threads.
  mutable std::mutex pub_mu;
  std::map<core::NodeId, PeerInfo> pub_book;  // GUARDED_BY(pub_mu)
  core::Configuration pub_config;             // GUARDED_BY(pub_mu)
  uint64_t pub_config_index = 0;              // GUARDED_BY(pub_mu)
  AutopilotConfig pub_autopilot;              // GUARDED_BY(pub_mu)
  AutopilotHealth pub_health;                 // GUARDED_BY(pub_mu); leader only

  // ------------------------------------------------------------------------------------------
  Status Open();
  Status RecoverFromPeersJson();
  Status CreateNode();
  void HandleReady();
  void Apply(const raft::LogEntry& e);
  void ProposeLocal(std::string command, ApplyCallback done, Clock::time_point deadline);
  void Forward(const std::string& leader, std::string command, ApplyCallback done);
  void IssueReads();
  void ServeReadsUpTo(raft::LogIndex applied);
  void OnFrame(const std::string& payload, uint64_t conn);
  void Send(const core::Message& m);
  void Learn(core::NodeId id, PeerInfo info);
  void PublishConfig();
  void LoadBook();
  void SaveBook();
  void MaybeBootstrap();
  void Reconcile();
  void UpdateHealth(Clock::time_point now);
  bool Autopilot(Clock::time_point now);  // one membership change at most; true if proposed
  fsm::ApplyResult ApplyAutopilot(uint64_t index, std::string_view data);
  std::string WrapSnapshot(std::string fsm_data);
  Status RestoreSnapshot(std::string_view data);
  void PublishAutopilot() {
    std::lock_guard<std::mutex> lock(pub_mu);
    pub_autopilot = autopilot;
  }
  void MaybeSnapshot();
  void FailAll(const Status& why);
  std::string LeaderAddr() const;
  void Post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu);
      in_tasks.push_back(std::move(task));
    }
    Kick();
  }
  void OnRequest(uint8_t method, std::string body, rpc::Transport::Respond respond);
  void TryRemovePeer(const std::string& target, DoneCallback done, Clock::time_point deadline);
  std::vector<std::function<void()>> retries;  // driver: run again on the next tick
};

// ---------------------------------------------------------------------------------------------
// Server snapshots: the FSM's snapshot plus the Raft-layer state that is replicated but not in
// the state store (the autopilot configuration):
//   "CSLSRV1\n" | autopilot length v32 | autopilot | fsm snapshot
// Data without the magic is a bare FSM snapshot (written before autopilot existed).

constexpr std::string_view kServerSnapshotMagic = "CSLSRV1\n";

std::string Server::Impl::WrapSnapshot(std::string fsm_data) {
  std::string ap;
  PutAutopilotConfig(&ap, autopilot);
  std::string out(kServerSnapshotMagic);
  PutVarint32(&out, static_cast<uint32_t>(ap.size()));
  out += ap;
  out += fsm_data;
  return out;
}

Status Server::Impl::RestoreSnapshot(std::string_view data) {
  if (data.substr(0, kServerSnapshotMagic.size()) != kServerSnapshotMagic) {
    autopilot = AutopilotConfig{};
    PublishAutopilot();
    return fsm.Restore(data);
  }
  data.remove_prefix(kServerSnapshotMagic.size());
  uint32_t n = 0;
  std::string_view ap;
  if (!GetVarint32(&data, &n) || n > data.size()) return Status::Corruption("server snapshot");
  ap = data.substr(0, n);
  data.remove_prefix(n);
  AutopilotConfig c;
  if (!server::GetAutopilotConfig(&ap, &c) || !ap.empty())
    return Status::Corruption("server snapshot");
  autopilot = c;
  PublishAutopilot();
  return fsm.Restore(data);
}

// ---------------------------------------------------------------------------------------------
// Opening

Status Server::Impl::Open() {
  self = NodeIdFor(options.node_id);
  tick = std::chrono::milliseconds(50) * std::max(options.raft_multiplier, 1);
  if (options.dev) {
    storage = std::make_unique<raft::MemoryRaftStorage>();
  } else {
    raft_dir = options.data_dir + "/raft";
    CONSULATE_RETURN_IF_ERROR(MakeDirs(raft_dir));
    raft::DiskStorage::Options so;
    so.segment_bytes = options.segment_bytes;
    so.logger = logger;
    auto disk = raft::DiskStorage::Open(raft_dir, so);
    if (!disk.ok()) return disk.status();
    storage = std::move(*disk);
    LoadBook();
  }
  if (auto snap = storage->TakeRecoveredSnapshot()) {
    CONSULATE_RETURN_IF_ERROR(RestoreSnapshot(snap->data));
    last_applied = snap->metadata.index;
    applied_config = snap->metadata.configuration;
    logger.Info("restored snapshot: index={} term={} bytes={}", snap->metadata.index,
                snap->metadata.term, snap->data.size());
  }
  if (!options.dev) CONSULATE_RETURN_IF_ERROR(RecoverFromPeersJson());

  rpc::Transport::Handlers h;
  h.on_raft = [this](std::string payload, uint64_t conn) {
    {
      std::lock_guard<std::mutex> lock(mu);
      in_frames.emplace_back(std::move(payload), conn);
    }
    Kick();  // runs after the frames the transport already read, so they are stepped together
  };
  h.on_inbound_closed = [this](uint64_t conn) {
    Post([this, conn] {
      auto it = conn_sender.find(conn);
      if (it == conn_sender.end()) return;
      const core::NodeId who = it->second;
      conn_sender.erase(it);
      if (node && node->leader() == who && who != self && !forget_leader) {
        // The leader's connection dropped (it stopped or crashed): elect a new one soon rather
        // than after a whole election timeout. The delay is random and not tick-aligned, so
        // that two followers rarely campaign at once and split the vote.
        const auto delay = std::chrono::microseconds(rng() % 250000);
        forget_leader = std::make_pair(Clock::now() + delay, who);
      }
    });
  };
  h.on_request = [this](uint8_t method, std::string body, rpc::Transport::Respond respond) {
    OnRequest(method, std::move(body), std::move(respond));
  };
  auto t = rpc::Transport::Start(options.rpc_bind, static_cast<uint16_t>(options.rpc_port),
                                 std::move(h), logger);
  if (!t.ok()) return t.status();
  transport = std::move(*t);
  rpc_address = options.rpc_address.empty()
                    ? options.rpc_bind + ":" + std::to_string(transport->port())
                    : options.rpc_address;
  Learn(self, PeerInfo{options.node_id, options.node_name, rpc_address});
  seen[options.node_name] =
      ServerInfo{options.node_id, options.node_name, rpc_address, options.bootstrap_expect};

  if ((options.dev || options.bootstrap || options.bootstrap_expect == 1) &&
      storage->IsPristine()) {
    core::Configuration c;
    c.voters = {self};
    CONSULATE_RETURN_IF_ERROR(storage->Bootstrap(c));
    logger.Info("bootstrapped a one-server cluster: id={}", options.node_id);
  }
  return CreateNode();
}

// Outage recovery (Consul's raft/peers.json): the file names the servers of the new configuration,
// [{"id": "<node ID>", "address": "ip:port", "non_voter": false}, ...]. As hashicorp/raft's
// RecoverCluster does, every entry in the log is applied, a snapshot of the result is written with
// the new configuration at the last index, the log is compacted through it, and the file deleted.
Status Server::Impl::RecoverFromPeersJson() {
  const std::string path = raft_dir + "/peers.json";
  std::ifstream in(path);
  if (!in) return Status::OK();
  logger.Info("found peers.json file, recovering Raft configuration...");
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(ss.str(), ec);
  if (ec || !v.is_array())
    return Status::InvalidArgument("recovery failed to parse peers.json: not a JSON array");
  core::Configuration conf;
  for (const auto& e : v.as_array()) {
    const boost::json::object* o = e.if_object();
    const boost::json::value* id = o ? o->if_contains("id") : nullptr;
    const boost::json::value* addr = o ? o->if_contains("address") : nullptr;
    const boost::json::value* nv = o ? o->if_contains("non_voter") : nullptr;
    if (!id || !id->is_string() || id->as_string().empty())
      return Status::InvalidArgument("recovery failed to parse peers.json: missing \"id\"");
    if (!addr || !addr->is_string() || addr->as_string().empty())
      return Status::InvalidArgument("recovery failed to parse peers.json: missing \"address\"");
    const std::string sid(id->as_string());
    const core::NodeId nid = NodeIdFor(sid);
    Learn(nid, PeerInfo{sid, nid == self ? options.node_name : "", std::string(addr->as_string())});
    if (nv && nv->is_bool() && nv->as_bool()) {
      conf.learners.push_back(nid);
    } else {
      conf.voters.push_back(nid);
    }
  }
  CONSULATE_RETURN_IF_ERROR(conf.Normalize());
  if (conf.voters.empty())
    return Status::InvalidArgument("recovery failed: peers.json names no voter");
  // Apply everything the log holds, committed or not.
  const raft::LogIndex last = storage->LastIndex();
  for (raft::LogIndex i = last_applied.load() + 1; i <= last;) {
    std::vector<raft::LogEntry> batch;
    CONSULATE_RETURN_IF_ERROR(storage->Entries(i, last + 1, 4u << 20, &batch));
    if (batch.empty()) break;
    for (const auto& e : batch) {
      const bool cmd = e.type == raft::EntryType::kCommand;
      if (cmd && !e.data.empty() && static_cast<uint8_t>(e.data[0]) == kAutopilotMessageType) {
        ApplyAutopilot(e.index, e.data);
      } else {
        fsm.Apply(e.index, cmd ? std::string_view(e.data) : std::string_view());
      }
    }
    i = batch.back().index + 1;
  }
  if (last > 0) {
    auto t = storage->Term(last);
    if (!t.ok()) return t.status();
    core::SnapshotMetadata meta{last, *t, conf};
    const std::string data = WrapSnapshot(fsm.Snapshot());
    CONSULATE_RETURN_IF_ERROR(storage->WriteSnapshot(meta, data));
    CONSULATE_RETURN_IF_ERROR(storage->SnapshotWritten(meta));
    CONSULATE_RETURN_IF_ERROR(storage->Compact(last));
    last_applied = last;
  } else {
    CONSULATE_RETURN_IF_ERROR(storage->Bootstrap(conf));
  }
  applied_config = conf;
  if (::unlink(path.c_str()) != 0) return Status::IOErrorFromErrno("delete " + path, errno);
  logger.Info("deleted peers.json file after successful recovery");
  return Status::OK();
}

Status Server::Impl::CreateNode() {
  core::RaftOptions ro;
  ro.id = self;
  ro.election_ticks = kElectionTicks;
  ro.heartbeat_ticks = kHeartbeatTicks;
  ro.random_seed = rng();
  ro.applied = last_applied.load();
  ro.async_log_writes = !options.dev;  // the leader syncs its log while it replicates
  auto n = core::RawNode::Create(ro, storage.get());
  if (!n.ok()) return n.status();
  node = std::move(*n);
  term = node->term();
  const auto& conf = node->raft().configuration();
  if (conf.voters.size() == 1 && conf.voters[0] == self) {
    Status st = node->Campaign();
    if (!st.ok()) logger.Warn("campaign failed: {}", st.ToString());
  }
  PublishConfig();
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Address book

void Server::Impl::Learn(core::NodeId id, PeerInfo info) {
  auto it = book.find(id);
  if (it != book.end() && it->second.address == info.address && it->second.name == info.name &&
      it->second.id == info.id) {
    return;
  }
  book[id] = std::move(info);
  {
    std::lock_guard<std::mutex> lock(pub_mu);
    pub_book = book;
  }
  SaveBook();
}

void Server::Impl::LoadBook() {
  std::ifstream in(raft_dir + "/peers.info");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    PeerInfo p;
    if (std::getline(ls, p.id, '\t') && std::getline(ls, p.name, '\t') &&
        std::getline(ls, p.address)) {
      book[NodeIdFor(p.id)] = p;
    }
  }
  std::lock_guard<std::mutex> lock(pub_mu);
  pub_book = book;
}

void Server::Impl::SaveBook() {
  if (raft_dir.empty()) return;
  // Only a cache (gossip re-teaches it); write-and-rename without fsync.
  const std::string tmp = raft_dir + "/peers.info.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [id, p] : book) out << p.id << '\t' << p.name << '\t' << p.address << '\n';
  }
  ::rename(tmp.c_str(), (raft_dir + "/peers.info").c_str());
}

void Server::Impl::PublishConfig() {
  std::lock_guard<std::mutex> lock(pub_mu);
  pub_config = node ? node->raft().configuration() : core::Configuration{};
}

std::string Server::Impl::LeaderAddr() const {
  const core::NodeId lead(leader_raw.load(std::memory_order_acquire));
  if (lead.IsNone()) return "";
  std::lock_guard<std::mutex> lock(pub_mu);
  auto it = pub_book.find(lead);
  return it == pub_book.end() ? "" : it->second.address;
}

// ---------------------------------------------------------------------------------------------
// Messages

void Server::Impl::Send(const core::Message& m) {
  auto it = book.find(m.to);
  if (it == book.end()) {
    logger.Debug("no address for raft peer {}", core::ToString(m.to));
    return;
  }
  std::string payload;
  PutLengthPrefixedString(&payload, options.node_id);
  PutLengthPrefixedString(&payload, options.node_name);
  PutLengthPrefixedString(&payload, rpc_address);
  core::EncodeMessageTo(m, &payload);
  transport->SendRaft(it->second.address, std::move(payload));
}

void Server::Impl::OnFrame(const std::string& payload, uint64_t conn) {
  std::string_view in(payload);
  std::string_view id, name, addr;
  if (!GetLengthPrefixedString(&in, &id) || !GetLengthPrefixedString(&in, &name) ||
      !GetLengthPrefixedString(&in, &addr)) {
    return;
  }
  core::Message m;
  if (!core::DecodeMessage(in, &m).ok()) return;
  if (NodeIdFor(id) != m.from) return;
  Learn(m.from, PeerInfo{std::string(id), std::string(name), std::string(addr)});
  conn_sender[conn] = m.from;
  last_heard[m.from] = Clock::now();
  if (std::holds_alternative<core::AppendEntriesRequest>(m.body) ||
      std::holds_alternative<core::HeartbeatRequest>(m.body) ||
      std::holds_alternative<core::InstallSnapshotRequest>(m.body)) {
    last_contact_ns.store(Clock::now().time_since_epoch().count(), std::memory_order_release);
  }
  Status st = node->Step(m);
  if (!st.ok() && !node->fatal_error().ok()) {
    logger.Error("raft stopped: {}", node->fatal_error().ToString());
  }
}

// ---------------------------------------------------------------------------------------------
// Proposals and reads

void Server::Impl::ProposeLocal(std::string command, ApplyCallback done,
                                Clock::time_point deadline) {
  if (node->role() == core::Role::kLeader && node->raft().lead_transferee().IsNone()) {
    const raft::TermId t = node->term();
    auto idx = node->Propose(std::move(command));
    if (idx.ok()) {
      pending.emplace(*idx, PendingApply{t, std::move(done)});
    } else {
      done(Failed(idx.status()));
    }
    return;
  }
  if (node->role() == core::Role::kLeader) {  // handing leadership over: wait for the next one
    waiting.push_back(Waiting{std::move(command), std::move(done), deadline});
    return;
  }
  const std::string leader = LeaderAddr();
  if (!node->leader().IsNone() && !leader.empty()) {
    Forward(leader, std::move(command), std::move(done));
    return;
  }
  waiting.push_back(Waiting{std::move(command), std::move(done), deadline});
}

void Server::Impl::Forward(const std::string& leader, std::string command, ApplyCallback done) {
  transport->Call(leader, static_cast<uint8_t>(RpcMethod::kApply), std::move(command),
                  kForwardTimeout, [done = std::move(done)](Result<std::string> resp) {
                    if (!resp.ok()) {
                      done(Failed(resp.status()));
                      return;
                    }
                    fsm::ApplyResult r;
                    Status st = DecodeApplyResult(*resp, &r);
                    done(st.ok() ? std::move(r) : Failed(st));
                  });
}

void Server::Impl::IssueReads() {
  const auto now = Clock::now();
  const auto retry_after = tick * kElectionTicks;
  for (auto it = reads.begin(); it != reads.end();) {
    ReadBatch& b = it->second;
    if (now >= b.deadline) {
      for (auto& d : b.done) d(NoLeader());
      it = reads.erase(it);
      continue;
    }
    if (!b.issued_ok || now - b.issued >= retry_after) {
      b.issued = now;
      b.issued_ok = node->ReadIndex(it->first).ok();
    }
    ++it;
  }
}

void Server::Impl::ServeReadsUpTo(raft::LogIndex applied) {
  while (!reads_after_apply.empty() && reads_after_apply.begin()->first <= applied) {
    auto done = std::move(reads_after_apply.begin()->second);
    reads_after_apply.erase(reads_after_apply.begin());
    done(Status::OK());
  }
}

// Leader: proposes the removal and answers once it is applied. A leader that has not yet
// committed an entry of its term, or has a membership change in flight, retries every tick until
// `deadline`.
void Server::Impl::TryRemovePeer(const std::string& target_text, DoneCallback done,
                                 Clock::time_point deadline) {
  if (node->role() != core::Role::kLeader) {
    done(node->leader().IsNone() ? NoLeader() : Status::Unavailable("not the leader"));
    return;
  }
  core::NodeId target;
  for (const auto& [nid, p] : book) {
    if (p.id == target_text || p.address == target_text) target = nid;
  }
  if (target.IsNone() || !node->raft().configuration().Contains(target)) {
    done(Status::NotFound("id \"" + target_text + "\" was not found in the Raft configuration"));
    return;
  }
  removed_ids.insert(book[target].id);
  auto idx = node->ProposeConfChange(core::ConfChange{core::ConfChange::Kind::kRemoveNode, target});
  if (idx.ok()) {
    pending_conf.emplace(*idx, std::move(done));
    return;
  }
  if (idx.status().code() != Status::Code::kUnavailable || Clock::now() >= deadline) {
    done(idx.status());
    return;
  }
  retries.push_back([this, target_text, done = std::move(done), deadline]() mutable {
    TryRemovePeer(target_text, std::move(done), deadline);
  });
}

void Server::Impl::OnRequest(uint8_t method, std::string body, rpc::Transport::Respond respond) {
  switch (static_cast<RpcMethod>(method)) {
    case RpcMethod::kApply:
      Propose(std::move(body), [respond](fsm::ApplyResult r) { respond(EncodeApplyResult(r)); });
      return;
    case RpcMethod::kPeers:
      Post([this, respond] { respond(storage->IsPristine() ? "0" : "1"); });
      return;
    case RpcMethod::kRemovePeer: {
      auto done = [respond](Status st) { respond(EncodeStatus(st)); };
      Post([this, body, done, deadline = Clock::now() + options.rpc_hold_timeout] {
        TryRemovePeer(body, done, deadline);
      });
      return;
    }
    case RpcMethod::kReadNode: {
      // Read on the transport thread: the store has its own lock.
      std::optional<state::Node> n;
      std::vector<state::NodeService> svcs;
      std::vector<state::HealthCheck> checks;
      state.NodeServices(body, &n, &svcs, nullptr);
      state.NodeChecks(body, &checks, nullptr);
      respond(EncodeNodeRead(n, svcs, checks));
      return;
    }
    default:
      break;
  }
  RequestHandler h;
  {
    std::lock_guard<std::mutex> lock(handlers_mu);
    auto it = handlers.find(method);
    if (it != handlers.end()) h = it->second;
  }
  if (h) {
    h(std::move(body), std::move(respond));
    return;
  }
  respond(EncodeStatus(Status::InvalidArgument("unknown method")));
}

// ---------------------------------------------------------------------------------------------
// Membership

void Server::Impl::MaybeBootstrap() {
  if (options.bootstrap_expect <= 1 || bootstrap_checking || !storage->IsPristine()) return;
  std::vector<ServerInfo> servers;
  for (const auto& [name, s] : seen) {
    if (left.count(name)) continue;
    if (s.expect != 0 && s.expect != options.bootstrap_expect) {
      logger.Error(
          "Member {} has a conflicting expect value. All nodes should expect the same "
          "number.",
          name);
      return;
    }
    servers.push_back(s);
  }
  if (static_cast<int>(servers.size()) < options.bootstrap_expect) return;
  // Ask the others whether a cluster already exists (Consul's maybeBootstrap does the same).
  bootstrap_checking = true;
  struct Tally {
    size_t waiting = 0;
    bool abort = false;
  };
  auto tally = std::make_shared<Tally>();
  for (const auto& s : servers) {
    if (s.id == options.node_id) continue;
    ++tally->waiting;
  }
  auto finish = [this, servers](bool abort) {
    bootstrap_checking = false;
    if (abort || !storage->IsPristine()) return;
    core::Configuration c;
    for (const auto& s : servers) {
      c.voters.push_back(NodeIdFor(s.id));
      Learn(NodeIdFor(s.id), PeerInfo{s.id, s.name, s.address});
    }
    if (!c.Normalize().ok()) return;
    Status st = storage->Bootstrap(c);
    if (st.ok()) st = CreateNode();
    if (!st.ok()) {
      logger.Error("failed to bootstrap cluster: error=\"{}\"", st.ToString());
      return;
    }
    logger.Info("found expected number of peers, attempting bootstrap: peers={}", servers.size());
  };
  if (tally->waiting == 0) {
    finish(false);
    return;
  }
  for (const auto& s : servers) {
    if (s.id == options.node_id) continue;
    transport->Call(s.address, static_cast<uint8_t>(RpcMethod::kPeers), "", std::chrono::seconds(2),
                    [this, tally, finish, name = s.name](Result<std::string> r) {
                      Post([this, tally, finish, name, r = std::move(r)] {
                        if (!r.ok()) {
                          tally->abort = true;  // try again on the next gossip update or tick
                        } else if (*r != "0") {
                          logger.Warn(
                              "Existing Raft peers reported by server, disabling bootstrap mode: "
                              "server={}",
                              name);
                          tally->abort = true;
                        }
                        if (--tally->waiting == 0) finish(tally->abort);
                      });
                    });
  }
}

fsm::ApplyResult Server::Impl::ApplyAutopilot(uint64_t index, std::string_view data) {
  fsm::ApplyResult r;
  fsm.Apply(index, std::string_view());  // the store's index moves on
  AutopilotConfig c;
  bool cas = false;
  uint64_t cas_index = 0;
  r.status = DecodeAutopilotSet(data, &c, &cas, &cas_index);
  if (!r.status.ok()) {
    r.ok = false;
    return r;
  }
  if (cas && cas_index != autopilot.modify_index) {
    r.ok = false;
    return r;
  }
  c.create_index = autopilot.create_index == 0 ? index : autopilot.create_index;
  c.modify_index = index;
  autopilot = c;
  PublishAutopilot();
  r.ok = true;
  return r;
}

void Server::Impl::UpdateHealth(Clock::time_point now) {
  const core::Configuration& conf = node->raft().configuration();
  const raft::LogIndex leader_last = node->raft().log().LastIndex();
  AutopilotHealth h;
  int healthy_voters = 0;
  auto add = [&](core::NodeId id, bool voter) {
    ServerHealth sh;
    auto b = book.find(id);
    if (b != book.end()) {
      sh.id = b->second.id;
      sh.name = b->second.name;
      sh.address = b->second.address;
    }
    sh.serf_status = left.count(sh.name)     ? "left"
                     : failed.count(sh.name) ? "failed"
                     : seen.count(sh.name)   ? "alive"
                                             : "none";
    sh.version = "1.8.7";
    sh.leader = id == self;
    sh.voter = voter;
    sh.last_term = node->term();
    if (id == self) {
      sh.last_index = leader_last;
    } else {
      const core::Progress* pr = node->raft().tracker().Get(id);
      sh.last_index = pr ? pr->match : 0;
      auto lh = last_heard.find(id);
      sh.last_contact_ms =
          lh == last_heard.end()
              ? UINT64_MAX / 2
              : static_cast<uint64_t>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(now - lh->second)
                        .count());
    }
    const auto threshold_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(autopilot.last_contact_threshold)
            .count());
    sh.healthy = sh.serf_status == "alive" && (id == self || sh.last_contact_ms <= threshold_ms) &&
                 leader_last - std::min(leader_last, sh.last_index) <= autopilot.max_trailing_logs;
    if (sh.healthy) {
      healthy_since.emplace(id, now);
      const auto since = now - healthy_since[id];
      sh.stable_since = std::chrono::system_clock::now() -
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(since);
      if (voter) ++healthy_voters;
    } else {
      healthy_since.erase(id);
    }
    h.servers.push_back(std::move(sh));
  };
  for (core::NodeId id : conf.voters) add(id, true);
  for (core::NodeId id : conf.learners) add(id, false);
  const int quorum = static_cast<int>(conf.voters.size()) / 2 + 1;
  h.failure_tolerance = std::max(0, healthy_voters - quorum);
  h.healthy = std::all_of(h.servers.begin(), h.servers.end(),
                          [](const ServerHealth& x) { return x.healthy; });
  std::lock_guard<std::mutex> lock(pub_mu);
  pub_health = std::move(h);
}

// Consul's autopilot, one change per round: remove dead servers (only while they are a minority
// of the voters and MinQuorum stays met), then promote learners that have been healthy for
// ServerStabilizationTime.
bool Server::Impl::Autopilot(Clock::time_point now) {
  const core::Configuration& conf = node->raft().configuration();
  if (autopilot.cleanup_dead_servers) {
    std::vector<core::NodeId> dead;
    for (core::NodeId id : conf.voters) {
      auto b = book.find(id);
      if (id != self && b != book.end() && failed.count(b->second.name)) dead.push_back(id);
    }
    const size_t voters = conf.voters.size();
    if (!dead.empty() && dead.size() < voters / 2 &&
        voters - 1 >= std::max<uint64_t>(autopilot.min_quorum, 1)) {
      auto r = node->ProposeConfChange(
          core::ConfChange{core::ConfChange::Kind::kRemoveNode, dead.front()});
      if (r.ok()) {
        logger.Info("autopilot: Attempting removal of failed server node: name={}",
                    book[dead.front()].name);
        return true;
      }
    }
    for (core::NodeId id : conf.learners) {
      auto b = book.find(id);
      if (b != book.end() && failed.count(b->second.name)) {
        auto r = node->ProposeConfChange(core::ConfChange{core::ConfChange::Kind::kRemoveNode, id});
        if (r.ok()) return true;
      }
    }
  }
  for (core::NodeId id : conf.learners) {
    auto hs = healthy_since.find(id);
    if (hs == healthy_since.end() || now - hs->second < autopilot.server_stabilization_time)
      continue;
    auto r = node->ProposeConfChange(core::ConfChange{core::ConfChange::Kind::kAddVoter, id});
    if (r.ok()) {
      logger.Info("autopilot: Promoting server to voter: name={}", book[id].name);
      return true;
    }
  }
  return false;
}

void Server::Impl::Reconcile() {
  const auto now = Clock::now();
  if (now < next_reconcile) return;
  next_reconcile = now + tick * 4;
  if (node->role() != core::Role::kLeader) {
    MaybeBootstrap();
    return;
  }
  UpdateHealth(now);
  if (Autopilot(now)) return;
  const core::Configuration& conf = node->raft().configuration();
  for (const auto& [name, s] : seen) {
    const core::NodeId id = NodeIdFor(s.id);
    if (left.count(name)) {
      if (conf.Contains(id) && id != self) {
        auto r = node->ProposeConfChange(core::ConfChange{core::ConfChange::Kind::kRemoveNode, id});
        if (r.ok()) logger.Info("removing server that left: server={} id={}", name, s.id);
        return;  // one change at a time
      }
      continue;
    }
    if (!conf.Contains(id) && !removed_ids.count(s.id) && !failed.count(name)) {
      // New servers replicate as non-voters until autopilot finds them stable.
      Learn(id, PeerInfo{s.id, s.name, s.address});
      const bool stage = autopilot.server_stabilization_time.count() > 0;
      auto r = node->ProposeConfChange(core::ConfChange{
          stage ? core::ConfChange::Kind::kAddLearner : core::ConfChange::Kind::kAddVoter, id});
      if (r.ok()) {
        logger.Info("adding server: server={} id={} voter={}", name, s.id, !stage);
      }
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The driver loop

void Server::Impl::Apply(const raft::LogEntry& e) {
  fsm::ApplyResult r;
  if (e.type == raft::EntryType::kCommand && !e.data.empty() &&
      static_cast<uint8_t>(e.data[0]) == kAutopilotMessageType) {
    r = ApplyAutopilot(e.index, e.data);
  } else if (e.type == raft::EntryType::kCommand) {
    r = fsm.Apply(e.index, e.data);
  } else {
    fsm.Apply(e.index, std::string_view());
    if (e.type == raft::EntryType::kConfiguration) {
      core::Configuration c;
      if (core::DecodeConfiguration(e.data, &c).ok()) {
        applied_config = c;
        std::lock_guard<std::mutex> lock(pub_mu);
        pub_config_index = e.index;
      }
    }
  }
  last_applied.store(e.index, std::memory_order_release);
  if (auto it = pending.find(e.index); it != pending.end()) {
    auto p = std::move(it->second);
    pending.erase(it);
    if (p.term == e.term) {
      if (p.done) p.done(std::move(r));
    } else if (p.done) {
      p.done(Failed(Status::Unavailable("leadership lost while committing log")));
    }
  }
  if (auto it = pending_conf.find(e.index); it != pending_conf.end()) {
    auto done = std::move(it->second);
    pending_conf.erase(it);
    done(Status::OK());
  }
}

void Server::Impl::FailAll(const Status& why) {
  for (auto& [idx, p] : pending)
    if (p.done) p.done(Failed(why));
  pending.clear();
  for (auto& [idx, d] : pending_conf) d(why);
  pending_conf.clear();
}

void Server::Impl::HandleReady() {
  while (node->HasReady()) {
    core::Ready rd = node->GetReady();
    // A leader's AppendEntries/heartbeats/snapshot chunks go out before its own disk write, so
    // that the followers' fsyncs overlap the leader's (Raft thesis §10.2.1). That is safe because
    // the leader counts its own copy of an entry only once it is durable (async_log_writes);
    // everything that promises durability (votes, acknowledgements) still waits for the sync.
    std::vector<core::Message> after;
    if (node->role() == core::Role::kLeader) {
      for (auto& m : rd.messages) {
        if (std::holds_alternative<core::AppendEntriesRequest>(m.body) ||
            std::holds_alternative<core::HeartbeatRequest>(m.body) ||
            std::holds_alternative<core::InstallSnapshotRequest>(m.body)) {
          Send(m);
        } else {
          after.push_back(std::move(m));
        }
      }
    } else {
      after = std::move(rd.messages);
    }
    // Committed entries that were written by an earlier Ready (not in this one's entries or
    // snapshot) are applied before this Ready's disk write, so that their answers need not wait
    // for another fsync. Commitment already required them durable on a quorum.
    size_t applied_early = 0;
    if (!rd.snapshot) {
      const raft::LogIndex first_new = rd.entries.empty()
                                           ? std::numeric_limits<raft::LogIndex>::max()
                                           : rd.entries.front().index;
      while (applied_early < rd.committed_entries.size() &&
             rd.committed_entries[applied_early].index < first_new) {
        Apply(rd.committed_entries[applied_early++]);
      }
    }
    // A leader whose Ready needs a sync only for its entries leaves it to the syncer. Anything
    // else syncs now; a server that is not (or no longer) the leader also syncs whatever its
    // leadership left unsynced before it sends anything.
    const bool leader = node->role() == core::Role::kLeader;
    const bool term_or_vote_changed =
        rd.hard_state && (rd.hard_state->term != synced_term || rd.hard_state->vote != synced_vote);
    const bool async =
        !options.dev && leader && rd.must_sync && !rd.snapshot && !term_or_vote_changed;
    const bool sync_now =
        (rd.must_sync && !async) || (!leader && (unsynced_last || sync_in_flight));
    Status st;
    if (rd.snapshot) st = storage->InstallSnapshot(*rd.snapshot);
    if (st.ok() && !rd.entries.empty()) st = storage->Append(rd.entries);
    if (st.ok() && rd.hard_state) st = storage->SetHardState(*rd.hard_state);
    if (st.ok() && rd.hard_state) {
      synced_term = rd.hard_state->term;
      synced_vote = rd.hard_state->vote;
    }
    if (st.ok() && sync_now) {
      if (!WaitBackgroundSync()) return;
      st = storage->Sync();
      if (st.ok() && unsynced_last) {
        node->ReportDurable(unsynced_last->first, unsynced_last->second);
        unsynced_last.reset();
      }
    }
    if (st.ok() && async && !rd.entries.empty()) {
      unsynced_last = EntryId{rd.entries.back().index, rd.entries.back().term};
    }
    if (!st.ok()) {
      StorageFailed(st);
      return;
    }
    for (const auto& m : after) Send(m);
    if (rd.snapshot) {
      Status rs = RestoreSnapshot(rd.snapshot->data);
      if (!rs.ok()) logger.Error("snapshot restore failed: {}", rs.ToString());
      applied_config = rd.snapshot->metadata.configuration;
      last_applied.store(rd.snapshot->metadata.index, std::memory_order_release);
      logger.Info("installed snapshot: index={} term={}", rd.snapshot->metadata.index,
                  rd.snapshot->metadata.term);
    }
    for (size_t i = applied_early; i < rd.committed_entries.size(); ++i) {
      Apply(rd.committed_entries[i]);
    }
    for (const auto& rs : rd.read_states) {
      auto it = reads.find(rs.context);
      if (it == reads.end()) continue;
      for (auto& d : it->second.done) reads_after_apply.emplace(rs.index, std::move(d));
      reads.erase(it);
    }
    if (rd.soft_state) {
      const bool was_leader = is_leader.load();
      const bool now_leader = rd.soft_state->role == core::Role::kLeader;
      leader_raw.store(rd.soft_state->leader.value(), std::memory_order_release);
      is_leader.store(now_leader, std::memory_order_release);
      if (now_leader && !was_leader) {
        logger.Info("cluster leadership acquired: term={}", node->term());
        next_reconcile = Clock::now();
      } else if (was_leader && !now_leader) {
        logger.Info("cluster leadership lost: term={}", node->term());
        FailAll(Status::Unavailable("leadership lost while committing log"));
      }
      if (!rd.soft_state->leader.IsNone() && rd.soft_state->leader != self) {
        const std::string addr = LeaderAddr();
        logger.Info("new leader elected: leader={} term={}", addr, node->term());
        last_contact_ns.store(Clock::now().time_since_epoch().count(), std::memory_order_release);
      }
    }
    term.store(node->term(), std::memory_order_release);
    node->Advance(/*durable=*/!async);
    if (async) StartBackgroundSync();
    PublishConfig();
    if (finished) return;  // the storage failed
  }
  ServeReadsUpTo(last_applied.load());
}

void Server::Impl::StorageFailed(const Status& st) {
  // Nothing after a failed write can be trusted to be on disk: stop taking part.
  logger.Error("raft storage failed, stopping: error=\"{}\"", st.ToString());
  FailAll(Status::Unavailable("raft storage failed: " + st.message()));
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  Finish();
}

void Server::Impl::SyncerLoop() {
  SetThreadName("raft-sync");
  std::unique_lock<std::mutex> lock(syncer.mu);
  while (true) {
    syncer.cv.wait(lock, [this] { return syncer.stop || syncer.has_job; });
    if (!syncer.has_job) return;  // stopping, nothing queued
    std::function<Status()> job = std::move(syncer.job);
    syncer.has_job = false;
    const uint64_t seq = syncer.seq;
    lock.unlock();
    Status st = options.sync_fault ? options.sync_fault() : Status::OK();
    if (st.ok()) st = job();
    lock.lock();
    syncer.result = st;
    syncer.done = true;
    syncer.cv.notify_all();
    lock.unlock();
    Post([this, seq] { FinishBackgroundSync(seq, true); });
    lock.lock();
  }
}

void Server::Impl::StartBackgroundSync() {
  if (sync_in_flight || !unsynced_last || finished) return;
  auto job = storage->TakeSyncJob();
  if (!job.ok()) return StorageFailed(job.status());
  const EntryId target = *unsynced_last;
  unsynced_last.reset();
  if (!*job) {  // already durable
    node->ReportDurable(target.first, target.second);
    return;
  }
  sync_in_flight = true;
  sync_target = target;
  {
    std::lock_guard<std::mutex> lock(syncer.mu);
    syncer.job = std::move(*job);
    syncer.has_job = true;
    syncer.done = false;
    sync_seq = ++syncer.seq;
  }
  syncer.cv.notify_all();
}

void Server::Impl::FinishBackgroundSync(uint64_t seq, bool restart) {
  if (!sync_in_flight || seq != sync_seq || finished) return;
  Status st;
  {
    std::lock_guard<std::mutex> lock(syncer.mu);
    if (!syncer.done) return;
    st = syncer.result;
  }
  sync_in_flight = false;
  if (!st.ok()) return StorageFailed(st);
  node->ReportDurable(sync_target->first, sync_target->second);
  if (restart) StartBackgroundSync();
}

bool Server::Impl::WaitBackgroundSync() {
  if (!sync_in_flight) return true;
  {
    std::unique_lock<std::mutex> lock(syncer.mu);
    syncer.cv.wait(lock, [this] { return syncer.done; });
  }
  FinishBackgroundSync(sync_seq, false);
  return !finished;
}

void Server::Impl::MaybeSnapshot() {
  const raft::LogIndex applied = last_applied.load();
  if (snapshot_running.load() || applied - storage->SnapshotIndex() < options.snapshot_threshold)
    return;
  if (snapshot_thread.joinable()) snapshot_thread.join();
  auto t = storage->Term(applied);
  if (!t.ok()) return;
  core::SnapshotMetadata meta;
  meta.index = applied;
  meta.term = *t;
  meta.configuration = applied_config;
  // Encoding takes the store's read lock; the file is written and synced off this thread.
  auto data = std::make_shared<std::string>(WrapSnapshot(fsm.Snapshot()));
  snapshot_running = true;
  snapshot_thread = std::thread([this, meta, data] {
    SetThreadName("raft-snapshot");
    Status st = storage->WriteSnapshot(meta, *data);
    if (!st.ok()) logger.Error("snapshot failed: error=\"{}\"", st.ToString());
    Post([this, meta, st, bytes = data->size()] {
      snapshot_running = false;
      if (!st.ok()) return;
      Status s2 = storage->SnapshotWritten(meta);
      if (s2.ok() && meta.index > options.trailing_logs)
        s2 = storage->Compact(meta.index - options.trailing_logs);
      if (!s2.ok()) logger.Warn("log compaction failed: error=\"{}\"", s2.ToString());
      logger.Info("snapshot complete: index={} bytes={}", meta.index, bytes);
    });
  });
}

void Server::Impl::RunOnce() {
  kick_pending.store(false, std::memory_order_release);  // inputs queued from now on kick again
  if (finished) return;
  bool stop = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = stopping;
    if (!stop) {
      proposals.swap(in_proposals);
      frames.swap(in_frames);
      tasks.swap(in_tasks);
      new_reads.swap(in_reads);
    }
  }
  if (stop) {
    Finish();
    return;
  }
  for (auto& [payload, conn] : frames) OnFrame(payload, conn);
  frames.clear();
  for (auto& t : tasks) t();
  tasks.clear();
  if (finished) return;  // a background sync failed; Finish answered what was queued
  const auto now = Clock::now();
  if (forget_leader && now >= forget_leader->first) {
    if (node->leader() == forget_leader->second) {
      node->ForgetLeader(forget_leader->second, 1);
      node->Tick();  // campaigns now
    }
    forget_leader.reset();
  }
  if (now >= next_tick) {
    node->Tick();
    next_tick = now + tick;
    Reconcile();
    std::vector<std::function<void()>> again;
    again.swap(retries);
    for (auto& r : again) r();
  }
  // Proposals waiting for a leader go first, in order.
  if (!waiting.empty()) {
    const bool leader_known = node->role() == core::Role::kLeader || !LeaderAddr().empty();
    std::deque<Waiting> cur;
    cur.swap(waiting);
    for (auto& w : cur) {
      if (now >= w.deadline) {
        w.done(Failed(NoLeader()));
      } else if (leader_known) {
        ProposeLocal(std::move(w.command), std::move(w.done), w.deadline);
      } else {
        waiting.push_back(std::move(w));
      }
    }
  }
  const auto deadline = now + options.rpc_hold_timeout;
  for (auto& p : proposals) ProposeLocal(std::move(p.command), std::move(p.done), deadline);
  proposals.clear();
  if (!new_reads.empty()) {
    ReadBatch b;
    b.done = std::move(new_reads);
    b.deadline = deadline;
    reads.emplace(std::to_string(next_read_ctx++), std::move(b));
    new_reads.clear();
  }
  if (!reads.empty()) IssueReads();
  HandleReady();
  if (finished) return;  // the storage failed
  if ((!options.dev || options.snapshot_threshold > 0) && now >= next_snapshot_check) {
    next_snapshot_check = NextSnapshotCheck(now);
    MaybeSnapshot();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = stopping;  // the storage failed in HandleReady
  }
  if (stop) {
    Finish();
    return;
  }
  // Come back at the next tick (or sooner, to campaign after losing the leader's connection).
  const auto wake = forget_leader ? std::min(next_tick, forget_leader->first) : next_tick;
  if (wake != armed_wake) {
    armed_wake = wake;
    transport->WakeAt(wake, [this] { Kick(); });
  }
}

void Server::Impl::Finish() {
  if (std::exchange(finished, true)) return;
  // A stopped server leads nothing and knows no leader (status/leader, IsLeader, forwarding).
  is_leader.store(false, std::memory_order_release);
  leader_raw.store(0, std::memory_order_release);
  const Status down = Status::Unavailable("server is shutting down");
  FailAll(down);
  for (auto& w : waiting) w.done(Failed(down));
  waiting.clear();
  for (auto& [ctx, b] : reads)
    for (auto& d : b.done) d(down);
  reads.clear();
  for (auto& [i, d] : reads_after_apply) d(down);
  reads_after_apply.clear();
  for (auto& p : proposals) p.done(Failed(down));
  proposals.clear();
  for (auto& d : new_reads) d(down);
  new_reads.clear();
  std::vector<Proposal> rest;
  std::vector<DoneCallback> rest_reads;
  {
    std::lock_guard<std::mutex> lock(mu);
    rest.swap(in_proposals);
    rest_reads.swap(in_reads);
  }
  for (auto& p : rest) p.done(Failed(down));
  for (auto& d : rest_reads) d(down);
}

// ---------------------------------------------------------------------------------------------
// Server

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Server>> Server::Open(const Options& options, Logger logger) {
  auto impl = std::make_unique<Impl>(options, std::move(logger));
  CONSULATE_RETURN_IF_ERROR(impl->Open());
  impl->next_tick = Clock::now() + impl->tick;
  impl->next_snapshot_check = impl->NextSnapshotCheck(Clock::now());
  if (!options.dev) {
    Impl* raw = impl.get();
    impl->syncer.thread = std::thread([raw] { raw->SyncerLoop(); });
  }
  impl->running.store(true, std::memory_order_release);
  impl->Kick();  // handles whatever arrived while opening, and arms the tick timer
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::~Server() { Shutdown(); }

void Server::Shutdown() {
  Impl* s = impl_.get();
  {
    std::lock_guard<std::mutex> lock(s->mu);
    if (s->shut_down) return;
    s->shut_down = true;
    s->stopping = true;
  }
  if (s->transport) {
    // The driver runs on the transport's thread: let it answer what is queued, then stop both.
    std::promise<void> finished;
    s->transport->Post([s, &finished] {
      s->Finish();
      finished.set_value();
    });
    finished.get_future().wait();
    s->transport->Shutdown();
  }
  {
    std::lock_guard<std::mutex> lock(s->syncer.mu);
    s->syncer.stop = true;
  }
  s->syncer.cv.notify_all();
  if (s->syncer.thread.joinable()) s->syncer.thread.join();
  if (s->snapshot_thread.joinable()) s->snapshot_thread.join();
}

void Server::Propose(std::string command, ApplyCallback done) {
  impl_->Propose(std::move(command), std::move(done));
}

void Server::ReadBarrier(bool consistent, DoneCallback done) {
  Impl* s = impl_.get();
  if (!consistent && s->is_leader.load(std::memory_order_acquire)) {
    done(Status::OK());
    return;
  }
  if (!s->Enqueue(&s->in_reads, &done)) done(Status::Unavailable("server is shutting down"));
}

void Server::ServerSeen(const ServerInfo& info) {
  Impl* s = impl_.get();
  s->Post([s, info] {
    s->left.erase(info.name);
    s->removed_ids.erase(info.id);
    s->failed.erase(info.name);
    s->seen[info.name] = info;
    s->Learn(NodeIdFor(info.id), PeerInfo{info.id, info.name, info.address});
    s->next_reconcile = Clock::now();
  });
}

void Server::ServerLeft(const std::string& name) {
  Impl* s = impl_.get();
  s->Post([s, name] {
    if (s->seen.count(name)) s->left.insert(name);
    s->next_reconcile = Clock::now();
  });
}

void Server::ServerFailed(const std::string& name) {
  Impl* s = impl_.get();
  s->Post([s, name] {
    s->failed.insert(name);
    s->next_reconcile = Clock::now();
  });
}

AutopilotConfig Server::GetAutopilotConfig() const {
  std::lock_guard<std::mutex> lock(impl_->pub_mu);
  return impl_->pub_autopilot;
}

void Server::SetAutopilotConfig(const AutopilotConfig& config, bool cas, uint64_t cas_index,
                                ApplyCallback done) {
  Propose(EncodeAutopilotSet(config, cas, cas_index), std::move(done));
}

AutopilotHealth Server::GetAutopilotHealth() const {
  if (!IsLeader()) return AutopilotHealth{};
  std::lock_guard<std::mutex> lock(impl_->pub_mu);
  return impl_->pub_health;
}

void Server::CallLeader(uint8_t method, std::string body, std::chrono::milliseconds timeout,
                        std::function<void(Result<std::string>)> done) {
  const std::string leader = LeaderAddress();
  if (leader.empty()) {
    done(NoLeader());
    return;
  }
  impl_->transport->Call(leader, method, std::move(body), timeout, std::move(done));
}

void Server::RemovePeer(const std::string& id_or_address, DoneCallback done) {
  Impl* s = impl_.get();
  s->Post([s, id_or_address, done = std::move(done)]() mutable {
    if (s->node->role() == core::Role::kLeader) {
      s->OnRequest(static_cast<uint8_t>(RpcMethod::kRemovePeer), id_or_address,
                   [done](std::string resp) { done(DecodeStatus(resp)); });
      return;
    }
    const std::string leader = s->LeaderAddr();
    if (leader.empty()) {
      done(NoLeader());
      return;
    }
    s->transport->Call(
        leader, static_cast<uint8_t>(RpcMethod::kRemovePeer), id_or_address, kForwardTimeout,
        [done](Result<std::string> r) { done(r.ok() ? DecodeStatus(*r) : r.status()); });
  });
}

Status Server::Leave(std::chrono::milliseconds timeout) {
  const auto conf = RaftConfiguration();
  bool member = false;
  for (const auto& p : conf.servers) member |= p.id == impl_->options.node_id;
  if (!member || conf.servers.size() <= 1) return Status::OK();
  impl_->logger.Info("removing this server from the Raft configuration before leaving");
  auto p = std::make_shared<std::promise<Status>>();
  auto f = p->get_future();
  RemovePeer(impl_->options.node_id, [p](Status st) { p->set_value(std::move(st)); });
  if (f.wait_for(timeout) != std::future_status::ready)
    return Status::Unavailable("timed out removing this server from the Raft configuration");
  return f.get();
}

void Server::SetRequestHandler(uint8_t method, RequestHandler handler) {
  std::lock_guard<std::mutex> lock(impl_->handlers_mu);
  impl_->handlers[method] = std::move(handler);
}

state::StateStore& Server::state() { return impl_->state; }
const Options& Server::options() const { return impl_->options; }
bool Server::IsLeader() const { return impl_->is_leader.load(std::memory_order_acquire); }
uint64_t Server::LastApplied() const { return impl_->last_applied.load(std::memory_order_acquire); }
uint64_t Server::CurrentTerm() const { return impl_->term.load(std::memory_order_acquire); }
std::string Server::RpcAddress() const { return impl_->rpc_address; }
bool Server::KnownLeader() const { return impl_->leader_raw.load() != 0; }
std::string Server::LeaderAddress() const { return impl_->LeaderAddr(); }

uint64_t Server::LastContactMs() const {
  if (IsLeader()) return 0;
  const int64_t ns = impl_->last_contact_ns.load(std::memory_order_acquire);
  if (ns == 0) return 0;
  const auto d = Clock::now().time_since_epoch() - Clock::duration(ns);
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

std::vector<std::string> Server::PeerAddresses() const {
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(impl_->pub_mu);
  for (core::NodeId id : impl_->pub_config.voters) {
    auto it = impl_->pub_book.find(id);
    if (it != impl_->pub_book.end()) out.push_back(it->second.address);
  }
  return out;
}

RaftConfigurationView Server::RaftConfiguration() const {
  RaftConfigurationView v;
  const core::NodeId lead(impl_->leader_raw.load());
  std::lock_guard<std::mutex> lock(impl_->pub_mu);
  v.index = impl_->pub_config_index;
  auto add = [&](core::NodeId id, bool voter) {
    RaftPeer p;
    auto it = impl_->pub_book.find(id);
    if (it != impl_->pub_book.end()) {
      p.id = it->second.id;
      p.node = it->second.name;
      p.address = it->second.address;
    } else {
      p.id = core::ToString(id);
    }
    p.leader = id == lead;
    p.voter = voter;
    v.servers.push_back(std::move(p));
  };
  for (core::NodeId id : impl_->pub_config.voters) add(id, true);
  for (core::NodeId id : impl_->pub_config.learners) add(id, false);
  return v;
}

}  // namespace consulate::server
