// CRC-32 IEEE, LZW and AES-GCM/keyring: the byte-level codecs under memberlist's packets.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "gossip/crc32.h"
#include "gossip/crypto.h"
#include "gossip/lzw.h"

namespace consulate::gossip {
namespace {

std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    out.push_back(d[static_cast<uint8_t>(c) >> 4]);
    out.push_back(d[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

TEST(Crc32Test, KnownValues) {
  // The standard check value for CRC-32/ISO-HDLC (zlib's crc32, Go's ChecksumIEEE).
  EXPECT_EQ(Crc32Ieee("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32Ieee(""), 0u);
  EXPECT_EQ(Crc32Ieee("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  // Extending continues a checksum.
  EXPECT_EQ(Crc32Ieee("56789", Crc32Ieee("1234")), 0xCBF43926u);
}

TEST(LzwTest, KnownEncodings) {
  // Clear (256) then eof (257), 9 bits each, LSB first: Go's output for an empty write.
  // Expected values are Go 1.19's compress/lzw output (NewWriter(w, LSB, 8)).
  EXPECT_EQ(Hex(lzw::Compress("")), "000302");
  // "a": clear, 'a', eof.
  EXPECT_EQ(Hex(lzw::Compress("a")), "00c30404");
  // Repeats use table codes, including the code just being defined (KwKwK).
  EXPECT_EQ(Hex(lzw::Compress("abababababab")), "00c388114870a0c180");
  auto round = lzw::Decompress(lzw::Compress("a"), 100);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(*round, "a");
}

TEST(LzwTest, RoundTripsIncludingTableResets) {
  std::mt19937 rng(42);
  for (size_t size : {1u, 2u, 3u, 100u, 4096u, 70000u, 300000u}) {
    for (int alphabet : {2, 16, 256}) {
      std::string input(size, '\0');
      for (auto& c : input) c = static_cast<char>(rng() % alphabet);
      auto out = lzw::Decompress(lzw::Compress(input), size);
      ASSERT_TRUE(out.ok()) << size << " " << alphabet << " " << out.status().ToString();
      EXPECT_EQ(*out, input) << size << " " << alphabet;
    }
  }
  // A long run exercises the KwKwK case and fills the 4096-entry table several times over.
  std::string run(1 << 20, 'z');
  auto out = lzw::Decompress(lzw::Compress(run), run.size());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, run);
}

TEST(LzwTest, RejectsBadStreams) {
  std::string ok = lzw::Compress("hello hello hello");
  // Missing eof.
  EXPECT_TRUE(
      lzw::Decompress(std::string_view(ok).substr(0, ok.size() - 2), 1000).status().IsCorruption());
  // A code past the table: clear then code 300 (9 bits each, LSB first).
  uint32_t bits = 256 | (300u << 9);
  std::string bad = {static_cast<char>(bits), static_cast<char>(bits >> 8),
                     static_cast<char>(bits >> 16)};
  EXPECT_TRUE(lzw::Decompress(bad, 1000).status().IsCorruption());
  // Output limit.
  std::string run(10000, 'q');
  EXPECT_TRUE(lzw::Decompress(lzw::Compress(run), 9999).status().IsTooLarge());
  EXPECT_TRUE(lzw::Decompress("", 10).status().IsCorruption());
}

void FixedNonce(uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(0xa0 + i);
}

const std::string kKey =
    std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", 16);

TEST(CryptoTest, Version1KnownAnswer) {
  // AES-128-GCM, key 00..0f, nonce a0..ab, plaintext "hello", no AAD; computed independently with
  // Go's crypto/cipher (the code memberlist's encryptPayload calls).
  std::string sealed;
  ASSERT_TRUE(EncryptPayload(1, kKey, "hello", {}, &sealed, FixedNonce).ok());
  EXPECT_EQ(Hex(sealed),
            "01a0a1a2a3a4a5a6a7a8a9aaab"
            "c2e354d711"
            "2a284486d3b3eceef9d70adf5d9a38b1");
  EXPECT_EQ(sealed.size(), EncryptedLength(1, 5));
  auto plain = DecryptPayload({kKey}, sealed, {});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "hello");
}

TEST(CryptoTest, Version0PadsWithPkcs7) {
  for (size_t size : {0u, 1u, 15u, 16u, 17u, 100u}) {
    const std::string msg(size, 'm');
    std::string sealed;
    ASSERT_TRUE(EncryptPayload(0, kKey, msg, {}, &sealed, FixedNonce).ok());
    EXPECT_EQ(sealed[0], 0);
    EXPECT_EQ(sealed.size(), EncryptedLength(0, size));
    EXPECT_EQ((sealed.size() - 1 - kEncryptNonceSize - kEncryptTagSize) % 16, 0u);
    auto plain = DecryptPayload({kKey}, sealed, {});
    ASSERT_TRUE(plain.ok()) << size;
    EXPECT_EQ(*plain, msg);
  }
}

TEST(CryptoTest, AdditionalDataIsAuthenticated) {
  std::string sealed;
  ASSERT_TRUE(EncryptPayload(1, kKey, "state", "hdr", &sealed).ok());
  EXPECT_TRUE(DecryptPayload({kKey}, sealed, "hdr").ok());
  EXPECT_TRUE(DecryptPayload({kKey}, sealed, "hdX").status().IsCorruption());
  EXPECT_TRUE(DecryptPayload({kKey}, sealed, {}).status().IsCorruption());
}

TEST(CryptoTest, TriesEveryKeyAndRejectsTampering) {
  const std::string k2(24, 'k'), k3(32, 'K');
  std::string sealed;
  ASSERT_TRUE(EncryptPayload(1, k3, "secret", {}, &sealed).ok());
  auto plain = DecryptPayload({kKey, k2, k3}, sealed, {});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "secret");
  EXPECT_TRUE(DecryptPayload({kKey, k2}, sealed, {}).status().IsCorruption());
  std::string flipped = sealed;
  flipped[15] ^= 1;
  EXPECT_TRUE(DecryptPayload({k3}, flipped, {}).status().IsCorruption());
  // Malformed: empty, unknown version, too short.
  EXPECT_TRUE(DecryptPayload({k3}, "", {}).status().IsCorruption());
  std::string v2 = sealed;
  v2[0] = 2;
  EXPECT_TRUE(DecryptPayload({k3}, v2, {}).status().IsCorruption());
  EXPECT_TRUE(DecryptPayload({k3}, sealed.substr(0, 28), {}).status().IsCorruption());
  EXPECT_TRUE(EncryptPayload(1, "short", "x", {}, &sealed).IsInvalidArgument());
}

TEST(KeyringTest, PrimaryFirstAndMemberlistSemantics) {
  const std::string a(16, 'a'), b(16, 'b'), c(32, 'c');
  auto ring = Keyring::Create({b, a, c}, a);
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(ring->keys(), (std::vector<std::string>{a, b, c}));
  EXPECT_EQ(ring->primary(), a);
  ASSERT_TRUE(ring->UseKey(c).ok());
  EXPECT_EQ(ring->keys(), (std::vector<std::string>{c, a, b}));
  EXPECT_TRUE(ring->UseKey(std::string(16, 'z')).IsNotFound());
  EXPECT_TRUE(ring->RemoveKey(c).IsInvalidArgument());
  EXPECT_TRUE(ring->RemoveKey(a).ok());
  EXPECT_TRUE(ring->RemoveKey(a).ok());  // absent: no-op, as memberlist
  EXPECT_EQ(ring->keys(), (std::vector<std::string>{c, b}));
  EXPECT_TRUE(ring->AddKey("too short").IsInvalidArgument());
  EXPECT_TRUE(Keyring::Create({a}, "").status().IsInvalidArgument());
  auto empty = Keyring::Create({}, "");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->enabled());
}

}  // namespace
}  // namespace consulate::gossip
