// Arbitrary bytes into the LZW decoder (bounded output); whatever decodes must survive a
// compress/decompress round trip. The input also goes through the compressor directly.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gossip/lzw.h"

using namespace consulate::gossip;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto out = lzw::Decompress(in, 1 << 20);
  if (out.ok()) {
    auto again = lzw::Decompress(lzw::Compress(*out), out->size());
    if (!again.ok() || *again != *out) abort();
  }
  auto round = lzw::Decompress(lzw::Compress(in), in.size());
  if (!round.ok() || *round != in) abort();
  return 0;
}
