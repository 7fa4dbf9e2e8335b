// The messages Raft servers exchange, as request/response pairs (house rule 11), plus the
// snapshot types they carry. The wire encoding is in message_codec.h.
//
// Every message travels in a Message envelope that carries the sender's current term; the core
// handles terms generically (Raft §5.1: a newer term makes the receiver a follower, an older one
// is rejected) before looking at the body.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "raft/core/configuration.h"
#include "raft/core/types.h"
#include "raft/log_entry.h"

namespace consulate::raft::core {

struct SnapshotMetadata {
  LogIndex index = 0;           // last index the snapshot covers
  TermId term = 0;              // term of that entry
  Configuration configuration;  // membership as of index
  friend bool operator==(const SnapshotMetadata&, const SnapshotMetadata&) = default;
};

// A state-machine image. The core never looks inside data.
struct Snapshot {
  SnapshotMetadata metadata;
  std::string data;
  bool IsEmpty() const { return metadata.index == 0; }
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// Raft §5.2 RequestVote. Also used, with pre_vote semantics, as PreVoteRequest (thesis §9.6):
// the envelope term is the term the candidate *would* use; receivers do not change state.
struct VoteRequest {
  LogIndex last_log_index = 0;
  TermId last_log_term = 0;
  // Set by a leadership-transfer target: voters ignore their leader lease (thesis §3.10).
  bool leadership_transfer = false;
  friend bool operator==(const VoteRequest&, const VoteRequest&) = default;
};
struct VoteResponse {
  bool granted = false;
  friend bool operator==(const VoteResponse&, const VoteResponse&) = default;
};
struct PreVoteRequest {
  LogIndex last_log_index = 0;
  TermId last_log_term = 0;
  friend bool operator==(const PreVoteRequest&, const PreVoteRequest&) = default;
};
struct PreVoteResponse {
  bool granted = false;
  friend bool operator==(const PreVoteResponse&, const PreVoteResponse&) = default;
};

// Raft §5.3 AppendEntries: entries follow (prev_log_index, prev_log_term).
struct AppendEntriesRequest {
  LogIndex prev_log_index = 0;
  TermId prev_log_term = 0;
  std::vector<LogEntry> entries;  // consecutive indices from prev_log_index + 1
  LogIndex commit_index = 0;
  friend bool operator==(const AppendEntriesRequest&, const AppendEntriesRequest&) = default;
};
// Accepted: the follower's log matches the leader's through `index`.
// Rejected: `index` is the prev_log_index that did not match; (hint_index, hint_term) is the
// follower's guess of where to retry, for fast backtracking (etcd's RejectHint/LogTerm; Raft
// §5.3 "the follower can include the term of the conflicting entry"): the largest index <=
// min(index, last) whose term is <= the leader's prev_log_term, and that term (0 if unknown).
struct AppendEntriesResponse {
  LogIndex index = 0;
  bool rejected = false;
  LogIndex hint_index = 0;
  TermId hint_term = 0;
  friend bool operator==(const AppendEntriesResponse&, const AppendEntriesResponse&) = default;
};

// A heartbeat is an AppendEntries without entries and without a log check, so it may carry only a
// commit index that the follower is known to hold (min(match, commit)). A non-empty context asks
// the follower to echo it: that is how ReadIndex confirms leadership.
struct HeartbeatRequest {
  LogIndex commit_index = 0;
  std::string context;
  friend bool operator==(const HeartbeatRequest&, const HeartbeatRequest&) = default;
};
struct HeartbeatResponse {
  std::string context;
  friend bool operator==(const HeartbeatResponse&, const HeartbeatResponse&) = default;
};

// Raft §7 InstallSnapshot, in chunks: bytes [offset, offset + data.size()) of the snapshot's data;
// `done` marks the last chunk. The follower assembles chunks in order and installs on `done`.
struct InstallSnapshotRequest {
  SnapshotMetadata metadata;
  uint64_t offset = 0;
  std::string data;
  bool done = false;
  friend bool operator==(const InstallSnapshotRequest&, const InstallSnapshotRequest&) = default;
};
// For the snapshot at snapshot_index: the follower holds bytes [0, next_offset) so far. When
// `done`, the snapshot was installed (or was not needed) and last_index is the follower's last
// log index that matches the leader's.
struct InstallSnapshotResponse {
  LogIndex snapshot_index = 0;
  uint64_t next_offset = 0;
  bool done = false;
  LogIndex last_index = 0;
  friend bool operator==(const InstallSnapshotResponse&, const InstallSnapshotResponse&) = default;
};

// Leadership transfer (thesis §3.10): the leader tells an up-to-date follower to campaign now.
struct TimeoutNowRequest {
  friend bool operator==(const TimeoutNowRequest&, const TimeoutNowRequest&) = default;
};

// A follower forwards ReadIndex to its leader, which answers with the read index once it has
// confirmed its leadership.
struct ReadIndexRequest {
  std::string context;
  friend bool operator==(const ReadIndexRequest&, const ReadIndexRequest&) = default;
};
struct ReadIndexResponse {
  LogIndex index = 0;
  std::string context;
  friend bool operator==(const ReadIndexResponse&, const ReadIndexResponse&) = default;
};

// The order of the alternatives is part of the wire format (the variant index is the type byte):
// append only, never reorder.
using MessageBody =
    std::variant<VoteRequest, VoteResponse, PreVoteRequest, PreVoteResponse, AppendEntriesRequest,
                 AppendEntriesResponse, HeartbeatRequest, HeartbeatResponse, InstallSnapshotRequest,
                 InstallSnapshotResponse, TimeoutNowRequest, ReadIndexRequest, ReadIndexResponse>;

struct Message {
  NodeId from;
  NodeId to;
  TermId term = 0;  // the sender's term (for PreVoteRequest: the term it would campaign in)
  MessageBody body;
  friend bool operator==(const Message&, const Message&) = default;
};

// "AppendEntriesRequest" and so on; for logs and test failures.
const char* MessageTypeName(const MessageBody& body);
std::string DescribeMessage(const Message& message);

}  // namespace consulate::raft::core
