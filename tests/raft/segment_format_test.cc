#include "raft/segment_format.h"

#include <gtest/gtest.h>

#include "base/coding.h"
#include "base/crc32c.h"

namespace consulate::raft::segment {
namespace {

LogEntry Entry(uint64_t index, uint64_t term, std::string data,
               EntryType type = EntryType::kCommand) {
  return LogEntry{index, term, type, std::move(data)};
}

// A segment file for first_index holding `entries`.
std::string MakeSegment(uint64_t first_index, const std::vector<LogEntry>& entries) {
  std::string file;
  AppendFileHeader(first_index, &file);
  for (const LogEntry& e : entries) EncodeRecord(e, &file);
  return file;
}

// Re-signs the record at `offset` after its bytes were edited, so the checksum matches again.
void Reseal(std::string* file, size_t offset) {
  const uint32_t length = DecodeFixed32(file->data() + offset + 4);
  const uint32_t crc = crc32c::Value(file->data() + offset + 4, 4 + size_t{length});
  EncodeFixed32(file->data() + offset, crc32c::Mask(crc));
}

TEST(SegmentFormatTest, FileNames) {
  EXPECT_EQ(SegmentFileName(1), "00000000000000000001.log");
  EXPECT_EQ(SegmentFileName(UINT64_MAX), "18446744073709551615.log");
  uint64_t first = 0;
  ASSERT_TRUE(ParseSegmentFileName("00000000000000000042.log", &first));
  EXPECT_EQ(first, 42u);
  ASSERT_TRUE(ParseSegmentFileName("18446744073709551615.log", &first));
  EXPECT_EQ(first, UINT64_MAX);
  EXPECT_FALSE(ParseSegmentFileName("18446744073709551616.log", &first));  // overflow
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000042.log", &first));
  EXPECT_FALSE(ParseSegmentFileName("00000000000000000042.snap", &first));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000004x.log", &first));
  EXPECT_FALSE(ParseSegmentFileName("LOCK", &first));
}

TEST(SegmentFormatTest, RecordRoundTrip) {
  std::string buf;
  const LogEntry a = Entry(7, 3, "hello", EntryType::kConfiguration);
  const LogEntry b = Entry(8, 3, "", EntryType::kNoop);
  EncodeRecord(a, &buf);
  EXPECT_EQ(buf.size(), EncodedSize(a));
  EncodeRecord(b, &buf);
  std::string_view in = buf;
  LogEntry got;
  ASSERT_TRUE(DecodeRecord(&in, &got).ok());
  EXPECT_EQ(got, a);
  ASSERT_TRUE(DecodeRecord(&in, &got).ok());
  EXPECT_EQ(got, b);
  EXPECT_TRUE(in.empty());
}

TEST(SegmentFormatTest, DecodeRejectsEveryTruncationAndEveryBitFlip) {
  std::string buf;
  EncodeRecord(Entry(1, 1, "payload"), &buf);
  for (size_t len = 0; len < buf.size(); ++len) {
    std::string_view in(buf.data(), len);
    LogEntry e;
    EXPECT_TRUE(DecodeRecord(&in, &e).IsCorruption()) << len;
  }
  for (size_t bit = 0; bit < buf.size() * 8; ++bit) {
    std::string bad = buf;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    std::string_view in = bad;
    LogEntry e;
    EXPECT_TRUE(DecodeRecord(&in, &e).IsCorruption()) << bit;
  }
}

TEST(SegmentFormatTest, ScanValidSegment) {
  const std::vector<LogEntry> entries = {Entry(5, 1, "a"), Entry(6, 1, "bb"), Entry(7, 2, "ccc"),
                                         Entry(8, 4, "")};
  const std::string file = MakeSegment(5, entries);
  ScanResult scan;
  ASSERT_TRUE(ScanSegment(file, 5, 1, &scan).ok());
  EXPECT_TRUE(scan.tail.ok());
  ASSERT_EQ(scan.offsets.size(), 4u);
  EXPECT_EQ(scan.offsets[0], kFileHeaderSize);
  EXPECT_EQ(scan.offsets[1], kFileHeaderSize + EncodedSize(entries[0]));
  EXPECT_EQ(scan.valid_end, file.size());
  EXPECT_EQ(scan.last_term, 4u);
  // prev_term 1 equals the first term, so only the changes at 7 and 8 are listed.
  const std::vector<std::pair<uint64_t, uint64_t>> want = {{7, 2}, {8, 4}};
  EXPECT_EQ(scan.term_changes, want);
}

TEST(SegmentFormatTest, ZeroTailIsClean) {
  std::string file = MakeSegment(1, {Entry(1, 1, "x")});
  const size_t end = file.size();
  file.append(5000, '\0');
  ScanResult scan;
  ASSERT_TRUE(ScanSegment(file, 1, 0, &scan).ok());
  EXPECT_TRUE(scan.tail.ok());
  EXPECT_EQ(scan.valid_end, end);
  EXPECT_EQ(scan.bad_bytes, 0u);
}

TEST(SegmentFormatTest, GarbageTailIsReportedNotFatal) {
  std::string file = MakeSegment(1, {Entry(1, 1, "x"), Entry(2, 1, "y")});
  const size_t second = kFileHeaderSize + EncodedSize(Entry(1, 1, "x"));
  file[file.size() - 1] ^= 0x40;  // inside the second record's data
  ScanResult scan;
  ASSERT_TRUE(ScanSegment(file, 1, 0, &scan).ok());
  EXPECT_TRUE(scan.tail.IsCorruption());
  EXPECT_EQ(scan.offsets.size(), 1u);
  EXPECT_EQ(scan.valid_end, second);
  EXPECT_EQ(scan.bad_bytes, file.size() - second);
}

TEST(SegmentFormatTest, MissingHeader) {
  ScanResult scan;
  ASSERT_TRUE(ScanSegment("", 3, 0, &scan).ok());
  EXPECT_TRUE(scan.tail.ok());
  EXPECT_EQ(scan.valid_end, 0u);
  ASSERT_TRUE(ScanSegment(std::string(100, '\0'), 3, 0, &scan).ok());
  EXPECT_TRUE(scan.tail.ok());
  EXPECT_EQ(scan.valid_end, 0u);
  std::string partial = MakeSegment(3, {}).substr(0, 5);
  ASSERT_TRUE(ScanSegment(partial, 3, 0, &scan).ok());
  EXPECT_TRUE(scan.tail.IsCorruption());
  EXPECT_EQ(scan.valid_end, 0u);
}

TEST(SegmentFormatTest, WrongHeaderIsFatal) {
  ScanResult scan;
  EXPECT_TRUE(ScanSegment(MakeSegment(4, {}), 3, 0, &scan).IsCorruption());
  std::string file = MakeSegment(3, {});
  file[0] = 'X';
  EXPECT_TRUE(ScanSegment(file, 3, 0, &scan).IsCorruption());
}

TEST(SegmentFormatTest, ChecksummedButWrongRecordIsFatal) {
  // Wrong index.
  ScanResult scan;
  EXPECT_TRUE(ScanSegment(MakeSegment(1, {Entry(1, 1, "a"), Entry(3, 1, "b")}), 1, 0, &scan)
                  .IsCorruption());
  // Term going backwards, within the file and against the previous segment.
  EXPECT_TRUE(ScanSegment(MakeSegment(1, {Entry(1, 2, "a"), Entry(2, 1, "b")}), 1, 0, &scan)
                  .IsCorruption());
  EXPECT_TRUE(ScanSegment(MakeSegment(1, {Entry(1, 2, "a")}), 1, 3, &scan).IsCorruption());
  // Unknown type with a valid checksum.
  std::string file = MakeSegment(1, {Entry(1, 1, "a")});
  file[kFileHeaderSize + kRecordHeaderSize + 16] = 9;
  Reseal(&file, kFileHeaderSize);
  EXPECT_TRUE(ScanSegment(file, 1, 0, &scan).IsCorruption());
}

TEST(SegmentFormatTest, ImpossibleLengthStopsScan) {
  std::string file = MakeSegment(1, {Entry(1, 1, "a")});
  std::string bogus(8, '\0');
  EncodeFixed32(bogus.data(), 1234);
  EncodeFixed32(bogus.data() + 4, 3);  // shorter than the fixed body
  file += bogus;
  ScanResult scan;
  ASSERT_TRUE(ScanSegment(file, 1, 0, &scan).ok());
  EXPECT_TRUE(scan.tail.IsCorruption());
  EXPECT_EQ(scan.offsets.size(), 1u);
}

}  // namespace
}  // namespace consulate::raft::segment
