#include "raft/segment_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <random>
#include <thread>

#include "raft/segment_format.h"
#include "temp_dir.h"

namespace consulate::raft {
namespace {

using testutil::ReadFileOrDie;
using testutil::TempDir;
using testutil::WriteFileOrDie;

}  // namespace

// Short gtest failure output for entries.
void PrintTo(const LogEntry& e, std::ostream* os) {
  *os << "{index " << e.index << " term " << e.term << " type " << static_cast<int>(e.type)
      << " data " << e.data.size() << " bytes}";
}

namespace {

LogEntry Entry(uint64_t index, uint64_t term, size_t size = 150) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + (index * 7 + i) % 26);
  const EntryType type = index % 5 == 0 ? EntryType::kNoop : EntryType::kCommand;
  return LogEntry{index, term, type, std::move(data)};
}

std::vector<LogEntry> Range(uint64_t lo, uint64_t hi, uint64_t term, size_t size = 150) {
  std::vector<LogEntry> out;
  for (uint64_t i = lo; i < hi; ++i) out.push_back(Entry(i, term, size));
  return out;
}

SegmentLog::Options SmallSegments(uint64_t bytes = 4096) {
  SegmentLog::Options o;
  o.segment_bytes = bytes;
  o.sync = false;
  return o;
}

