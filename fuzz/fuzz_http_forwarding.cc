// Forwarded HTTP requests and responses between a client agent and a server (http/forwarding.h):
// any bytes decode to a value or an error, never a crash; what decodes encodes again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/forwarding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  consulate::http::Request req;
  if (consulate::http::DecodeForwardedRequest(in, &req).ok()) {
    consulate::http::Request again;
    if (!consulate::http::DecodeForwardedRequest(consulate::http::EncodeForwardedRequest(req),
                                                 &again)
             .ok())
      std::abort();
  }
  consulate::http::Response resp;
  (void)consulate::http::DecodeForwardedResponse(in, &resp);
  return 0;
}
