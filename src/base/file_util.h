// Small POSIX file helpers (Raft storage, serf's keyring file). Every function reports failures as
// Status (IOError with the path and errno text); none throws. Short reads/writes and EINTR are
// retried.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace consulate {

// Owns a file descriptor; closes it on destruction. Movable, not copyable.
class FileHandle {
 public:
  FileHandle() = default;
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle() { Reset(); }
  FileHandle(FileHandle&& o) noexcept : fd_(o.Release()) {}
  FileHandle& operator=(FileHandle&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.Release();
    }
    return *this;
  }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset();

 private:
  int fd_ = -1;
};

// Joins a directory and a file name.
std::string JoinPath(std::string_view dir, std::string_view name);

// Creates `dir` (and missing parents) if it does not exist.
Status CreateDirs(const std::string& dir);
// Opens with open(2) flags (O_CLOEXEC is added).
Status OpenFile(const std::string& path, int flags, FileHandle* out, int mode = 0644);
// Writes all of data at offset.
Status PwriteAll(int fd, std::string_view data, uint64_t offset, const std::string& path);
// Writes all of data at the current file position.
Status WriteAll(int fd, std::string_view data, const std::string& path);
// Reads exactly n bytes at offset into *out (resized to n); a short file is Corruption.
Status PreadExact(int fd, uint64_t offset, size_t n, std::string* out, const std::string& path);
// Replaces *out with the whole file.
Status ReadWholeFile(const std::string& path, std::string* out);
Status FileSize(int fd, uint64_t* size, const std::string& path);
Status Fdatasync(int fd, const std::string& path);
Status Fsync(int fd, const std::string& path);
Status Truncate(int fd, uint64_t size, const std::string& path);
// fsync(2) on the directory, making creations, renames and unlinks in it durable.
Status SyncDir(const std::string& dir);
// fsync(2) on the file at `path`, then on its directory.
Status SyncFileAndDir(const std::string& path);
Status RemoveFile(const std::string& path);
Status RenameFile(const std::string& from, const std::string& to);
// Names (not paths) of the regular files in dir, unsorted.
Status ListDir(const std::string& dir, std::vector<std::string>* names);
// Takes an exclusive flock(2) on dir/LOCK so two processes cannot own the same store.
Status LockDir(const std::string& dir, FileHandle* lock);

// Crash-safe replace of dir/name: writes dir/name.tmp, fsyncs it, renames it over dir/name and
// fsyncs dir. After a crash dir/name holds either the old or the new contents (a stale .tmp may
// remain; callers delete it when they open). With sync == false nothing is fsynced. `mode` is for
// a newly created file.
Status AtomicWriteFile(const std::string& dir, const std::string& name, std::string_view contents,
                       bool sync = true, int mode = 0644);

}  // namespace consulate
