// serf's keyring file (serf's Config.KeyringFile; Consul keeps <data_dir>/serf/local.keyring for
// the LAN pool and serf/remote.keyring for the WAN pool): a JSON list of base64 keys, primary
// first, as Go's json.MarshalIndent writes it. Keys here are raw bytes.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "base/status.h"

namespace consulate::gossip {

// The keys in `path`, primary first. NotFound when the file is missing; InvalidArgument when it
// is not a JSON list of base64 strings, or lists no key (Consul: "no keys present in keyring
// file").
Result<std::vector<std::string>> ReadKeyringFile(const std::string& path);

// Replaces `path` (AtomicWriteFile: a temporary file, fsynced unless `sync` is false, renamed)
// with `keys`, mode 0600: key data is sensitive. Without the fsync the new file survives a killed
// process (it is in the page cache) but not yet a power cut: KeyringFileSyncer finishes that job.
Status WriteKeyringFile(const std::string& path, const std::vector<std::string>& keys,
                        bool sync = true);

// Flushes a keyring file written with sync=false, off the caller's thread. Serf changes keys on
// its gossip loop while a key query waits for every member's answer; a flush that stalls on a
// busy disk there would delay answers past the query's timeout (serf itself never flushes the
// file). The thread starts at the first Request; the destructor flushes what is pending.
class KeyringFileSyncer {
 public:
  KeyringFileSyncer(std::string path, Logger logger)
      : path_(std::move(path)), logger_(std::move(logger)) {}
  ~KeyringFileSyncer();
  KeyringFileSyncer(const KeyringFileSyncer&) = delete;
  KeyringFileSyncer& operator=(const KeyringFileSyncer&) = delete;

  // The file was replaced: flush it soon.
  void Request();

 private:
  void Loop();

  const std::string path_;
  const Logger logger_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;  // GUARDED_BY(mu_)
  bool stop_ = false;     // GUARDED_BY(mu_)
  std::thread thread_;    // GUARDED_BY(mu_): started by the first Request
};

}  // namespace consulate::gossip
