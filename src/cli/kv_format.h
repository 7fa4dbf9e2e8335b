// Output formats of the kv commands.
#pragma once

#include <string>

#include "api/kv.h"

namespace consulate::cli {

// `kv get -detailed`: one "Name<pad>value" line per field (CreateIndex, Flags, Key, LockIndex,
// ModifyIndex, Session ("-" when none), Value), aligned like Go's tabwriter with padding 6. No
// trailing newline.
std::string FormatKVPairDetailed(const api::KVPair& pair, bool base64_value);

}  // namespace consulate::cli
