#include "raft/snapshot_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include "base/coding.h"
#include "base/crc32c.h"

namespace consulate::raft {

namespace {

constexpr std::string_view kMagic = "CSLSNAP1";
constexpr std::string_view kSuffix = ".snap";
constexpr std::string_view kTmpSuffix = ".snaptmp";
constexpr std::string_view kCorruptSuffix = ".corrupt";
constexpr size_t kTrailerSize = 12;  // data_length + masked crc
constexpr size_t kFlushBytes = size_t{1} << 20;

std::string SnapshotFileName(LogIndex index, TermId term) {
  return fmt::format("{:020d}-{:020d}{}", index, term, kSuffix);
}

// Parses "<20 digits>-<20 digits>.snap".
bool ParseSnapshotFileName(std::string_view name, LogIndex* index, TermId* term) {
  if (name.size() != 41 + kSuffix.size() || name.substr(41) != kSuffix || name[20] != '-') {
    return false;
  }
  auto parse = [](std::string_view digits, uint64_t* out) {
    uint64_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      const uint64_t d = static_cast<uint64_t>(c - '0');
      if (v > (UINT64_MAX - d) / 10) return false;
      v = v * 10 + d;
    }
    *out = v;
    return true;
  };
  return parse(name.substr(0, 20), index) && parse(name.substr(21, 20), term);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Status DecodeSnapshotFile(std::string_view contents, Snapshot* out) {
  if (contents.size() < kMagic.size() + 4 + kTrailerSize) {
    return Status::Corruption("snapshot file too short");
  }
  if (contents.substr(0, kMagic.size()) != kMagic) return Status::Corruption("bad snapshot magic");
  const size_t crc_pos = contents.size() - 4;
  const uint32_t stored = crc32c::Unmask(DecodeFixed32(contents.data() + crc_pos));
  if (crc32c::Value(contents.data(), crc_pos) != stored) {
    return Status::Corruption("snapshot checksum mismatch");
  }
  std::string_view body = contents.substr(kMagic.size(), crc_pos - kMagic.size());
  uint32_t meta_length = 0;
  if (!GetFixed32(&body, &meta_length) || body.size() < meta_length + size_t{8}) {
    return Status::Corruption("bad snapshot meta length");
  }
  std::string_view meta = body.substr(0, meta_length);
  body.remove_prefix(meta_length);
  std::string_view configuration;
  if (!GetFixed64(&meta, &out->meta.index) || !GetFixed64(&meta, &out->meta.term) ||
      !GetLengthPrefixedString(&meta, &configuration) || !meta.empty()) {
    return Status::Corruption("bad snapshot meta");
  }
  const uint64_t data_length = DecodeFixed64(body.data() + body.size() - 8);
  if (data_length != body.size() - 8) return Status::Corruption("snapshot data length mismatch");
  out->meta.configuration.assign(configuration);
  out->data.assign(body.data(), body.size() - 8);
  return Status::OK();
}

// ---- SnapshotWriter

SnapshotWriter::SnapshotWriter(SnapshotStore* store, SnapshotMeta meta, std::string tmp_path,
                               FileHandle fd)
    : store_(store), meta_(std::move(meta)), tmp_path_(std::move(tmp_path)), fd_(std::move(fd)) {
  std::string meta_bytes;
  PutFixed64(&meta_bytes, meta_.index);
  PutFixed64(&meta_bytes, meta_.term);
  PutLengthPrefixedString(&meta_bytes, meta_.configuration);
  buffer_.append(kMagic);
  PutFixed32(&buffer_, static_cast<uint32_t>(meta_bytes.size()));
  buffer_.append(meta_bytes);
}

SnapshotWriter::~SnapshotWriter() { Abort(); }

Status SnapshotWriter::Fail(Status s) {
  if (error_.ok()) error_ = s;
  Abort();
  return s;
}

Status SnapshotWriter::Flush() {
  crc_ = crc32c::Extend(crc_, buffer_);
  Status s = WriteAll(fd_.get(), buffer_, tmp_path_);
  buffer_.clear();
  return s;
}

Status SnapshotWriter::Append(std::string_view chunk) {
  if (!error_.ok()) return error_;
  if (done_) return Status::InvalidArgument("snapshot writer already finished");
  data_bytes_ += chunk.size();
  if (buffer_.size() + chunk.size() < kFlushBytes) {
    buffer_.append(chunk);
    return Status::OK();
  }
  Status s = Flush();
  if (s.ok() && chunk.size() >= kFlushBytes) {
    // Large chunks go straight to the file.
    crc_ = crc32c::Extend(crc_, chunk);
    s = WriteAll(fd_.get(), chunk, tmp_path_);
  } else if (s.ok()) {
    buffer_.append(chunk);
  }
  return s.ok() ? s : Fail(s);
}

Status SnapshotWriter::Commit() {
  if (!error_.ok()) return error_;
  if (done_) return Status::InvalidArgument("snapshot writer already finished");
  PutFixed64(&buffer_, data_bytes_);
  crc_ = crc32c::Extend(crc_, buffer_);
  PutFixed32(&buffer_, crc32c::Mask(crc_));
  Status s = WriteAll(fd_.get(), buffer_, tmp_path_);
  buffer_.clear();
  if (s.ok() && store_->options_.sync) s = Fsync(fd_.get(), tmp_path_);
  fd_.Reset();
  if (s.ok()) s = store_->Install(tmp_path_, meta_);
  if (!s.ok()) return Fail(s);
  done_ = true;
  return Status::OK();
}

void SnapshotWriter::Abort() {
  if (done_) return;
  done_ = true;
  fd_.Reset();
  ::unlink(tmp_path_.c_str());
}

// ---- SnapshotStore

SnapshotStore::SnapshotStore(std::string dir, const Options& options)
    : dir_(std::move(dir)), options_(options) {}

Result<std::unique_ptr<SnapshotStore>> SnapshotStore::Open(const std::string& dir,
                                                           const Options& options) {
  if (options.retain < 1) return Status::InvalidArgument("snapshot retain must be >= 1");
  CONSULATE_RETURN_IF_ERROR(CreateDirs(dir));
  std::vector<std::string> names;
  CONSULATE_RETURN_IF_ERROR(ListDir(dir, &names));
  for (const std::string& name : names) {
    if (EndsWith(name, kTmpSuffix)) CONSULATE_RETURN_IF_ERROR(RemoveFile(JoinPath(dir, name)));
  }
  return std::unique_ptr<SnapshotStore>(new SnapshotStore(dir, options));
}

Result<std::unique_ptr<SnapshotWriter>> SnapshotStore::Create(const SnapshotMeta& meta) {
  if (meta.index == 0) return Status::InvalidArgument("snapshot index must be >= 1");
  std::string tmp_path;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tmp_path = JoinPath(dir_, fmt::format("{}-{}{}", ::getpid(), next_tmp_++, kTmpSuffix));
  }
  FileHandle fd;
  CONSULATE_RETURN_IF_ERROR(OpenFile(tmp_path, O_WRONLY | O_CREAT | O_EXCL, &fd));
  return std::unique_ptr<SnapshotWriter>(new SnapshotWriter(this, meta, tmp_path, std::move(fd)));
}

Status SnapshotStore::Save(const SnapshotMeta& meta, std::string_view data) {
  CONSULATE_ASSIGN_OR_RETURN(std::unique_ptr<SnapshotWriter> writer, Create(meta));
  CONSULATE_RETURN_IF_ERROR(writer->Append(data));
  return writer->Commit();
}

Status SnapshotStore::Install(const std::string& tmp_path, const SnapshotMeta& meta) {
  std::lock_guard<std::mutex> lock(mu_);
  CONSULATE_RETURN_IF_ERROR(
      RenameFile(tmp_path, JoinPath(dir_, SnapshotFileName(meta.index, meta.term))));
  if (options_.sync) CONSULATE_RETURN_IF_ERROR(SyncDir(dir_));
  std::vector<std::pair<LogIndex, TermId>> snapshots;
  CONSULATE_RETURN_IF_ERROR(ListLocked(&snapshots));
  // Pruning is best effort: the new snapshot is already durable.
  for (size_t i = static_cast<size_t>(options_.retain); i < snapshots.size(); ++i) {
    const std::string path =
        JoinPath(dir_, SnapshotFileName(snapshots[i].first, snapshots[i].second));
    Status s = RemoveFile(path);
    if (!s.ok()) options_.logger.Warn("raft snapshot: could not prune: {}", s.ToString());
  }
  return Status::OK();
}

Status SnapshotStore::ListLocked(std::vector<std::pair<LogIndex, TermId>>* out) {
  out->clear();
  std::vector<std::string> names;
  CONSULATE_RETURN_IF_ERROR(ListDir(dir_, &names));
  for (const std::string& name : names) {
    LogIndex index = 0;
    TermId term = 0;
    if (ParseSnapshotFileName(name, &index, &term)) out->emplace_back(index, term);
  }
  std::sort(out->begin(), out->end(), std::greater<>());
  return Status::OK();
}

Result<std::vector<std::pair<LogIndex, TermId>>> SnapshotStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<LogIndex, TermId>> out;
  CONSULATE_RETURN_IF_ERROR(ListLocked(&out));
  return out;
}

