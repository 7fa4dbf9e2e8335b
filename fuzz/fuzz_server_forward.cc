// The bodies servers forward to each other (server/forward_codec.h): decoding arbitrary bytes
// must never crash or over-allocate; whatever decodes must encode again without trouble.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/forward_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  consulate::fsm::ApplyResult r;
  if (consulate::server::DecodeApplyResult(in, &r).ok()) {
    consulate::fsm::ApplyResult again;
    if (!consulate::server::DecodeApplyResult(consulate::server::EncodeApplyResult(r), &again).ok())
      std::abort();
  }
  (void)consulate::server::DecodeStatus(in);
  return 0;
}
