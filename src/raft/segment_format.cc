#include "raft/segment_format.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/coding.h"
#include "base/crc32c.h"

namespace consulate::raft::segment {

namespace {

constexpr size_t kFileNameDigits = 20;
constexpr std::string_view kFileSuffix = ".log";

enum class Framing { kOk, kShort, kBadLength, kBadChecksum };

// Checks the framing of the record at the front of `input`: enough bytes, a plausible length and
// a matching checksum. On kOk, *body is the record's body and *size the whole record's size.
Framing CheckFraming(std::string_view input, std::string_view* body, size_t* size) {
  if (input.size() < kRecordHeaderSize) return Framing::kShort;
  const uint32_t masked_crc = DecodeFixed32(input.data());
  const uint32_t length = DecodeFixed32(input.data() + 4);
  if (length < kBodyFixedSize || length > kBodyFixedSize + kMaxDataSize) {
    return Framing::kBadLength;
  }
  if (input.size() - kRecordHeaderSize < length) return Framing::kShort;
  const uint32_t actual = crc32c::Value(input.data() + 4, 4 + size_t{length});
  if (crc32c::Unmask(masked_crc) != actual) return Framing::kBadChecksum;
  *body = input.substr(kRecordHeaderSize, length);
  *size = kRecordHeaderSize + length;
  return Framing::kOk;
}

const char* FramingName(Framing f) {
  switch (f) {
    case Framing::kOk:
      return "ok";
    case Framing::kShort:
      return "truncated record";
    case Framing::kBadLength:
      return "impossible record length";
    case Framing::kBadChecksum:
      return "record checksum mismatch";
  }
  return "?";
}

// Decodes a checksummed body. Returns false if the type byte is unknown.
bool DecodeBody(std::string_view body, LogEntry* out) {
  const uint8_t type = static_cast<uint8_t>(body[16]);
  if (type > kMaxEntryType) return false;
  out->index = DecodeFixed64(body.data());
  out->term = DecodeFixed64(body.data() + 8);
  out->type = static_cast<EntryType>(type);
  out->data.assign(body.data() + kBodyFixedSize, body.size() - kBodyFixedSize);
  return true;
}

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace

std::string SegmentFileName(uint64_t first_index) {
  return fmt::format("{:020d}{}", first_index, kFileSuffix);
}

bool ParseSegmentFileName(std::string_view name, uint64_t* first_index) {
  if (name.size() != kFileNameDigits + kFileSuffix.size()) return false;
  if (name.substr(kFileNameDigits) != kFileSuffix) return false;
  uint64_t value = 0;
  for (size_t i = 0; i < kFileNameDigits; ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;  // overflow
    value = value * 10 + digit;
  }
  *first_index = value;
  return true;
}

void AppendFileHeader(uint64_t first_index, std::string* dst) {
  dst->append(kMagic);
  PutFixed64(dst, first_index);
}

void EncodeRecord(const LogEntry& entry, std::string* dst) {
  const size_t start = dst->size();
  const uint32_t length = static_cast<uint32_t>(kBodyFixedSize + entry.data.size());
  PutFixed32(dst, 0);  // checksum, filled in below
  PutFixed32(dst, length);
  PutFixed64(dst, entry.index);
  PutFixed64(dst, entry.term);
  dst->push_back(static_cast<char>(entry.type));
  dst->append(entry.data);
  const uint32_t crc = crc32c::Value(dst->data() + start + 4, 4 + size_t{length});
  EncodeFixed32(dst->data() + start, crc32c::Mask(crc));
}

Status DecodeRecord(std::string_view* input, LogEntry* out) {
  std::string_view body;
  size_t size = 0;
  const Framing f = CheckFraming(*input, &body, &size);
  if (f != Framing::kOk) return Status::Corruption(FramingName(f));
  if (!DecodeBody(body, out)) return Status::Corruption("unknown entry type");
  input->remove_prefix(size);
  return Status::OK();
}

Status ScanSegment(std::string_view contents, uint64_t first_index, uint64_t prev_term,
                   ScanResult* out) {
  *out = ScanResult();
  out->last_term = prev_term;
  const std::string name = SegmentFileName(first_index);
  if (contents.size() < kFileHeaderSize || AllZero(contents.substr(0, kFileHeaderSize))) {
    // Created but the header never reached the disk: nothing in the file can be trusted.
    if (!AllZero(contents)) {
      out->tail = Status::Corruption(name + ": missing file header");
      out->bad_bytes = contents.size();
    }
    return Status::OK();
  }
  if (contents.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption(name + ": bad magic");
  }
  const uint64_t header_index = DecodeFixed64(contents.data() + kMagic.size());
  if (header_index != first_index) {
    return Status::Corruption(fmt::format("{}: header says first index {}", name, header_index));
  }

  uint64_t pos = kFileHeaderSize;
  uint64_t expected_index = first_index;
  uint64_t last_term = prev_term;
  LogEntry entry;
  while (pos < contents.size()) {
    std::string_view body;
    size_t size = 0;
    const Framing f = CheckFraming(contents.substr(pos), &body, &size);
    if (f != Framing::kOk) {
      const std::string_view rest = contents.substr(pos);
      if (!AllZero(rest)) {
        out->tail = Status::Corruption(fmt::format("{}: {} at offset {} (index {})", name,
                                                   FramingName(f), pos, expected_index));
        out->bad_bytes = rest.size();
      }
      break;
    }
    // A checksummed record was written by us as it is; a wrong field is not a torn write.
    const uint64_t index = DecodeFixed64(body.data());
    const uint64_t term = DecodeFixed64(body.data() + 8);
    if (static_cast<uint8_t>(body[16]) > kMaxEntryType) {
      return Status::Corruption(fmt::format("{}: unknown entry type at offset {}", name, pos));
    }
    if (index != expected_index) {
      return Status::Corruption(fmt::format("{}: record at offset {} has index {}, want {}", name,
                                            pos, index, expected_index));
    }
    if (term < last_term) {
      return Status::Corruption(fmt::format("{}: term goes back from {} to {} at index {}", name,
                                            last_term, term, index));
    }
    if (pos > UINT32_MAX) {
      return Status::Corruption(fmt::format("{}: record offset {} too large", name, pos));
    }
    if (term != last_term) out->term_changes.emplace_back(index, term);
    out->offsets.push_back(static_cast<uint32_t>(pos));
    last_term = term;
    ++expected_index;
    pos += size;
  }
  out->valid_end = pos;
  out->last_term = last_term;
  return Status::OK();
}

}  // namespace consulate::raft::segment
