// Server: the write path of a Consul server. Every change is a command proposed here; the apply
// thread assigns it the next log index, appends a whole batch of proposals to the durable log with
// one write and one fdatasync (group commit), applies the batch to the FSM in index order and only
// then answers each proposer. With one voter a persisted entry is committed; the Raft issue puts
// replication between "persisted" and "applied" without changing this interface.
//
// Restart: the newest state snapshot is restored, then the log after it is replayed. Snapshots are
// taken every `snapshot_threshold` entries and written by a background thread; the log prefix they
// cover (less `trailing_logs`) is then compacted.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "fsm/fsm.h"
#include "state/store.h"

namespace consulate::raft {
class SegmentLog;
class SnapshotStore;
}  // namespace consulate::raft

namespace consulate::server {

struct Options {
  bool dev = false;                    // keep everything in memory (no data dir, no fsync)
  std::string data_dir;                // REQUIRES: non-empty unless dev
  std::string rpc_address;             // "127.0.0.1:8300": what /v1/status/leader reports
  uint64_t snapshot_threshold = 8192;  // Consul's raft_snapshot_threshold
  uint64_t trailing_logs = 10240;      // Consul's raft_trailing_logs
  uint64_t segment_bytes = 64ull << 20;
};

class Server {
 public:
  // Called on the apply thread once the command is applied (or failed). Must not block.
  using ApplyCallback = std::function<void(fsm::ApplyResult)>;

  static Result<std::unique_ptr<Server>> Open(const Options& options, Logger logger);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Thread-safe. `command` is an encoded fsm command (fsm/command.h).
  void Propose(std::string command, ApplyCallback done);

  state::StateStore& state() { return state_; }
  const Options& options() const { return options_; }
  bool IsLeader() const { return true; }
  bool KnownLeader() const { return true; }
  std::string LeaderAddress() const { return options_.rpc_address; }
  uint64_t LastApplied() const { return last_applied_.load(std::memory_order_acquire); }
  uint64_t CurrentTerm() const { return term_; }

  // Stops accepting proposals, answers queued ones with Unavailable, joins the threads.
  void Shutdown();

 private:
  struct Proposal {
    std::string command;
    ApplyCallback done;
  };

  Server(const Options& options, Logger logger);
  Status Recover();
  void ApplyLoop();
  void MaybeSnapshot();
  void FinishSnapshot();

  const Options options_;
  Logger logger_;
  state::StateStore state_;
  fsm::FSM fsm_{&state_};
  std::unique_ptr<raft::SegmentLog> log_;           // null in dev mode; apply thread only
  std::unique_ptr<raft::SnapshotStore> snapshots_;  // null in dev mode
  uint64_t term_ = 1;
  uint64_t next_index_ = 1;  // apply thread only
  std::atomic<uint64_t> last_applied_{0};
  uint64_t last_snapshot_index_ = 0;  // apply thread only
  Status failed_;                     // apply thread only: log I/O failed

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Proposal> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;        // GUARDED_BY(mu_)
  std::thread apply_thread_;

  // Background snapshot writer: at most one at a time.
  std::thread snapshot_thread_;
  std::atomic<bool> snapshot_running_{false};
  std::atomic<uint64_t> snapshot_done_index_{0};  // set by the writer when saved
};

}  // namespace consulate::server