std::unique_ptr<SegmentLog> OpenOrDie(const std::string& dir, const SegmentLog::Options& o) {
  auto r = SegmentLog::Open(dir, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

std::vector<LogEntry> ReadAll(const SegmentLog& log) {
  std::vector<LogEntry> out;
  Status s = log.Entries(log.FirstIndex(), log.LastIndex() + 1, UINT64_MAX, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::vector<std::string> SegmentFiles(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    uint64_t first = 0;
    if (segment::ParseSegmentFileName(name, &first)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(SegmentLogTest, NewLogIsEmpty) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SegmentLog::Options{});
  EXPECT_EQ(log->FirstIndex(), 1u);
  EXPECT_EQ(log->LastIndex(), 0u);
  EXPECT_EQ(log->LastTerm(), 0u);
  EXPECT_TRUE(log->IsEmpty());
  EXPECT_EQ(SegmentFiles(dir.path()), std::vector<std::string>{"00000000000000000001.log"});
  EXPECT_TRUE(log->Term(1).status().IsNotFound());
  std::vector<LogEntry> out;
  EXPECT_TRUE(log->Entries(1, 1, 100, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(SegmentLogTest, AppendSyncReadAndReopen) {
  TempDir dir;
  std::vector<LogEntry> all;
  {
    auto log = OpenOrDie(dir.path(), SegmentLog::Options{});  // sync on
    for (uint64_t lo = 1; lo <= 100; lo += 10) {
      auto batch = Range(lo, lo + 10, 1 + lo / 30);
      ASSERT_TRUE(log->Append(batch).ok());
      ASSERT_TRUE(log->Sync().ok());
      all.insert(all.end(), batch.begin(), batch.end());
    }
    EXPECT_EQ(log->LastIndex(), 100u);
    EXPECT_EQ(log->LastTerm(), 4u);
    EXPECT_EQ(ReadAll(*log), all);
    ASSERT_TRUE(log->Sync().ok());  // nothing pending
  }
  auto log = OpenOrDie(dir.path(), SegmentLog::Options{});
  EXPECT_EQ(log->FirstIndex(), 1u);
  EXPECT_EQ(log->LastIndex(), 100u);
  EXPECT_EQ(log->LastTerm(), 4u);
  EXPECT_EQ(log->recovery_info().dropped_bytes, 0u);
  EXPECT_EQ(ReadAll(*log), all);
  for (const LogEntry& e : all) {
    auto term = log->Term(e.index);
    ASSERT_TRUE(term.ok());
    EXPECT_EQ(*term, e.term) << e.index;
  }
  std::vector<LogEntry> out;
  ASSERT_TRUE(log->Entries(40, 45, UINT64_MAX, &out).ok());
  EXPECT_EQ(out, std::vector<LogEntry>(all.begin() + 39, all.begin() + 44));
}

TEST(SegmentLogTest, AppendRejectsBadBatchesAndWritesNothing) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_TRUE(log->Append(Range(1, 4, 2)).ok());
  EXPECT_TRUE(log->Append({Entry(5, 2)}).IsInvalidArgument());  // gap
  EXPECT_TRUE(log->Append({Entry(3, 2)}).IsInvalidArgument());  // overlap
  EXPECT_TRUE(log->Append({Entry(4, 1)}).IsInvalidArgument());  // term goes back
  EXPECT_TRUE(log->Append({Entry(4, 2), Entry(6, 2)}).IsInvalidArgument());
  EXPECT_TRUE(log->Append({Entry(4, 3), Entry(5, 2)}).IsInvalidArgument());
  LogEntry bad_type = Entry(4, 2);
  bad_type.type = static_cast<EntryType>(7);
  EXPECT_TRUE(log->Append({bad_type}).IsInvalidArgument());
  EXPECT_TRUE(log->Append({}).ok());
  EXPECT_EQ(log->LastIndex(), 3u);
  ASSERT_TRUE(log->Append({Entry(4, 2)}).ok());
  EXPECT_EQ(ReadAll(*log), Range(1, 5, 2));
}

TEST(SegmentLogTest, RollsOverSegmentsAndReopens) {
  TempDir dir;
  const auto entries = Range(1, 201, 7);
  {
    auto log = OpenOrDie(dir.path(), SmallSegments());
    for (size_t i = 0; i < entries.size(); i += 13) {
      std::vector<LogEntry> batch(entries.begin() + i,
                                  entries.begin() + std::min(entries.size(), i + 13));
      ASSERT_TRUE(log->Append(batch).ok());
    }
    ASSERT_TRUE(log->Sync().ok());
    EXPECT_GT(log->NumSegments(), 5u);
    EXPECT_EQ(ReadAll(*log), entries);
  }
  // Each file is named for its first entry, is within budget, and records are never split.
  const auto files = SegmentFiles(dir.path());
  ASSERT_GT(files.size(), 5u);
  uint64_t expect_first = 1;
  for (size_t i = 0; i < files.size(); ++i) {
    uint64_t first = 0;
    ASSERT_TRUE(segment::ParseSegmentFileName(files[i], &first));
    EXPECT_EQ(first, expect_first);
    const std::string contents = ReadFileOrDie(dir.File(files[i]));
    segment::ScanResult scan;
    ASSERT_TRUE(segment::ScanSegment(contents, first, 7, &scan).ok());
    EXPECT_TRUE(scan.tail.ok());
    EXPECT_LE(scan.valid_end, 4096u);
    if (i + 1 < files.size()) {
      EXPECT_EQ(contents.size(), scan.valid_end);  // sealed: trimmed
    }
    expect_first += scan.offsets.size();
  }
  EXPECT_EQ(expect_first, 201u);
  auto log = OpenOrDie(dir.path(), SmallSegments());
  EXPECT_EQ(log->LastIndex(), 200u);
  EXPECT_EQ(ReadAll(*log), entries);
  ASSERT_TRUE(log->Append({Entry(201, 8)}).ok());
  EXPECT_EQ(*log->Term(201), 8u);
}

TEST(SegmentLogTest, EverythingWithSyncOn) {
  TempDir dir;
  SegmentLog::Options o = SmallSegments();
  o.sync = true;
  {
    auto log = OpenOrDie(dir.path(), o);
    for (uint64_t lo = 1; lo < 200; lo += 9) {
      ASSERT_TRUE(log->Append(Range(lo, lo + 9, 1)).ok());
      ASSERT_TRUE(log->Sync().ok());
    }
    EXPECT_GT(log->NumSegments(), 5u);
    ASSERT_TRUE(log->TruncateSuffix(150).ok());
    ASSERT_TRUE(log->Append(Range(150, 160, 2)).ok());
    ASSERT_TRUE(log->CompactPrefix(100).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  auto log = OpenOrDie(dir.path(), o);
  EXPECT_LE(log->FirstIndex(), 101u);
  EXPECT_EQ(log->LastIndex(), 159u);
  std::vector<LogEntry> out;
  ASSERT_TRUE(log->Entries(101, 160, UINT64_MAX, &out).ok());
  auto want = Range(101, 150, 1);
  auto tail = Range(150, 160, 2);
  want.insert(want.end(), tail.begin(), tail.end());
  EXPECT_EQ(out, want);
  ASSERT_TRUE(log->CompactPrefix(1000).ok());
  EXPECT_EQ(log->FirstIndex(), 1001u);
}

// A sync job taken on the appending thread runs on another one while appends go on (even into
// new segments); it covers what was appended before it was taken.
TEST(SegmentLogTest, SyncJobsRunOnAnotherThreadWhileAppendsGoOn) {
  TempDir dir;
  SegmentLog::Options o = SmallSegments();
  o.sync = true;
  {
    auto log = OpenOrDie(dir.path(), o);
    auto none = log->TakeSyncJob();  // Open synced everything
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(*none);
    for (uint64_t lo = 1; lo < 200; lo += 10) {
      ASSERT_TRUE(log->Append(Range(lo, lo + 5, 1)).ok());
      auto job = log->TakeSyncJob();
      ASSERT_TRUE(job.ok()) << job.status().ToString();
      ASSERT_TRUE(*job);
      Status st;
      std::thread t([&] { st = (*job)(); });
      ASSERT_TRUE(log->Append(Range(lo + 5, lo + 10, 1)).ok());  // while the job runs
      t.join();
      ASSERT_TRUE(st.ok()) << st.ToString();
      auto rest = log->TakeSyncJob();  // the second half is not covered yet
      ASSERT_TRUE(rest.ok());
      ASSERT_TRUE(*rest);
      ASSERT_TRUE((*rest)().ok());
      auto again = log->TakeSyncJob();
      ASSERT_TRUE(again.ok());
      EXPECT_FALSE(*again);  // nothing appended since
    }
    EXPECT_GT(log->NumSegments(), 5u);
  }
  auto log = OpenOrDie(dir.path(), o);
  EXPECT_EQ(log->LastIndex(), 200u);
  EXPECT_EQ(ReadAll(*log), Range(1, 201, 1));
}

TEST(SegmentLogTest, EntryLargerThanASegmentGetsItsOwn) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_TRUE(log->Append({Entry(1, 1, 10)}).ok());
  ASSERT_TRUE(log->Append({Entry(2, 1, 10000), Entry(3, 1, 10)}).ok());
  EXPECT_EQ(log->NumSegments(), 3u);
  log.reset();
  log = OpenOrDie(dir.path(), SmallSegments());
  EXPECT_EQ(ReadAll(*log),
            (std::vector<LogEntry>{Entry(1, 1, 10), Entry(2, 1, 10000), Entry(3, 1, 10)}));
}

TEST(SegmentLogTest, EntriesHonoursMaxBytesButReturnsAtLeastOne) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_TRUE(log->Append(Range(1, 51, 1, 75)).ok());  // 100 bytes each on disk
  std::vector<LogEntry> out;
  ASSERT_TRUE(log->Entries(1, 51, 0, &out).ok());
  EXPECT_EQ(out.size(), 1u);
  ASSERT_TRUE(log->Entries(1, 51, 99, &out).ok());
  EXPECT_EQ(out.size(), 1u);
  ASSERT_TRUE(log->Entries(1, 51, 100, &out).ok());
  EXPECT_EQ(out.size(), 1u);
  ASSERT_TRUE(log->Entries(1, 51, 250, &out).ok());
  EXPECT_EQ(out.size(), 2u);
  // Across segment boundaries (4096-byte segments hold 40 of these).
  ASSERT_TRUE(log->Entries(30, 51, 1500, &out).ok());
  ASSERT_EQ(out.size(), 15u);
  EXPECT_EQ(out.front().index, 30u);
  EXPECT_EQ(out.back().index, 44u);
  ASSERT_TRUE(log->Entries(30, 51, UINT64_MAX, &out).ok());
  EXPECT_EQ(out, Range(30, 51, 1, 75));
}

TEST(SegmentLogTest, OutOfRangeReads) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_TRUE(log->Append(Range(1, 11, 1)).ok());
  std::vector<LogEntry> out;
  EXPECT_TRUE(log->Entries(5, 12, UINT64_MAX, &out).IsInvalidArgument());
  EXPECT_TRUE(log->Entries(6, 5, UINT64_MAX, &out).IsInvalidArgument());
  EXPECT_TRUE(log->Entries(0, 5, UINT64_MAX, &out).IsNotFound());
  EXPECT_TRUE(log->Entries(11, 11, UINT64_MAX, &out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(log->Term(0).status().IsNotFound());
  EXPECT_TRUE(log->Term(11).status().IsNotFound());
}

TEST(SegmentLogTest, SecondOpenOfSameDirIsRefused) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  auto second = SegmentLog::Open(dir.path(), SmallSegments());
  EXPECT_FALSE(second.ok());
  log.reset();
  EXPECT_TRUE(SegmentLog::Open(dir.path(), SmallSegments()).ok());
}

TEST(SegmentLogTest, RejectsBadOptions) {
  TempDir dir;
  EXPECT_TRUE(SegmentLog::Open(dir.path(), SmallSegments(100)).status().IsInvalidArgument());
}

TEST(SegmentLogTest, PrefillLeavesZerosThatRecoverCleanly) {
  TempDir dir;
  SegmentLog::Options o = SmallSegments(1 << 20);
  o.prefill_bytes = 64 << 10;
  {
    auto log = OpenOrDie(dir.path(), o);
    ASSERT_TRUE(log->Append(Range(1, 11, 1)).ok());
  }
  const auto files = SegmentFiles(dir.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(std::filesystem::file_size(dir.File(files[0])), 64u << 10);
  auto log = OpenOrDie(dir.path(), o);
  EXPECT_EQ(log->recovery_info().dropped_bytes, 0u);
  EXPECT_EQ(ReadAll(*log), Range(1, 11, 1));
  // Writing past the prefilled region extends it again.
  ASSERT_TRUE(log->Append(Range(11, 600, 1)).ok());
  EXPECT_EQ(ReadAll(*log), Range(1, 600, 1));
}

// ---- Crash recovery

// Builds a single-segment log of `n` entries (no prefill) and returns its file's bytes and the
// offset of each record.
struct BuiltLog {
  std::string file_name;
  std::string contents;
  std::vector<size_t> offsets;  // offsets[k]: record of index k + 1; offsets[n]: end
};

BuiltLog BuildLog(const std::string& dir, uint64_t n) {
  SegmentLog::Options o = SmallSegments(1 << 20);
  o.prefill_bytes = 0;
  {
    auto log = OpenOrDie(dir, o);
    for (uint64_t i = 1; i <= n; ++i) EXPECT_TRUE(log->Append({Entry(i, 1 + i / 4, 40)}).ok());
  }
  BuiltLog b;
  b.file_name = SegmentFiles(dir).at(0);
  b.contents = ReadFileOrDie(dir + "/" + b.file_name);
  size_t pos = segment::kFileHeaderSize;
  for (uint64_t i = 1; i <= n; ++i) {
    b.offsets.push_back(pos);
    pos += segment::EncodedSize(Entry(i, 1, 40));
  }
  b.offsets.push_back(pos);
  EXPECT_EQ(pos, b.contents.size());
  return b;
}

std::vector<LogEntry> Expected(uint64_t n) {
  std::vector<LogEntry> out;
  for (uint64_t i = 1; i <= n; ++i) out.push_back(Entry(i, 1 + i / 4, 40));
  return out;
}

// Opens a copy of `contents` as the only segment; checks that exactly `complete` entries survive
// and that the recovered log accepts the next entry and keeps it across a reopen.
void ExpectRecovers(const BuiltLog& b, const std::string& contents, uint64_t complete) {
  TempDir dir;
  WriteFileOrDie(dir.File(b.file_name), contents);
  {
    auto log = OpenOrDie(dir.path(), SmallSegments(1 << 20));
    ASSERT_NE(log, nullptr);
    ASSERT_EQ(log->LastIndex(), complete);
    EXPECT_EQ(ReadAll(*log), Expected(complete));
    EXPECT_LE(log->recovery_info().dropped_bytes, contents.size() - b.offsets[complete]);
    if (log->recovery_info().dropped_bytes > 0) {
      EXPECT_FALSE(log->recovery_info().detail.empty());
    }
    // The file was cut back: appending continues the log.
    ASSERT_TRUE(log->Append({Entry(complete + 1, 100, 40)}).ok());
  }
  auto log = OpenOrDie(dir.path(), SmallSegments(1 << 20));
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LastIndex(), complete + 1);
  EXPECT_EQ(log->recovery_info().dropped_bytes, 0u);
  EXPECT_EQ(*log->Term(complete + 1), 100u);
}

TEST(SegmentLogRecoveryTest, TornLastRecordAtEveryByte) {
  TempDir dir;
  const BuiltLog b = BuildLog(dir.path(), 6);
  for (size_t cut = b.offsets[5]; cut < b.offsets[6]; ++cut) {
    SCOPED_TRACE(cut);
    ExpectRecovers(b, b.contents.substr(0, cut), 5);
  }
  ExpectRecovers(b, b.contents, 6);
}

TEST(SegmentLogRecoveryTest, TornAtRandomOffsets) {
  TempDir dir;
  const BuiltLog b = BuildLog(dir.path(), 30);
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t cut = rng() % (b.contents.size() + 1);
    SCOPED_TRACE(cut);
    const uint64_t complete =
        std::upper_bound(b.offsets.begin(), b.offsets.end(), cut) - b.offsets.begin() - 1;
    if (cut < segment::kFileHeaderSize) {
      // Not even the header: recovered as an empty log at the file's first index.
      ExpectRecovers(b, b.contents.substr(0, cut), 0);
    } else {
      ExpectRecovers(b, b.contents.substr(0, cut), complete);
    }
  }
}

TEST(SegmentLogRecoveryTest, TornWriteFollowedByZeros) {
  TempDir dir;
  const BuiltLog b = BuildLog(dir.path(), 6);
  // The last record's second half never reached the disk but the file size did.
  std::string contents = b.contents;
  std::fill(contents.begin() + static_cast<ptrdiff_t>(b.offsets[5] + 20), contents.end(), '\0');
  contents.append(4096, '\0');
  ExpectRecovers(b, contents, 5);
}

TEST(SegmentLogRecoveryTest, BitFlipsInTheLastRecord) {
  TempDir dir;
  const BuiltLog b = BuildLog(dir.path(), 6);
  for (size_t pos = b.offsets[5]; pos < b.offsets[6]; ++pos) {
    SCOPED_TRACE(pos);
    std::string contents = b.contents;
    contents[pos] ^= static_cast<char>(1 << (pos % 8));
    ExpectRecovers(b, contents, 5);
  }
}

TEST(SegmentLogRecoveryTest, GarbageAfterTheLastRecord) {
  TempDir dir;
  const BuiltLog b = BuildLog(dir.path(), 6);
  ExpectRecovers(b, b.contents + "garbage that is not a record", 6);
}

// A log of several sealed segments plus an active one.
std::vector<std::string> BuildMultiSegmentLog(const std::string& dir) {
  auto log = OpenOrDie(dir, SmallSegments());
  EXPECT_TRUE(log->Append(Range(1, 101, 3)).ok());
  EXPECT_GE(log->NumSegments(), 4u);
  return SegmentFiles(dir);
}

TEST(SegmentLogRecoveryTest, TornTailOfTheActiveSegmentAmongMany) {
  TempDir dir;
  const auto files = BuildMultiSegmentLog(dir.path());
  const std::string last = dir.File(files.back());
  std::string contents = ReadFileOrDie(last);
  uint64_t first = 0;
  ASSERT_TRUE(segment::ParseSegmentFileName(files.back(), &first));
  segment::ScanResult scan;
  ASSERT_TRUE(segment::ScanSegment(contents, first, 3, &scan).ok());
  ASSERT_GT(scan.offsets.size(), 1u);
  WriteFileOrDie(last, contents.substr(0, scan.valid_end - 3));  // cut into the last record
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LastIndex(), 99u);
  EXPECT_GT(log->recovery_info().dropped_bytes, 0u);
  EXPECT_EQ(ReadAll(*log), Range(1, 100, 3));
}

TEST(SegmentLogRecoveryTest, BitFlipInASealedSegmentIsCorruption) {
  TempDir dir;
  const auto files = BuildMultiSegmentLog(dir.path());
  const std::string sealed = dir.File(files[1]);
  std::string contents = ReadFileOrDie(sealed);
  contents[contents.size() / 2] ^= 0x10;
  WriteFileOrDie(sealed, contents);
  EXPECT_TRUE(SegmentLog::Open(dir.path(), SmallSegments()).status().IsCorruption());
}

TEST(SegmentLogRecoveryTest, TornSealedSegmentIsCorruption) {
  TempDir dir;
  const auto files = BuildMultiSegmentLog(dir.path());
  const std::string sealed = dir.File(files[0]);
  std::string contents = ReadFileOrDie(sealed);
  WriteFileOrDie(sealed, contents.substr(0, contents.size() - 1));
  EXPECT_TRUE(SegmentLog::Open(dir.path(), SmallSegments()).status().IsCorruption());
}

TEST(SegmentLogRecoveryTest, ZeroTailInASealedSegmentIsCorruption) {
  TempDir dir;
  const auto files = BuildMultiSegmentLog(dir.path());
  const std::string sealed = dir.File(files[0]);
  WriteFileOrDie(sealed, ReadFileOrDie(sealed) + std::string(100, '\0'));
  EXPECT_TRUE(SegmentLog::Open(dir.path(), SmallSegments()).status().IsCorruption());
}

TEST(SegmentLogRecoveryTest, MissingMiddleSegmentIsCorruption) {
  TempDir dir;
  const auto files = BuildMultiSegmentLog(dir.path());
  std::filesystem::remove(dir.File(files[1]));
  EXPECT_TRUE(SegmentLog::Open(dir.path(), SmallSegments()).status().IsCorruption());
}

TEST(SegmentLogRecoveryTest, NewSegmentWithoutHeaderIsRepaired) {
  TempDir dir;
  SegmentLog::Options o = SmallSegments();
  o.prefill_bytes = 0;  // the file looks sealed (trimmed) as it would after a roll
  {
    auto log = OpenOrDie(dir.path(), o);
    ASSERT_TRUE(log->Append(Range(1, 11, 1)).ok());
  }
  // Crash right after creating the next segment file.
  WriteFileOrDie(dir.File(segment::SegmentFileName(11)), "");
  {
    auto log = OpenOrDie(dir.path(), SmallSegments());
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->LastIndex(), 10u);
    ASSERT_TRUE(log->Append({Entry(11, 1)}).ok());
  }
  auto log = OpenOrDie(dir.path(), SmallSegments());
  EXPECT_EQ(ReadAll(*log), Range(1, 12, 1));
}

TEST(SegmentLogRecoveryTest, IgnoresUnrelatedFiles) {
  TempDir dir;
  {
    auto log = OpenOrDie(dir.path(), SmallSegments());
    ASSERT_TRUE(log->Append(Range(1, 4, 1)).ok());
  }
  WriteFileOrDie(dir.File("notes.txt"), "hello");
  WriteFileOrDie(dir.File("123.log"), "short name");
  auto log = OpenOrDie(dir.path(), SmallSegments());
  EXPECT_EQ(log->LastIndex(), 3u);
}

// ---- TruncateSuffix

TEST(SegmentLogTest, TruncateSuffixThenAppendNewTerm) {
  TempDir dir;
  {
    auto log = OpenOrDie(dir.path(), SmallSegments());
    ASSERT_TRUE(log->Append(Range(1, 21, 2)).ok());
    ASSERT_TRUE(log->TruncateSuffix(15).ok());
    EXPECT_EQ(log->LastIndex(), 14u);
    EXPECT_EQ(log->LastTerm(), 2u);
    ASSERT_TRUE(log->Append(Range(15, 25, 3)).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  auto log = OpenOrDie(dir.path(), SmallSegments());
  auto want = Range(1, 15, 2);
  auto tail = Range(15, 25, 3);
  want.insert(want.end(), tail.begin(), tail.end());
  EXPECT_EQ(ReadAll(*log), want);
  EXPECT_EQ(*log->Term(14), 2u);
  EXPECT_EQ(*log->Term(15), 3u);
  EXPECT_EQ(log->LastTerm(), 3u);
}

TEST(SegmentLogTest, TruncateSuffixAcrossSegments) {
  TempDir dir;
  {
    auto log = OpenOrDie(dir.path(), SmallSegments());
    ASSERT_TRUE(log->Append(Range(1, 101, 1)).ok());
    ASSERT_TRUE(log->Append(Range(101, 201, 2)).ok());
    const size_t before = log->NumSegments();
    ASSERT_TRUE(log->TruncateSuffix(30).ok());
    EXPECT_LT(log->NumSegments(), before);
    EXPECT_EQ(log->LastIndex(), 29u);
    EXPECT_EQ(log->LastTerm(), 1u);
    EXPECT_TRUE(log->Term(30).status().IsNotFound());
    EXPECT_EQ(SegmentFiles(dir.path()).size(), log->NumSegments());
    ASSERT_TRUE(log->Append(Range(30, 120, 5)).ok());
  }
  auto log = OpenOrDie(dir.path(), SmallSegments());
  auto want = Range(1, 30, 1);
  auto tail = Range(30, 120, 5);
  want.insert(want.end(), tail.begin(), tail.end());
  EXPECT_EQ(ReadAll(*log), want);
}

TEST(SegmentLogTest, TruncateSuffixToASegmentStartAndToEmpty) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_TRUE(log->Append(Range(1, 101, 1)).ok());
  const auto files = SegmentFiles(dir.path());
  uint64_t second_first = 0;
  ASSERT_TRUE(segment::ParseSegmentFileName(files[1], &second_first));
  ASSERT_TRUE(log->TruncateSuffix(second_first).ok());
  EXPECT_EQ(log->LastIndex(), second_first - 1);
  ASSERT_TRUE(log->TruncateSuffix(1).ok());
  EXPECT_TRUE(log->IsEmpty());
  EXPECT_EQ(log->FirstIndex(), 1u);
  EXPECT_EQ(log->LastIndex(), 0u);
  EXPECT_EQ(log->LastTerm(), 0u);
  ASSERT_TRUE(log->Append(Range(1, 3, 9)).ok());
  log.reset();
  log = OpenOrDie(dir.path(), SmallSegments());
  EXPECT_EQ(ReadAll(*log), Range(1, 3, 9));
}

TEST(SegmentLogTest, TruncateSuffixBounds) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_TRUE(log->Append(Range(1, 11, 1)).ok());
  EXPECT_TRUE(log->TruncateSuffix(12).IsInvalidArgument());
  EXPECT_TRUE(log->TruncateSuffix(0).IsInvalidArgument());
  EXPECT_TRUE(log->TruncateSuffix(11).ok());  // nothing to remove
  EXPECT_EQ(log->LastIndex(), 10u);
  ASSERT_TRUE(log->CompactPrefix(4).ok());
  EXPECT_TRUE(log->TruncateSuffix(4).IsInvalidArgument());  // compacted
}

// ---- CompactPrefix

TEST(SegmentLogTest, CompactPrefixDeletesWholeSegmentsOnly) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_TRUE(log->Append(Range(1, 201, 1)).ok());
  const size_t before = log->NumSegments();
  ASSERT_TRUE(log->CompactPrefix(100).ok());
  EXPECT_EQ(log->FirstIndex(), 101u);
  EXPECT_EQ(log->LastIndex(), 200u);
  EXPECT_LT(log->NumSegments(), before);
  EXPECT_TRUE(log->Term(100).status().IsNotFound());
  EXPECT_EQ(*log->Term(101), 1u);
  std::vector<LogEntry> out;
  EXPECT_TRUE(log->Entries(100, 120, UINT64_MAX, &out).IsNotFound());
  EXPECT_EQ(ReadAll(*log), Range(101, 201, 1));
  // The first remaining file still starts at or before 101.
  uint64_t first_file = 0;
  ASSERT_TRUE(segment::ParseSegmentFileName(SegmentFiles(dir.path()).front(), &first_file));
  EXPECT_LE(first_file, 101u);
  EXPECT_GT(first_file, 1u);
  ASSERT_TRUE(log->CompactPrefix(50).ok());  // already compacted: no-op
  EXPECT_EQ(log->FirstIndex(), 101u);
  ASSERT_TRUE(log->Append({Entry(201, 2)}).ok());
  log.reset();
  log = OpenOrDie(dir.path(), SmallSegments());
  EXPECT_EQ(log->FirstIndex(), first_file);
  EXPECT_EQ(log->LastIndex(), 201u);
  EXPECT_EQ(log->LastTerm(), 2u);
}

TEST(SegmentLogTest, CompactPrefixKeepsTermsAcrossRuns) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_TRUE(log->Append(Range(1, 11, 1)).ok());
  ASSERT_TRUE(log->Append(Range(11, 21, 2)).ok());
  ASSERT_TRUE(log->Append(Range(21, 31, 3)).ok());
  ASSERT_TRUE(log->CompactPrefix(15).ok());
  EXPECT_EQ(*log->Term(16), 2u);
  EXPECT_EQ(*log->Term(21), 3u);
  ASSERT_TRUE(log->CompactPrefix(25).ok());
  EXPECT_EQ(*log->Term(26), 3u);
  EXPECT_EQ(log->LastTerm(), 3u);
}

TEST(SegmentLogTest, CompactPrefixPastTheEndResetsTheLog) {
  TempDir dir;
  {
    auto log = OpenOrDie(dir.path(), SmallSegments());
    ASSERT_TRUE(log->Append(Range(1, 101, 1)).ok());
    ASSERT_TRUE(log->CompactPrefix(500).ok());  // a snapshot far past our log
    EXPECT_TRUE(log->IsEmpty());
    EXPECT_EQ(log->FirstIndex(), 501u);
    EXPECT_EQ(log->LastIndex(), 500u);
    EXPECT_EQ(log->NumSegments(), 1u);
    EXPECT_TRUE(log->Append({Entry(500, 4)}).IsInvalidArgument());
  }
  EXPECT_EQ(SegmentFiles(dir.path()), std::vector<std::string>{segment::SegmentFileName(501)});
  {
    auto log = OpenOrDie(dir.path(), SmallSegments());
    EXPECT_EQ(log->FirstIndex(), 501u);
    EXPECT_EQ(log->LastIndex(), 500u);
    ASSERT_TRUE(log->Append(Range(501, 511, 4)).ok());
    ASSERT_TRUE(log->CompactPrefix(510).ok());  // exactly everything
    EXPECT_EQ(log->FirstIndex(), 511u);
    ASSERT_TRUE(log->CompactPrefix(510).ok());  // again: no-op
    ASSERT_TRUE(log->Append({Entry(511, 4)}).ok());
  }
  auto log = OpenOrDie(dir.path(), SmallSegments());
  EXPECT_EQ(log->LastIndex(), 511u);
  EXPECT_EQ(*log->Term(511), 4u);
}

TEST(SegmentLogTest, CompactAnEmptyLogAtItsStart) {
  TempDir dir;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  ASSERT_TRUE(log->Append(Range(1, 11, 1)).ok());
  ASSERT_TRUE(log->TruncateSuffix(5).ok());
  ASSERT_TRUE(log->CompactPrefix(4).ok());  // everything left, active segment stays
  EXPECT_EQ(log->FirstIndex(), 5u);
  EXPECT_EQ(log->LastIndex(), 4u);
  ASSERT_TRUE(log->Append(Range(5, 8, 2)).ok());
  EXPECT_EQ(ReadAll(*log), Range(5, 8, 2));
}

TEST(SegmentLogTest, RandomizedAgainstAModel) {
  TempDir dir;
  std::mt19937 rng(1234);
  std::vector<LogEntry> model;  // the entries [first, last]
  uint64_t first = 1;
  uint64_t term = 1;
  auto log = OpenOrDie(dir.path(), SmallSegments());
  for (int step = 0; step < 400; ++step) {
    const int op = static_cast<int>(rng() % 10);
    const uint64_t last = first + model.size() - 1;
    if (op < 6) {
      std::vector<LogEntry> batch;
      const size_t n = 1 + rng() % 20;
      if (rng() % 4 == 0) ++term;
      for (size_t i = 0; i < n; ++i) batch.push_back(Entry(last + 1 + i, term, rng() % 300));
      ASSERT_TRUE(log->Append(batch).ok());
      model.insert(model.end(), batch.begin(), batch.end());
    } else if (op < 8 && !model.empty()) {
      const uint64_t cut = first + rng() % model.size();
      ASSERT_TRUE(log->TruncateSuffix(cut).ok());
      model.resize(cut - first);
    } else if (op == 8 && !model.empty()) {
      const uint64_t through = first + rng() % model.size();
      ASSERT_TRUE(log->CompactPrefix(through).ok());
      model.erase(model.begin(), model.begin() + static_cast<ptrdiff_t>(through + 1 - first));
      first = through + 1;
    } else {
      log.reset();
      log = OpenOrDie(dir.path(), SmallSegments());
      ASSERT_NE(log, nullptr);
      // Reopening may bring back compacted entries of the first file; forget them again.
      ASSERT_LE(log->FirstIndex(), first);
      ASSERT_TRUE(log->CompactPrefix(first - 1).ok());
    }
    ASSERT_EQ(log->FirstIndex(), first) << step;
    ASSERT_EQ(log->LastIndex(), first + model.size() - 1) << step;
    ASSERT_EQ(ReadAll(*log), model) << step;
    if (!model.empty()) {
      ASSERT_EQ(log->LastTerm(), model.back().term);
    }
  }
}

}  // namespace
}  // namespace consulate::raft
