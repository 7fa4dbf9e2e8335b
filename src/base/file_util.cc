#include "base/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace consulate {

namespace {
Status Errno(std::string_view what, const std::string& path, int err) {
  std::string context(what);
  context += ' ';
  context += path;
  return Status::IOErrorFromErrno(context, err);
}
}  // namespace

void FileHandle::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  return path;
}

Status CreateDirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("create_directories " + dir + ": " + ec.message());
  return Status::OK();
}

Status OpenFile(const std::string& path, int flags, FileHandle* out, int mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Errno("open", path, errno);
  *out = FileHandle(fd);
  return Status::OK();
}

Status PwriteAll(int fd, std::string_view data, uint64_t offset, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("pwrite", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::OK();
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status PreadExact(int fd, uint64_t offset, size_t n, std::string* out, const std::string& path) {
  out->resize(n);
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out->data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Errno("pread", path, errno);
    }
    if (r == 0) return Status::Corruption("unexpected end of file in " + path);
    done += static_cast<size_t>(r);
  }
  return Status::OK();
}

Status ReadWholeFile(const std::string& path, std::string* out) {
  FileHandle fd;
  CONSULATE_RETURN_IF_ERROR(OpenFile(path, O_RDONLY, &fd));
  uint64_t size = 0;
  CONSULATE_RETURN_IF_ERROR(FileSize(fd.get(), &size, path));
  return PreadExact(fd.get(), 0, size, out, path);
}

Status FileSize(int fd, uint64_t* size, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Errno("fstat", path, errno);
  *size = static_cast<uint64_t>(st.st_size);
  return Status::OK();
}

Status Fdatasync(int fd, const std::string& path) {
  if (::fdatasync(fd) != 0) return Errno("fdatasync", path, errno);
  return Status::OK();
}

Status Fsync(int fd, const std::string& path) {
  if (::fsync(fd) != 0) return Errno("fsync", path, errno);
  return Status::OK();
}

Status Truncate(int fd, uint64_t size, const std::string& path) {
  int r;
  do {
    r = ::ftruncate(fd, static_cast<off_t>(size));
  } while (r != 0 && errno == EINTR);
  if (r != 0) return Errno("ftruncate", path, errno);
  return Status::OK();
}

Status SyncDir(const std::string& dir) {
  FileHandle fd;
  CONSULATE_RETURN_IF_ERROR(OpenFile(dir, O_RDONLY | O_DIRECTORY, &fd));
  return Fsync(fd.get(), dir);
}

Status SyncFileAndDir(const std::string& path) {
  FileHandle fd;
  CONSULATE_RETURN_IF_ERROR(OpenFile(path, O_RDONLY, &fd));
  CONSULATE_RETURN_IF_ERROR(Fsync(fd.get(), path));
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return SyncDir(dir.empty() ? "." : dir.string());
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return Errno("unlink", path, errno);
  return Status::OK();
}

Status RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return Errno("rename", from + " to", errno);
  return Status::OK();
}

Status ListDir(const std::string& dir, std::vector<std::string>* names) {
  names->clear();
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Errno("opendir", dir, errno);
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_type == DT_REG || e->d_type == DT_UNKNOWN) names->emplace_back(e->d_name);
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return Errno("readdir", dir, err);
  return Status::OK();
}

Status LockDir(const std::string& dir, FileHandle* lock) {
  const std::string path = JoinPath(dir, "LOCK");
  FileHandle fd;
  CONSULATE_RETURN_IF_ERROR(OpenFile(path, O_RDWR | O_CREAT, &fd));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return Status::Unavailable(path + " is locked by another process");
    return Errno("flock", path, errno);
  }
  *lock = std::move(fd);
  return Status::OK();
}

Status AtomicWriteFile(const std::string& dir, const std::string& name, std::string_view contents,
                       bool sync, int mode) {
  const std::string path = JoinPath(dir, name);
  const std::string tmp = path + ".tmp";
  FileHandle fd;
  CONSULATE_RETURN_IF_ERROR(OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC, &fd, mode));
  Status s = WriteAll(fd.get(), contents, tmp);
  if (s.ok() && sync) s = Fsync(fd.get(), tmp);
  fd.Reset();
  if (s.ok()) s = RenameFile(tmp, path);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return sync ? SyncDir(dir) : Status::OK();
}

}  // namespace consulate
