// Feeds arbitrary bytes to the HTTP request parser, whole and split at every chunk size the input's
// first byte picks: it must never crash, and a request it accepts must have been fully consumed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/json_writer.h"
#include "http/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = 1 + data[0] % 64;
  std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  consulate::http::ParserLimits limits;
  limits.max_header_bytes = 4096;
  limits.max_body_bytes = 1 << 16;
  consulate::http::RequestParser parser(limits);
  consulate::http::Request req;
  size_t offset = 0;  // start of the unconsumed input
  for (size_t have = std::min(step, all.size());; have = std::min(have + step, all.size())) {
    size_t consumed = 0;
    auto st = parser.Parse(all.substr(offset, have - offset), &req, &consumed);
    if (st == consulate::http::RequestParser::State::kError) break;
    if (st == consulate::http::RequestParser::State::kDone) {
      if (consumed == 0 || offset + consumed > have) __builtin_trap();
      offset += consumed;
      std::string escaped;
      consulate::http::JsonWriter::Escape(req.path, &escaped);
      if (offset >= all.size()) break;
      continue;
    }
    if (have == all.size()) break;
  }
  return 0;
}
