#include "cli/kv_impexp.h"

#include "base/base64.h"
#include "cli/flags.h"
#include "cli/go_json.h"

namespace consulate::cli {

namespace {

bool EqualFoldAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Status FieldTypeError(std::string_view what, std::string_view field, std::string_view type) {
  return Status::InvalidArgument("json: cannot unmarshal " + std::string(what) +
                                 " into Go struct field Entry." + std::string(field) + " of type " +
                                 std::string(type));
}

// Go decodes the whole document and reports the first type mismatch; we stop at it.
Status DecodeEntry(const GoJsonValue& v, KvExportEntry* entry) {
  using Kind = GoJsonValue::Kind;
  if (v.kind == Kind::kNull) return Status::OK();
  if (v.kind != Kind::kObject) {
    return Status::InvalidArgument(std::string("json: cannot unmarshal ") + v.KindName() +
                                   " into Go value of type impexp.Entry");
  }
  for (const auto& [name, field] : v.members) {
    if (EqualFoldAscii(name, "key") || EqualFoldAscii(name, "value")) {
      const char* json_name = EqualFoldAscii(name, "key") ? "key" : "value";
      if (field.kind == Kind::kNull) continue;
      if (field.kind != Kind::kString) return FieldTypeError(field.KindName(), json_name, "string");
      (json_name[0] == 'k' ? entry->key : entry->value) = field.text;
    } else if (EqualFoldAscii(name, "flags")) {
      if (field.kind == Kind::kNull) continue;
      if (field.kind != Kind::kNumber) return FieldTypeError(field.KindName(), "flags", "uint64");
      // Go parses the literal with ParseUint(s, 10, 64): no sign, fraction or exponent. (JSON
      // forbids leading zeros, so base-0 parsing of plain digits is base 10.)
      uint64_t flags = 0;
      bool all_digits =
          !field.text.empty() && field.text.find_first_not_of("0123456789") == std::string::npos;
      bool out_of_range = false;
      if (!all_digits || !ParseGoUint64(field.text, &flags, &out_of_range)) {
        return FieldTypeError("number " + field.text, "flags", "uint64");
      }
      entry->flags = flags;
    }
  }
  return Status::OK();
}

}  // namespace

std::string EncodeKvExport(const std::vector<api::KVPair>& pairs) {
  if (pairs.empty()) return "[]";
  std::string out = "[\n";
  for (size_t i = 0; i < pairs.size(); ++i) {
    const api::KVPair& pair = pairs[i];
    out += "\t{\n";
    out += "\t\t\"key\": " + GoJsonQuote(pair.key) + ",\n";
    out += "\t\t\"flags\": " + std::to_string(pair.flags) + ",\n";
    out += "\t\t\"value\": " + GoJsonQuote(Base64Encode(pair.value)) + "\n";
    out += i + 1 < pairs.size() ? "\t},\n" : "\t}\n";
  }
  return out + "]";
}

Result<std::vector<KvExportEntry>> DecodeKvImport(std::string_view json) {
  CONSULATE_ASSIGN_OR_RETURN(GoJsonValue root, ParseGoJson(json));
  std::vector<KvExportEntry> entries;
  if (root.kind == GoJsonValue::Kind::kNull) return entries;
  if (root.kind != GoJsonValue::Kind::kArray) {
    return Status::InvalidArgument(std::string("json: cannot unmarshal ") + root.KindName() +
                                   " into Go value of type []*impexp.Entry");
  }
  for (const GoJsonValue& item : root.items) {
    KvExportEntry entry;
    CONSULATE_RETURN_IF_ERROR(DecodeEntry(item, &entry));
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace consulate::cli
