// Arbitrary bytes into the msgpack reader. Whatever decodes must re-encode (Go-default forms) to
// bytes that decode again to the same canonical encoding: no crash, no unbounded allocation.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gossip/msgpack.h"

using namespace consulate::gossip::msgpack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    const std::string_view before = in;
    Value v;
    size_t skipped = 0;
    const bool skip_ok = SkipValue(in, &skipped).ok();
    if (!Decode(&in, &v).ok()) {
      if (skip_ok) abort();  // SkipValue and Decode must agree
      break;
    }
    if (!skip_ok || skipped != before.size() - in.size()) abort();
    std::string once;
    Writer w(&once);
    WriteValue(v, &w);
    std::string_view again_in = once;
    Value again;
    if (!Decode(&again_in, &again).ok() || !again_in.empty()) abort();
    std::string twice;
    Writer w2(&twice);
    WriteValue(again, &w2);
    if (once != twice) abort();
    // Exercise the Go-style conversions on whatever came out.
    uint32_t u32;
    int64_t i64;
    bool b;
    double d;
    std::string s;
    Bytes bytes;
    (void)Get(v, &u32, "f");
    (void)Get(v, &i64, "f");
    (void)Get(v, &b, "f");
    (void)Get(v, &d, "f");
    (void)Get(v, &s, "f");
    (void)Get(v, &bytes, "f");
  }
  return 0;
}
