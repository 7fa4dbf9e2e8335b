// LZW as Go's compress/lzw speaks it with Order=LSB and litWidth=8: the only compression
// memberlist knows (compressMsg, algorithm 0). Stock serf and Consul agents enable compression by
// default, so every TCP push/pull they send is compressed, and UDP packets are whenever that makes
// them smaller; we must read it, and we write it so our packets look like theirs.
//
// Stream format: codes packed least-significant-bit first, starting 9 bits wide and growing to at
// most 12. Code 256 is "clear" (reset the table and the width), 257 is "end of data". The writer
// starts every stream with a clear code, emits a clear again when the table fills (4095 codes),
// and ends with the final code, eof, and a partial byte if bits remain.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace consulate::gossip::lzw {

// Compresses `input`; byte-identical to Go's lzw.NewWriter(w, lzw.LSB, 8) output.
std::string Compress(std::string_view input);

// Decompresses a complete stream (one that ends with the eof code, as Go requires). Corruption
// for invalid codes or a missing eof; TooLarge once the output would pass max_output bytes, which
// bounds what a small hostile input (LZW can expand ~450x) can make us allocate.
Result<std::string> Decompress(std::string_view input, size_t max_output);

}  // namespace consulate::gossip::lzw
