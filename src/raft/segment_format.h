// On-disk format of one Raft log segment file, and the pure (I/O-free) code that encodes and
// scans it. Kept apart from SegmentLog so the scanner can be unit-tested and fuzzed on byte
// strings.
//
// A segment file is named SegmentFileName(first_index), e.g. "00000000000000000001.log", and holds
//   file header   magic "CSLRLOG1" (8 bytes) | first_index fixed64          = kFileHeaderSize bytes
//   records...    back to back; a record is never split across files
// A record is
//   masked_crc fixed32 | length fixed32 | body (length bytes)
//   body = index fixed64 | term fixed64 | type uint8 | data
// masked_crc is crc32c::Mask of the CRC32C over the length field and the body, so a corrupted
// length is caught too. Record k of the file (0-based) has index first_index + k; terms never
// decrease. A file may end in zero bytes (space preallocated with fallocate); a zero length is
// never valid, so the zeros end the scan cleanly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "raft/log_entry.h"

namespace consulate::raft::segment {

inline constexpr std::string_view kMagic = "CSLRLOG1";
inline constexpr size_t kFileHeaderSize = 16;
inline constexpr size_t kRecordHeaderSize = 8;  // masked crc + length
inline constexpr size_t kBodyFixedSize = 17;    // index + term + type
// Largest data payload of one entry (1 GiB). Keeps every record offset within uint32_t given
// SegmentLog's segment_bytes limit.
inline constexpr size_t kMaxDataSize = size_t{1} << 30;

// "%020llu.log".
std::string SegmentFileName(uint64_t first_index);
// Accepts exactly 20 digits + ".log"; false for anything else (e.g. "LOG", "x.tmp").
bool ParseSegmentFileName(std::string_view name, uint64_t* first_index);

void AppendFileHeader(uint64_t first_index, std::string* dst);
// Bytes EncodeRecord appends for `entry`.
inline size_t EncodedSize(const LogEntry& entry) {
  return kRecordHeaderSize + kBodyFixedSize + entry.data.size();
}
// REQUIRES: entry.data.size() <= kMaxDataSize
void EncodeRecord(const LogEntry& entry, std::string* dst);

// Decodes the record at the front of *input and advances past it. Returns Corruption (with what
// was wrong) when the bytes are short, the length is impossible, the checksum does not match or
// the type is unknown. Does not check the index against anything.
Status DecodeRecord(std::string_view* input, LogEntry* out);

// What ScanSegment found in one file.
struct ScanResult {
  // offsets[k] is the byte offset of record first_index + k, for every complete valid record.
  std::vector<uint32_t> offsets;
  // (index, term) at each record whose term differs from the term before it (the first record is
  // compared with the prev_term argument).
  std::vector<std::pair<uint64_t, uint64_t>> term_changes;
  uint64_t last_term = 0;  // term of the last valid record, else prev_term
  // Bytes [0, valid_end) hold the header and the valid records; 0 if the header is missing.
  uint64_t valid_end = 0;
  // OK if the file ends exactly at valid_end or only zeros follow it. Otherwise why the bytes at
  // valid_end do not form a record: a torn write in the active segment, corruption elsewhere.
  Status tail;
  // Bytes after valid_end that are not part of an all-zero tail (0 when tail is OK).
  uint64_t bad_bytes = 0;
};

// Scans `contents`, a whole segment file named for first_index; prev_term is the last term of the
// previous segment (0 if none). Stops at the first record that fails to decode and reports it in
// out->tail. Returns Corruption (and nothing is recoverable) only for damage a torn write cannot
// explain: a non-zero header that is wrong, or a checksummed record with the wrong index or a
// decreasing term. A header that is short or all zeros (a crash while creating the file) is a
// tail problem with valid_end 0.
Status ScanSegment(std::string_view contents, uint64_t first_index, uint64_t prev_term,
                   ScanResult* out);

}  // namespace consulate::raft::segment
