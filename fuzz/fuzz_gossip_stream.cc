// Arbitrary bytes as what a TCP peer sent: ReadStreamMessage on every prefix length class, then
// the push/pull and user-message decoders and serf's push/pull state.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gossip/packet.h"
#include "gossip/serf_messages.h"

using namespace consulate::gossip;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view buffer(reinterpret_cast<const char*>(data), size);
  static const Keyring ring = *Keyring::Create({}, std::string(16, '\x01'));
  for (const Keyring* keyring : {static_cast<const Keyring*>(nullptr), &ring}) {
    StreamReadOptions options;
    options.keyring = keyring;
    options.verify_incoming = false;
    options.max_bytes = 1 << 20;
    StreamMessage msg;
    size_t consumed = 0;
    if (!ReadStreamMessage(buffer, options, &msg, &consumed).ok() || consumed == 0) continue;
    if (consumed > buffer.size()) abort();
    if (msg.type == MessageType::kPushPull) {
      PushPull pp;
      if (DecodePushPull(msg.body, &pp).ok()) {
        PushPull again;
        const std::string encoded = EncodePushPull(pp);
        if (!DecodePushPull(std::string_view(encoded).substr(1), &again).ok() || !(again == pp))
          abort();
        serf::SerfPushPull spp;
        if (!pp.user_state.empty())
          (void)serf::DecodeSerfMessage(std::string_view(pp.user_state).substr(1), &spp);
      }
    } else if (msg.type == MessageType::kUser) {
      std::string payload;
      (void)DecodeUserStream(msg.body, &payload);
    }
  }
  return 0;
}
