// memberlist's payload encryption (security.go) and keyring (keyring.go).
//
// An encrypted payload is: version byte, 12-byte random nonce, AES-GCM ciphertext, 16-byte tag.
//   version 0: the plaintext is PKCS7-padded to a 16-byte multiple before sealing (protocol 1).
//   version 1: no padding. Every protocol >= 2 peer (all of serf 0.9 / Consul) sends version 1,
//              and accepts both.
// The key is 16, 24 or 32 bytes (AES-128/192/256). UDP packets are sealed with no additional
// data; a TCP stream seals its whole message with the 5-byte frame header (encryptMsg type byte
// plus big-endian length) as additional data (see packet.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace consulate::gossip {

inline constexpr size_t kEncryptNonceSize = 12;
inline constexpr size_t kEncryptTagSize = 16;

// Bytes EncryptPayload appends for a message of `plaintext_size` bytes (Go's encryptedLength).
size_t EncryptedLength(int version, size_t plaintext_size);

// Fills `out` with `n` random bytes; tests substitute a fixed source to get fixed ciphertexts.
using NonceSource = std::function<void(uint8_t* out, size_t n)>;
// The default: OpenSSL's RAND_bytes.
void RandomNonce(uint8_t* out, size_t n);

// REQUIRES: version is 0 or 1. InvalidArgument for a key of the wrong size.
Status EncryptPayload(int version, std::string_view key, std::string_view plaintext,
                      std::string_view additional_data, std::string* dst,
                      const NonceSource& nonce = RandomNonce);

// Tries each key in order (primary first, as memberlist does). Corruption when the payload is
// malformed or no key opens it ("No installed keys could decrypt the message").
Result<std::string> DecryptPayload(const std::vector<std::string>& keys, std::string_view payload,
                                   std::string_view additional_data);

// The keys a member holds. keys()[0] is the primary: it encrypts; all keys are tried to decrypt.
// Not thread-safe: the owner serializes access.
class Keyring {
 public:
  Keyring() = default;
  // An empty ring (encryption off) when both are empty; otherwise the primary is first and
  // `others` follow, duplicates dropped. InvalidArgument for a bad key size or a missing primary.
  static Result<Keyring> Create(const std::vector<std::string>& others, std::string_view primary);

  // InvalidArgument unless 16, 24 or 32 bytes.
  static Status ValidateKey(std::string_view key);

  bool enabled() const { return !keys_.empty(); }
  const std::vector<std::string>& keys() const { return keys_; }
  // REQUIRES: enabled()
  const std::string& primary() const { return keys_.front(); }

  // Installs a key for decryption (no-op if present). The first key added becomes primary.
  Status AddKey(std::string_view key);
  // Makes an installed key primary. NotFound if absent.
  Status UseKey(std::string_view key);
  // Removes a non-primary key. InvalidArgument for the primary; removing an absent key is OK,
  // as in memberlist.
  Status RemoveKey(std::string_view key);

 private:
  std::vector<std::string> keys_;
};

}  // namespace consulate::gossip
