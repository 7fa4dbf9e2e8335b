#include "gossip/crypto.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

namespace consulate::gossip {

namespace {

constexpr size_t kBlockSize = 16;

const EVP_CIPHER* CipherFor(size_t key_size) {
  switch (key_size) {
    case 16:
      return EVP_aes_128_gcm();
    case 24:
      return EVP_aes_192_gcm();
    case 32:
      return EVP_aes_256_gcm();
    default:
      return nullptr;
  }
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// GCM open of `sealed` (ciphertext || tag). False when authentication fails.
bool Open(std::string_view key, std::string_view nonce, std::string_view sealed,
          std::string_view aad, std::string* plain) {
  const EVP_CIPHER* cipher = CipherFor(key.size());
  if (cipher == nullptr || sealed.size() < kEncryptTagSize) return false;
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return false;
  const size_t text_size = sealed.size() - kEncryptTagSize;
  plain->assign(text_size, '\0');
  int len = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain->data());
  if (EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                          nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(nonce)) != 1) {
    return false;
  }
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) {
    return false;
  }
  if (text_size > 0 &&
      EVP_DecryptUpdate(ctx.get(), out, &len, U(sealed), static_cast<int>(text_size)) != 1) {
    return false;
  }
  std::string tag(sealed.substr(text_size));
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kEncryptTagSize),
                          tag.data()) != 1) {
    return false;
  }
  unsigned char final_block[kBlockSize];
  return EVP_DecryptFinal_ex(ctx.get(), final_block, &len) == 1;
}

}  // namespace

size_t EncryptedLength(int version, size_t plaintext_size) {
  if (version >= 1) return 1 + kEncryptNonceSize + plaintext_size + kEncryptTagSize;
  const size_t padding = kBlockSize - (plaintext_size % kBlockSize);
  return 1 + kEncryptNonceSize + plaintext_size + padding + kEncryptTagSize;
}

void RandomNonce(uint8_t* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    // RAND_bytes only fails when the OS entropy source is broken; reusing a GCM nonce would be
    // far worse than stopping.
    std::abort();
  }
}

Status EncryptPayload(int version, std::string_view key, std::string_view plaintext,
                      std::string_view additional_data, std::string* dst,
                      const NonceSource& nonce) {
  const EVP_CIPHER* cipher = CipherFor(key.size());
  if (cipher == nullptr) return Status::InvalidArgument("key size must be 16, 24 or 32 bytes");
  std::string padded;
  if (version == 0) {
    // PKCS7: always 1..16 bytes of value n.
    const size_t more = kBlockSize - (plaintext.size() % kBlockSize);
    padded.reserve(plaintext.size() + more);
    padded.append(plaintext);
    padded.append(more, static_cast<char>(more));
    plaintext = padded;
  }
  uint8_t iv[kEncryptNonceSize];
  nonce(iv, sizeof(iv));

  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status::Internal("EVP_CIPHER_CTX_new failed");
  const size_t start = dst->size();
  dst->push_back(static_cast<char>(version));
  dst->append(reinterpret_cast<const char*>(iv), sizeof(iv));
  const size_t text_at = dst->size();
  dst->resize(text_at + plaintext.size() + kEncryptTagSize);
  auto* out = reinterpret_cast<unsigned char*>(dst->data() + text_at);
  int len = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, sizeof(iv), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, U(key), iv) == 1;
  if (ok && !additional_data.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(additional_data),
                           static_cast<int>(additional_data.size())) == 1;
  }
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), out, &len, U(plaintext),
                           static_cast<int>(plaintext.size())) == 1;
  }
  unsigned char final_block[kBlockSize];
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), final_block, &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kEncryptTagSize,
                           out + plaintext.size()) == 1;
  if (!ok) {
    dst->resize(start);
    return Status::Internal("AES-GCM encryption failed");
  }
  return Status::OK();
}

Result<std::string> DecryptPayload(const std::vector<std::string>& keys, std::string_view payload,
                                   std::string_view additional_data) {
  if (payload.empty()) return Status::Corruption("Cannot decrypt empty payload");
  const int version = static_cast<uint8_t>(payload[0]);
  if (version > 1)
    return Status::Corruption(fmt::format("Unsupported encryption version {}", version));
  if (payload.size() < EncryptedLength(version, 0)) {
    return Status::Corruption(fmt::format("Payload is too small to decrypt: {}", payload.size()));
  }
  const std::string_view nonce = payload.substr(1, kEncryptNonceSize);
  const std::string_view sealed = payload.substr(1 + kEncryptNonceSize);
  std::string plain;
  for (const auto& key : keys) {
    if (!Open(key, nonce, sealed, additional_data, &plain)) continue;
    if (version == 0) {
      // Go's pkcs7decode trusts the last byte; we check it so a bad pad cannot underflow.
      const size_t pad = plain.empty() ? 0 : static_cast<uint8_t>(plain.back());
      if (pad == 0 || pad > plain.size()) return Status::Corruption("bad PKCS7 padding");
      plain.resize(plain.size() - pad);
    }
    return plain;
  }
  return Status::Corruption("No installed keys could decrypt the message");
}

// ----- Keyring -----

Status Keyring::ValidateKey(std::string_view key) {
  if (CipherFor(key.size()) == nullptr)
    return Status::InvalidArgument("key size must be 16, 24 or 32 bytes");
  return Status::OK();
}

Result<Keyring> Keyring::Create(const std::vector<std::string>& others, std::string_view primary) {
  Keyring ring;
  if (others.empty() && primary.empty()) return ring;
  if (primary.empty()) return Status::InvalidArgument("Empty primary key not allowed");
  CONSULATE_RETURN_IF_ERROR(ring.AddKey(primary));
  for (const auto& k : others) CONSULATE_RETURN_IF_ERROR(ring.AddKey(k));
  return ring;
}

Status Keyring::AddKey(std::string_view key) {
  CONSULATE_RETURN_IF_ERROR(ValidateKey(key));
  if (std::find(keys_.begin(), keys_.end(), key) != keys_.end()) return Status::OK();
  keys_.emplace_back(key);
  return Status::OK();
}

Status Keyring::UseKey(std::string_view key) {
  auto it = std::find(keys_.begin(), keys_.end(), key);
  if (it == keys_.end()) return Status::NotFound("Requested key is not in the keyring");
  std::rotate(keys_.begin(), it, it + 1);
  return Status::OK();
}

Status Keyring::RemoveKey(std::string_view key) {
  if (!keys_.empty() && keys_.front() == key)
    return Status::InvalidArgument("Removing the primary key is not allowed");
  auto it = std::find(keys_.begin(), keys_.end(), key);
  if (it != keys_.end()) keys_.erase(it);
  return Status::OK();
}

}  // namespace consulate::gossip
