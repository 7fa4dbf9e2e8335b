#include "gossip/keyring_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/base64.h"

namespace consulate::gossip {

namespace {

void SkipSpace(const std::string& s, size_t* i) {
  while (*i < s.size() && std::isspace(static_cast<unsigned char>(s[*i]))) ++*i;
}

Status Malformed(const std::string& path) {
  return Status::InvalidArgument("Failed to decode keyring file " + path +
                                 ": expected a JSON list of base64 keys");
}

}  // namespace

Result<std::vector<std::string>> ReadKeyringFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status::NotFound("no keyring file " + path);
    return Status::IOError("Failed to read keyring file " + path + ": " + std::strerror(errno));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  // A list of strings; base64 never needs JSON escapes, so an escape is an error here.
  std::vector<std::string> encoded;
  size_t i = 0;
  SkipSpace(text, &i);
  if (i >= text.size() || text[i] != '[') return Malformed(path);
  ++i;
  SkipSpace(text, &i);
  if (i < text.size() && text[i] == ']') {
    ++i;
  } else {
    while (true) {
      SkipSpace(text, &i);
      if (i >= text.size() || text[i] != '"') return Malformed(path);
      const size_t end = text.find('"', i + 1);
      if (end == std::string::npos) return Malformed(path);
      const std::string item = text.substr(i + 1, end - i - 1);
      if (item.find('\\') != std::string::npos) return Malformed(path);
      encoded.push_back(item);
      i = end + 1;
      SkipSpace(text, &i);
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == ']') {
        ++i;
        break;
      }
      return Malformed(path);
    }
  }
  SkipSpace(text, &i);
  if (i != text.size()) return Malformed(path);
  if (encoded.empty()) return Status::InvalidArgument("no keys present in keyring file: " + path);
  std::vector<std::string> keys;
  for (const std::string& e : encoded) {
    auto raw = Base64Decode(e);
    if (!raw.ok()) {
      return Status::InvalidArgument("Failed to decode keyring file " + path + ": " +
                                     raw.status().message());
    }
    keys.push_back(std::move(*raw));
  }
  return keys;
}

Status WriteKeyringFile(const std::string& path, const std::vector<std::string>& keys) {
  // json.MarshalIndent(keys, "", "  ")
  std::string text = "[";
  for (size_t k = 0; k < keys.size(); ++k) {
    text += k == 0 ? "\n  \"" : ",\n  \"";
    text += Base64Encode(keys[k]);
    text += "\"";
  }
  text += keys.empty() ? "]" : "\n]";
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IOError("Failed to write keyring file " + path + ": " + std::strerror(errno));
  }
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IOError("Failed to write keyring file " + path + ": " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError("Failed to write keyring file " + path + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Status::IOError("Failed to write keyring file " + path + ": " + std::strerror(err));
  }
  return Status::OK();
}

}  // namespace consulate::gossip
