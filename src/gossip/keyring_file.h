// serf's keyring file (serf's Config.KeyringFile; Consul keeps <data_dir>/serf/local.keyring for
// the LAN pool and serf/remote.keyring for the WAN pool): a JSON list of base64 keys, primary
// first, as Go's json.MarshalIndent writes it. Keys here are raw bytes.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace consulate::gossip {

// The keys in `path`, primary first. NotFound when the file is missing; InvalidArgument when it
// is not a JSON list of base64 strings, or lists no key (Consul: "no keys present in keyring
// file").
Result<std::vector<std::string>> ReadKeyringFile(const std::string& path);

// Replaces `path` (write to a temporary file, fsync, rename) with `keys`, mode 0600: key data is
// sensitive.
Status WriteKeyringFile(const std::string& path, const std::vector<std::string>& keys);

}  // namespace consulate::gossip
