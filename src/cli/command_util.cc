#include "cli/command_util.h"

#include <iterator>

#include "api/go_compat.h"

namespace consulate::cli {

Result<std::string> ReadDataArgument(const std::string& data, std::istream& in) {
  if (!data.empty() && data[0] == '@') {
    Result<std::string> content = api::ReadFileGoStyle(data.substr(1));
    if (!content.ok()) return Status::IOError("Failed to read file: " + content.status().message());
    return content;
  }
  if (data == "-") {
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Status::IOError("Failed to read stdin: read error");
    return content;
  }
  return data;
}

std::string GoFormatList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ' ';
    out += items[i];
  }
  return out + "]";
}

std::string_view StripLeadingSlash(std::string_view key) {
  if (!key.empty() && key.front() == '/') key.remove_prefix(1);
  return key;
}

}  // namespace consulate::cli
