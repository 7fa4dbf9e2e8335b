// The JSON document of `kv export` / `kv import`: an array of {"key", "flags", "value" (base64)}.
// Written exactly as Consul writes it (Go's json.MarshalIndent with tabs) and read with Go's rules
// and error texts, so exports move between Consul and Consulate in both directions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/kv.h"
#include "base/result.h"

namespace consulate::cli {

struct KvExportEntry {
  std::string key;
  uint64_t flags = 0;
  std::string value;  // base64, as in the document
};

// The export document for `pairs`, without a trailing newline ("[]" when empty).
std::string EncodeKvExport(const std::vector<api::KVPair>& pairs);

// Parses an import document. Field names match case-insensitively and unknown fields are ignored,
// as in Go; a null entry reads as an empty one. Errors are Go's, e.g.
//   invalid character 'g' looking for beginning of value
//   json: cannot unmarshal string into Go struct field Entry.flags of type uint64
Result<std::vector<KvExportEntry>> DecodeKvImport(std::string_view json);

}  // namespace consulate::cli