Result<std::optional<Snapshot>> SnapshotStore::LoadLatest(std::vector<SkippedSnapshot>* skipped) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<LogIndex, TermId>> snapshots;
  CONSULATE_RETURN_IF_ERROR(ListLocked(&snapshots));
  if (snapshots.empty()) return std::optional<Snapshot>();
  std::string contents;
  for (const auto& [index, term] : snapshots) {
    const std::string path = JoinPath(dir_, SnapshotFileName(index, term));
    Snapshot snapshot;
    Status s = ReadWholeFile(path, &contents);
    if (!s.ok()) return s;  // an I/O error says nothing about the file: do not skip it
    s = DecodeSnapshotFile(contents, &snapshot);
    if (s.ok() && (snapshot.meta.index != index || snapshot.meta.term != term)) {
      s = Status::Corruption(
          fmt::format("file holds index {} term {}", snapshot.meta.index, snapshot.meta.term));
    }
    if (s.ok()) return std::optional<Snapshot>(std::move(snapshot));
    options_.logger.Warn("raft snapshot: skipping {}: {}", path, s.ToString());
    if (skipped != nullptr) skipped->push_back({path, s});
    Status r = RenameFile(path, path + std::string(kCorruptSuffix));
    if (!r.ok())
      options_.logger.Warn("raft snapshot: could not set aside {}: {}", path, r.ToString());
  }
  return Status::Corruption("no intact snapshot in " + dir_);
}

}  // namespace consulate::raft
