#include "server/server.h"

#include <sys/stat.h>

#include <cerrno>

#include "raft/segment_log.h"
#include "raft/snapshot_store.h"
#include "raft/stable_store.h"

namespace consulate::server {

namespace {
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
}  // namespace

Server::Server(const Options& options, Logger logger)
    : options_(options), logger_(std::move(logger)) {}

Result<std::unique_ptr<Server>> Server::Open(const Options& options, Logger logger) {
  std::unique_ptr<Server> s(new Server(options, std::move(logger)));
  CONSULATE_RETURN_IF_ERROR(s->Recover());
  s->apply_thread_ = std::thread([p = s.get()] { p->ApplyLoop(); });
  return s;
}

Server::~Server() { Shutdown(); }

Status Server::Recover() {
  if (options_.dev) {
    next_index_ = 1;
    return Status::OK();
  }
  const std::string raft_dir = options_.data_dir + "/raft";
  CONSULATE_RETURN_IF_ERROR(MakeDirs(raft_dir + "/snapshots"));
  CONSULATE_RETURN_IF_ERROR(MakeDirs(raft_dir + "/log"));

  // The term: each start of a single server is an election it wins, so the term goes up by one.
  auto stable = raft::StableStore::Open(raft_dir, raft::StableStore::Options{});
  if (!stable.ok()) return stable.status();
  raft::HardState hs = (*stable)->state();
  hs.current_term += 1;
  term_ = hs.current_term;
  CONSULATE_RETURN_IF_ERROR((*stable)->Save(hs));

  auto snaps = raft::SnapshotStore::Open(raft_dir + "/snapshots", raft::SnapshotStore::Options{});
  if (!snaps.ok()) return snaps.status();
  snapshots_ = std::move(*snaps);
  auto latest = snapshots_->LoadLatest();
  if (!latest.ok()) return latest.status();
  uint64_t snap_index = 0;
  if (latest->has_value()) {
    const raft::Snapshot& snap = **latest;
    CONSULATE_RETURN_IF_ERROR(fsm_.Restore(snap.data));
    snap_index = snap.meta.index;
    last_snapshot_index_ = snap_index;
    logger_.Info("restored snapshot: index={} term={} bytes={}", snap.meta.index, snap.meta.term,
                 snap.data.size());
  }

  raft::SegmentLog::Options lo;
  lo.segment_bytes = options_.segment_bytes;
  lo.sync = true;
  auto log = raft::SegmentLog::Open(raft_dir + "/log", lo);
  if (!log.ok()) return log.status();
  log_ = std::move(*log);

  // A crash during compaction can leave a log that ends before the snapshot: forget it again.
  if (snap_index > 0 && log_->LastIndex() < snap_index)
    CONSULATE_RETURN_IF_ERROR(log_->CompactPrefix(snap_index));
  // Replay what the snapshot does not cover.
  uint64_t first = std::max(log_->FirstIndex(), snap_index + 1);
  uint64_t last = log_->IsEmpty() ? 0 : log_->LastIndex();
  if (!log_->IsEmpty() && log_->FirstIndex() > snap_index + 1) {
    return Status::Corruption("log starts at " + std::to_string(log_->FirstIndex()) +
                              " but the newest snapshot ends at " + std::to_string(snap_index));
  }
  uint64_t replayed = 0;
  for (uint64_t lo_idx = first; lo_idx <= last && last != 0;) {
    std::vector<raft::LogEntry> batch;
    uint64_t hi = std::min(last + 1, lo_idx + 4096);
    CONSULATE_RETURN_IF_ERROR(log_->Entries(lo_idx, hi, UINT64_MAX, &batch));
    if (batch.empty()) break;
    for (const auto& e : batch) {
      fsm_.Apply(e.index, e.type == raft::EntryType::kCommand ? std::string_view(e.data)
                                                              : std::string_view());
      ++replayed;
    }
    lo_idx = batch.back().index + 1;
  }
  next_index_ = std::max(log_->LastIndex(), snap_index) + 1;
  last_applied_.store(next_index_ - 1, std::memory_order_release);
  logger_.Info("recovered state: snapshot_index={} replayed_entries={} last_index={} term={}",
               snap_index, replayed, next_index_ - 1, term_);
  return Status::OK();
}

void Server::Propose(std::string command, ApplyCallback done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(Proposal{std::move(command), std::move(done)});
      if (queue_.size() == 1) cv_.notify_one();
      return;
    }
  }
  fsm::ApplyResult r;
  r.status = Status::Unavailable("server is shutting down");
  done(std::move(r));
}

void Server::ApplyLoop() {
  // A new term starts with a no-op entry (Raft §8): it commits everything before it.
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.insert(queue_.begin(), Proposal{std::string(), nullptr});
  }
  std::vector<Proposal> batch;
  std::vector<raft::LogEntry> entries;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) break;
      batch.swap(queue_);
    }
    const uint64_t first = next_index_;
    Status st = failed_;
    if (log_ && st.ok()) {
      entries.clear();
      entries.reserve(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        raft::LogEntry e;
        e.index = first + i;
        e.term = term_;
        e.type = batch[i].command.empty() ? raft::EntryType::kNoop : raft::EntryType::kCommand;
        e.data = std::move(batch[i].command);
        entries.push_back(std::move(e));
      }
      st = log_->Append(entries);
      if (st.ok()) st = log_->Sync();
      if (!st.ok()) {
        // Nothing after a failed write can be trusted to be on disk: refuse all further writes.
        logger_.Error("log write failed, refusing writes: error=\"{}\"", st.ToString());
        failed_ = st;
      }
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      fsm::ApplyResult r;
      if (!st.ok()) {
        r.status = Status::Unavailable("log write failed: " + st.message());
      } else {
        std::string_view cmd =
            log_ ? std::string_view(entries[i].data) : std::string_view(batch[i].command);
        r = fsm_.Apply(first + i, cmd);
      }
      if (batch[i].done) batch[i].done(std::move(r));
    }
    if (st.ok()) {
      next_index_ += batch.size();
      last_applied_.store(next_index_ - 1, std::memory_order_release);
    }
    batch.clear();
    if (log_ && st.ok()) {
      FinishSnapshot();
      MaybeSnapshot();
    }
  }
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

void Server::MaybeSnapshot() {
  const uint64_t applied = next_index_ - 1;
  if (applied - last_snapshot_index_ < options_.snapshot_threshold || snapshot_running_.load())
    return;
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
  // Encoding takes the store's read lock; the file is written and synced off this thread.
  std::string data = fsm_.Snapshot();
  raft::SnapshotMeta meta;
  meta.index = applied;
  meta.term = term_;
  last_snapshot_index_ = applied;
  snapshot_running_ = true;
  snapshot_thread_ = std::thread([this, meta, data = std::move(data)] {
    Status st = snapshots_->Save(meta, data);
    if (st.ok()) {
      logger_.Info("snapshot complete: index={} bytes={}", meta.index, data.size());
      snapshot_done_index_.store(meta.index, std::memory_order_release);
    } else {
      logger_.Error("snapshot failed: error=\"{}\"", st.ToString());
    }
    snapshot_running_ = false;
  });
}

void Server::FinishSnapshot() {
  uint64_t done = snapshot_done_index_.exchange(0, std::memory_order_acq_rel);
  if (done == 0 || done <= options_.trailing_logs) return;
  Status st = log_->CompactPrefix(done - options_.trailing_logs);
  if (!st.ok()) logger_.Warn("log compaction failed: error=\"{}\"", st.ToString());
}

void Server::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !apply_thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (apply_thread_.joinable()) apply_thread_.join();
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

}  // namespace consulate::server
