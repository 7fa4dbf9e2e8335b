#include "gossip/keyring_file.h"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/base64.h"
#include "base/file_util.h"
#include "base/thread_name.h"

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

Status WriteKeyringFile(const std::string& path, const std::vector<std::string>& keys, bool sync) {
  // json.MarshalIndent(keys, "", "  ")
  std::string text = "[";
  for (size_t k = 0; k < keys.size(); ++k) {
    text += k == 0 ? "\n  \"" : ",\n  \"";
    text += Base64Encode(keys[k]);
    text += "\"";
  }
  text += keys.empty() ? "]" : "\n]";
  const std::filesystem::path p(path);
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  Status s = AtomicWriteFile(dir, p.filename().string(), text, sync, 0600);
  if (!s.ok()) return Status::IOError("Failed to write keyring file " + path + ": " + s.message());
  return Status::OK();
}

KeyringFileSyncer::~KeyringFileSyncer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void KeyringFileSyncer::Request() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = true;
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  cv_.notify_one();
}

void KeyringFileSyncer::Loop() {
  SetThreadName("keyring-sync");
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return pending_ || stop_; });
    if (!pending_) return;  // stopping, nothing left to flush
    pending_ = false;
    lock.unlock();
    const auto start = std::chrono::steady_clock::now();
    if (Status s = SyncFileAndDir(path_); !s.ok()) {
      logger_.Error("serf: Failed to sync keyring file: {}", s.message());
    } else if (const auto took = std::chrono::steady_clock::now() - start;
               took > std::chrono::seconds(1)) {
      logger_.Warn("serf: syncing keyring file {} took {} ms", path_,
                   std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
    }
    lock.lock();
  }
}

}  // namespace consulate::gossip
