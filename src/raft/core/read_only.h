// ReadOnly: the leader's queue of ReadIndex requests waiting for a quorum of heartbeat acks
// (thesis §6.4; etcd's readOnly with ReadOnlySafe).
//
// A request records the commit index when it arrived. The leader then sends heartbeats carrying
// the request's context; once a majority of voters echoed it, the leader was still the leader
// when the request arrived, so the recorded commit index covers every write acknowledged before
// the read began. Requests are answered in arrival order: an ack for a later request also
// confirms every earlier one.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "raft/core/types.h"

namespace consulate::raft::core {

struct ReadIndexStatus {
  LogIndex index = 0;
  NodeId requester;  // who gets the answer: this node (a local read) or a follower
  std::string context;
  std::set<NodeId> acks;
};

class ReadOnly {
 public:
  // Queues a request; a context already pending is ignored (contexts must be unique).
  void AddRequest(LogIndex commit_index, NodeId requester, std::string context);
  // Records that `from` echoed `context`; returns the acks so far, or nullptr if the context is
  // not pending.
  const std::set<NodeId>* RecvAck(NodeId from, const std::string& context);
  // Removes and returns every request up to and including `context`, oldest first.
  std::vector<ReadIndexStatus> Advance(const std::string& context);
  // The newest pending context ("" if none): every heartbeat carries it, so a lost heartbeat
  // round does not strand a read.
  std::string LastPendingContext() const { return queue_.empty() ? "" : queue_.back(); }
  size_t PendingCount() const { return queue_.size(); }
  void Reset() {
    pending_.clear();
    queue_.clear();
  }

 private:
  std::map<std::string, ReadIndexStatus> pending_;
  std::deque<std::string> queue_;
};

}  // namespace consulate::raft::core
