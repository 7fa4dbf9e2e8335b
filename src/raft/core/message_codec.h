// The wire encoding of Raft messages (base/coding.h primitives; house rule 4).
//
//   message   = type byte | from varint64 | to varint64 | term varint64 | body
//   type      = index of the body's alternative in MessageBody (stable, append-only)
//   bool      = one byte, 0 or 1
//   string    = varint32 length | bytes
//   VoteRequest            = last_log_index v64 | last_log_term v64 | leadership_transfer bool
//   VoteResponse           = granted bool
//   PreVoteRequest         = last_log_index v64 | last_log_term v64
//   PreVoteResponse        = granted bool
//   AppendEntriesRequest   = prev_log_index v64 | prev_log_term v64 | commit_index v64 |
//                            count v64 | count x (term v64 | type byte | data string)
//                            (entry i has index prev_log_index + 1 + i, so it is not sent)
//   AppendEntriesResponse  = index v64 | rejected bool | hint_index v64 | hint_term v64
//   HeartbeatRequest       = commit_index v64 | context string
//   HeartbeatResponse      = context string
//   InstallSnapshotRequest = index v64 | term v64 | configuration | offset v64 | data string |
//                            done bool
//   InstallSnapshotResponse= snapshot_index v64 | next_offset v64 | done bool | last_index v64
//   TimeoutNowRequest      = (empty)
//   ReadIndexRequest       = context string
//   ReadIndexResponse      = index v64 | context string
//   configuration          = see EncodeConfiguration (configuration.h)
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "raft/core/message.h"

namespace consulate::raft::core {

std::string EncodeMessage(const Message& message);
// Appends the encoding to *dst.
void EncodeMessageTo(const Message& message, std::string* dst);

// Parses exactly one message occupying all of `input`. Never crashes or over-allocates on bad
// input: Corruption if the bytes are truncated, have trailing garbage, an unknown type, a bool
// other than 0/1, an unknown entry type, or an invalid configuration. *out is unchanged on error.
Status DecodeMessage(std::string_view input, Message* out);

}  // namespace consulate::raft::core
