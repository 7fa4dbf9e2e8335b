#include "raft/stable_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/file_util.h"

namespace consulate::raft {

namespace {
constexpr std::string_view kMagic = "CSLHARD1";
constexpr std::string_view kFileName = "raft-state";
}  // namespace

std::string EncodeHardState(const HardState& state) {
  std::string out(kMagic);
  PutFixed64(&out, state.current_term);
  PutFixed64(&out, state.commit_index);
  PutLengthPrefixedString(&out, state.voted_for);
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out)));
  return out;
}

Status DecodeHardState(std::string_view contents, HardState* out) {
  if (contents.size() < kMagic.size() + 4 || contents.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("raft state: bad magic");
  }
  const size_t crc_pos = contents.size() - 4;
  if (crc32c::Unmask(DecodeFixed32(contents.data() + crc_pos)) !=
      crc32c::Value(contents.data(), crc_pos)) {
    return Status::Corruption("raft state: checksum mismatch");
  }
  std::string_view body = contents.substr(kMagic.size(), crc_pos - kMagic.size());
  std::string_view voted_for;
  HardState state;
  if (!GetFixed64(&body, &state.current_term) || !GetFixed64(&body, &state.commit_index) ||
      !GetLengthPrefixedString(&body, &voted_for) || !body.empty()) {
    return Status::Corruption("raft state: malformed");
  }
  state.voted_for.assign(voted_for);
  *out = std::move(state);
  return Status::OK();
}

Result<std::unique_ptr<StableStore>> StableStore::Open(const std::string& dir,
                                                       const Options& options) {
  CONSULATE_RETURN_IF_ERROR(CreateDirs(dir));
  std::unique_ptr<StableStore> store(new StableStore(dir, options));
  const std::string path = JoinPath(dir, kFileName);
  // A leftover temp file is a Save that never got renamed: it was never the state.
  if (::unlink((path + ".tmp").c_str()) != 0 && errno != ENOENT) {
    return Status::IOErrorFromErrno("unlink " + path + ".tmp", errno);
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return store;  // never saved
    return Status::IOErrorFromErrno("stat " + path, errno);
  }
  std::string contents;
  CONSULATE_RETURN_IF_ERROR(ReadWholeFile(path, &contents));
  Status d = DecodeHardState(contents, &store->state_);
  if (!d.ok()) return Status::Corruption(path + ": " + d.message());
  return store;
}

Status StableStore::Save(const HardState& state) {
  CONSULATE_RETURN_IF_ERROR(
      AtomicWriteFile(dir_, std::string(kFileName), EncodeHardState(state), options_.sync));
  state_ = state;
  return Status::OK();
}

}  // namespace consulate::raft
