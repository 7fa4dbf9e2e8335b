#include "cli/kv_format.h"

#include "base/base64.h"
#include "cli/text.h"

namespace consulate::cli {

std::string FormatKVPairDetailed(const api::KVPair& pair, bool base64_value) {
  std::string table;
  table += "CreateIndex\t" + std::to_string(pair.create_index) + "\n";
  table += "Flags\t" + std::to_string(pair.flags) + "\n";
  table += "Key\t" + pair.key + "\n";
  table += "LockIndex\t" + std::to_string(pair.lock_index) + "\n";
  table += "ModifyIndex\t" + std::to_string(pair.modify_index) + "\n";
  table += "Session\t" + (pair.session.empty() ? std::string("-") : pair.session) + "\n";
  table += "Value\t" + (base64_value ? Base64Encode(pair.value) : pair.value);
  return TabFormat(table, /*min_width=*/0, /*padding=*/6);
}

}  // namespace consulate::cli
