// Frames of an encrypted store, checked against libsodium directly: the test derives the frame subkey
// itself from a known master key and opens frames with crypto_aead_xchacha20poly1305_ietf as
// strata-store(5) describes them, independently of frame_codec.cc and store_cipher.cc.
#include <gtest/gtest.h>
#include <sodium.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "store/cache_value.h"
#include "store/coding.h"
#include "store/format.h"
#include "store/frame_codec.h"
#include "store/hash.h"
#include "store/master_key.h"
#include "store/store_cipher.h"
#include "tests/testutil.h"

namespace strata {
namespace {

constexpr uint32_t kRaw = 4096;

Salt TestSalt(uint8_t seed) {
  Salt s;
  for (size_t i = 0; i < s.size(); i++) s[i] = static_cast<uint8_t>(seed + 29 * i);
  return s;
}

std::string Compressible(size_t n) {
  std::string s;
  while (s.size() < n) s += "an encrypted frame, compressed before it is sealed. ";
  s.resize(n);
  return s;
}

class EncryptedFrameTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitSodium();
    master_bytes_ = test::RandomBytes(format::kKeySize, 42);
    auto secret = SecretBytes::CopyOf(master_bytes_);
    ASSERT_TRUE(secret.ok());
    auto master = MasterKey::FromBytes(std::move(secret).value());
    ASSERT_TRUE(master.ok());
    auto cipher = StoreCipher::FromMasterKey(*master);
    ASSERT_TRUE(cipher.ok());
    cipher_ = std::move(cipher).value();
    codec_ = std::make_unique<FrameCodec>(3, cipher_.get());
  }

  // The frame subkey (id 1, context "strata01") computed here, not through MasterKey.
  std::string FrameKey() const {
    std::string key(crypto_kdf_KEYBYTES, '\0');
    crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(key.data()), key.size(), 1, "strata01",
                               reinterpret_cast<const unsigned char*>(master_bytes_.data()));
    return key;
  }

  // Opens a stored frame as the man page defines it; false if authentication fails.
  bool OpenByHand(const std::string& stored, const Salt& salt, uint32_t index, uint32_t raw_len,
                  std::string* body) const {
    std::string ad(reinterpret_cast<const char*>(salt.data()), salt.size());
    for (int i = 0; i < 4; i++) ad.push_back(static_cast<char>((index >> (8 * i)) & 0xff));
    for (int i = 0; i < 4; i++) ad.push_back(static_cast<char>((raw_len >> (8 * i)) & 0xff));
    ad.push_back(stored[0]);
    const std::string nonce = stored.substr(1, 24);
    const std::string cipher = stored.substr(25);  // ciphertext || tag
    body->assign(cipher.size() - 16, '\0');
    unsigned long long n = 0;
    const std::string key = FrameKey();
    return crypto_aead_xchacha20poly1305_ietf_decrypt(
               reinterpret_cast<unsigned char*>(body->data()), &n, nullptr,
               reinterpret_cast<const unsigned char*>(cipher.data()), cipher.size(),
               reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
               reinterpret_cast<const unsigned char*>(nonce.data()),
               reinterpret_cast<const unsigned char*>(key.data())) == 0;
  }

  std::string master_bytes_;
  std::unique_ptr<const StoreCipher> cipher_;
  std::unique_ptr<FrameCodec> codec_;
};

TEST_F(EncryptedFrameTest, CompressedFrameIsZstdThenXChaCha20Poly1305) {
  const Salt salt = TestSalt(1);
  const std::string raw = Compressible(kRaw);
  std::string stored;
  codec_->Encode(raw, salt, 5, &stored);
  EXPECT_EQ(stored[0], static_cast<char>(format::FrameEncoding::kZstd));
  EXPECT_LT(stored.size(), raw.size());
  EXPECT_EQ(stored.find("an encrypted frame"), std::string::npos);
  std::string body;
  ASSERT_TRUE(OpenByHand(stored, salt, 5, kRaw, &body));
  std::string inflated(kRaw, '\0');
  ASSERT_EQ(ZSTD_decompress(inflated.data(), inflated.size(), body.data(), body.size()), kRaw);
  EXPECT_EQ(inflated, raw);

  std::string decoded;
  ASSERT_TRUE(codec_->Decode(stored, salt, 5, kRaw, &decoded, "obj").ok());
  EXPECT_EQ(decoded, raw);
}

TEST_F(EncryptedFrameTest, RawFrameIsSealedWithARandomNonce) {
  const Salt salt = TestSalt(2);
  const std::string raw = test::RandomBytes(kRaw, 7);
  std::string a;
  std::string b;
  codec_->Encode(raw, salt, 0, &a);
  codec_->Encode(raw, salt, 0, &b);
  EXPECT_EQ(a.size(), raw.size() + format::kSealedFrameOverhead);
  EXPECT_EQ(a[0], static_cast<char>(format::FrameEncoding::kRaw));
  EXPECT_NE(a.substr(1, 24), b.substr(1, 24));  // fresh nonce, so equal frames do not look equal
  EXPECT_NE(a.substr(25), b.substr(25));
  std::string body;
  ASSERT_TRUE(OpenByHand(a, salt, 0, kRaw, &body));
  EXPECT_EQ(body, raw);
  std::string decoded;
  ASSERT_TRUE(codec_->Decode(b, salt, 0, kRaw, &decoded, "obj").ok());
  EXPECT_EQ(decoded, raw);
}

TEST_F(EncryptedFrameTest, ZeroFrameKeepsItsShortFormButIsAuthenticated) {
  const Salt salt = TestSalt(3);
  const std::string zeros(kRaw, '\0');
  std::string stored;
  codec_->Encode(zeros, salt, 2, &stored);
  ASSERT_EQ(stored.size(), format::kSealedFrameOverhead);
  EXPECT_EQ(stored[0], static_cast<char>(format::FrameEncoding::kZeros));
  std::string body;
  ASSERT_TRUE(OpenByHand(stored, salt, 2, kRaw, &body));
  EXPECT_TRUE(body.empty());
  EXPECT_TRUE(codec_->IsZeroFrame(stored, salt, 2, kRaw));
  EXPECT_FALSE(codec_->IsZeroFrame(stored, salt, 3, kRaw));         // moved
  EXPECT_FALSE(codec_->IsZeroFrame(stored, TestSalt(4), 2, kRaw));  // another object's
  std::string flipped = stored;
  flipped[30] ^= 1;
  EXPECT_FALSE(codec_->IsZeroFrame(flipped, salt, 2, kRaw));
  std::string out;
  EXPECT_TRUE(codec_->Decode(flipped, salt, 2, kRaw, &out, "obj").IsCorruption());
  ASSERT_TRUE(codec_->Decode(stored, salt, 2, kRaw, &out, "obj").ok());
  EXPECT_EQ(out, zeros);
}

TEST_F(EncryptedFrameTest, SwappedMovedTruncatedOrAlteredFramesFailAuthentication) {
  const Salt salt = TestSalt(5);
  const std::string raw = Compressible(kRaw);
  std::string stored;
  codec_->Encode(raw, salt, 1, &stored);
  std::string out;
  auto fails = [&](const std::string& s, const Salt& sa, uint32_t index, size_t len) {
    Status st = codec_->Decode(s, sa, index, len, &out, "object x");
    return st.IsCorruption() && st.message().find("object x: frame") != std::string::npos;
  };
  EXPECT_TRUE(fails(stored, salt, 0, kRaw));         // moved within its object
  EXPECT_TRUE(fails(stored, TestSalt(6), 1, kRaw));  // swapped into another object
  EXPECT_TRUE(fails(stored, salt, 1, kRaw - 1));     // read through an entry with another size
  EXPECT_TRUE(fails(stored.substr(0, stored.size() - 1), salt, 1, kRaw));  // truncated
  EXPECT_TRUE(fails(stored.substr(0, format::kSealedFrameOverhead - 1), salt, 1, kRaw));
  for (size_t at : {size_t{0}, size_t{1}, size_t{24}, size_t{30}, stored.size() - 1}) {
    std::string flipped = stored;
    flipped[at] ^= 0x04;
    EXPECT_TRUE(fails(flipped, salt, 1, kRaw)) << "byte " << at;
  }
  // A plain codec cannot read it, nor can a store with another master key.
  EXPECT_TRUE(FrameCodec(3).Decode(stored, salt, 1, kRaw, &out, "obj").IsCorruption());
  auto other_master = MasterKey::Generate();
  ASSERT_TRUE(other_master.ok());
  auto other = StoreCipher::FromMasterKey(*other_master);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(FrameCodec(3, other->get()).Decode(stored, salt, 1, kRaw, &out, "obj").IsCorruption());
  ASSERT_TRUE(codec_->Decode(stored, salt, 1, kRaw, &out, "obj").ok());
  EXPECT_EQ(out, raw);
}

TEST_F(EncryptedFrameTest, SealedFilesAreBoundToTheirKindAndName) {
  const std::string plain = "index file bytes";
  const std::string sealed = cipher_->SealFile(SealedFile::kIndex, "abc", plain);
  EXPECT_EQ(sealed.size(), plain.size() + format::kSealedFileOverhead);
  EXPECT_EQ(sealed.find(plain), std::string::npos);
  auto opened = cipher_->OpenFile(SealedFile::kIndex, "abc", sealed, "f");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plain);
  EXPECT_TRUE(cipher_->OpenFile(SealedFile::kIndex, "abd", sealed, "f").status().IsCorruption());
  EXPECT_TRUE(cipher_->OpenFile(SealedFile::kManifest, "abc", sealed, "f").status().IsCorruption());
  EXPECT_TRUE(cipher_->OpenFile(SealedFile::kIndex, "abc", sealed.substr(1), "f").status().IsCorruption());
  EXPECT_TRUE(cipher_->OpenFile(SealedFile::kIndex, "abc", "", "f").status().IsCorruption());
}

TEST_F(EncryptedFrameTest, KeyedHashUsesTheObjectIdSubkey) {
  std::string key(crypto_kdf_KEYBYTES, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(key.data()), key.size(), 2, "strata01",
                             reinterpret_cast<const unsigned char*>(master_bytes_.data()));
  std::string want(32, '\0');
  const std::string in = "some bytes";
  crypto_generichash(reinterpret_cast<unsigned char*>(want.data()), want.size(),
                     reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  EXPECT_EQ(std::string(cipher_->KeyedHash(in).View()), want);
  EXPECT_NE(std::string(cipher_->KeyedHash(in).View()), test::Blake2b256(in));
}

// A block-cache value opened by hand as strata-store(5), BLOCK CACHE, describes it: a form byte (2: AES-256-
// GCM where the CPU has AES instructions, else 1: XChaCha20-Poly1305), a salt, the payload length, then
// 4 KiB segments, each sealed under BLAKE2b(cache subkey; salt) with the segment index as nonce and the
// entry key and payload length as associated data.
TEST_F(EncryptedFrameTest, CacheValuesAreSealedAsDocumented) {
  std::string cache_key(crypto_kdf_KEYBYTES, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(cache_key.data()), cache_key.size(), 3,
                             "strata01", reinterpret_cast<const unsigned char*>(master_bytes_.data()));
  const std::string key = "entry key";
  const std::string value = Compressible(70000);  // 17 whole segments and a short one
  const size_t kSegment = 4096, kSegments = 18, kHead = 1 + 24 + 4;
  const std::string sealed = cipher_->SealCacheValue(key, value);
  ASSERT_EQ(sealed.size(), kHead + value.size() + kSegments * 16);
  EXPECT_EQ(sealed.find(value.substr(0, 64)), std::string::npos);
  const auto* salt = reinterpret_cast<const unsigned char*>(sealed.data() + 1);
  ASSERT_EQ(DecodeFixed32(sealed.data() + 25), value.size());
  unsigned char value_key[32];
  crypto_generichash(value_key, sizeof value_key, salt, 24,
                     reinterpret_cast<const unsigned char*>(cache_key.data()), cache_key.size());
  std::string ad = key;
  PutFixed32(&ad, static_cast<uint32_t>(value.size()));
  const bool aes = crypto_aead_aes256gcm_is_available() == 1;
  ASSERT_EQ(sealed[0], aes ? 2 : 1);
  std::string opened;
  for (uint32_t i = 0; i < kSegments; i++) {
    const size_t n = std::min(kSegment, value.size() - i * kSegment);
    const auto* body = reinterpret_cast<const unsigned char*>(sealed.data()) + kHead + i * (kSegment + 16);
    unsigned char nonce[24] = {};
    EncodeFixed32(reinterpret_cast<char*>(nonce), i);
    std::string segment(n, '\0');
    auto* out = reinterpret_cast<unsigned char*>(segment.data());
    const auto* a = reinterpret_cast<const unsigned char*>(ad.data());
    const int rc = aes ? crypto_aead_aes256gcm_decrypt_detached(out, nullptr, body, n, body + n, a, ad.size(),
                                                                nonce, value_key)
                       : crypto_aead_xchacha20poly1305_ietf_decrypt_detached(out, nullptr, body, n, body + n,
                                                                             a, ad.size(), nonce, value_key);
    ASSERT_EQ(rc, 0) << "segment " << i;
    opened += segment;
  }
  EXPECT_TRUE(opened == value);

  std::string back;
  ASSERT_EQ(cipher_->OpenCacheValue(key, sealed, 0, kCacheToEnd, &back), CacheRead::kOk);
  EXPECT_TRUE(back == value);
  // Any range, within a segment or across several, opens to the same bytes.
  for (auto [offset, n] : {std::pair<size_t, size_t>{0, 4096},
                           {16380, 10},
                           {20000, 40000},
                           {65536, 4464},
                           {69999, 1},
                           {70000, 0}}) {
    ASSERT_EQ(cipher_->OpenCacheValue(key, sealed, offset, n, &back), CacheRead::kOk) << offset;
    EXPECT_TRUE(back == value.substr(offset, n)) << offset;
  }
  EXPECT_EQ(cipher_->OpenCacheValue(key, sealed, 69999, 2, &back), CacheRead::kOutside);
  EXPECT_EQ(cipher_->OpenCacheValue(key, sealed, 70001, 0, &back), CacheRead::kOutside);
  // Each value has a salt of its own; another key, any flipped byte or a cut value does not open.
  EXPECT_NE(cipher_->SealCacheValue(key, value).substr(1, 24), sealed.substr(1, 24));
  EXPECT_EQ(cipher_->OpenCacheValue("other key", sealed, 0, kCacheToEnd, &back), CacheRead::kDamaged);
  for (size_t at :
       {size_t{0}, size_t{1}, size_t{25}, size_t{30}, kHead + 2 * (kSegment + 16) + 5, sealed.size() - 1}) {
    std::string bad = sealed;
    bad[at] = static_cast<char>(bad[at] ^ 0x40);
    EXPECT_EQ(cipher_->OpenCacheValue(key, bad, 0, kCacheToEnd, &back), CacheRead::kDamaged) << at;
  }
  // A range reads only its segments: damage to segment 2 fails a read of it, not one of segment 0.
  std::string bad = sealed;
  bad[kHead + 2 * (kSegment + 16) + 5] ^= 0x40;
  EXPECT_EQ(cipher_->OpenCacheValue(key, bad, 2 * kSegment, 4096, &back), CacheRead::kDamaged);
  ASSERT_EQ(cipher_->OpenCacheValue(key, bad, 0, 4096, &back), CacheRead::kOk);
  EXPECT_TRUE(back == value.substr(0, 4096));
  EXPECT_EQ(cipher_->OpenCacheValue(key, sealed.substr(0, sealed.size() - 1), 0, 4096, &back),
            CacheRead::kDamaged);
  EXPECT_EQ(cipher_->OpenCacheValue(key, sealed.substr(0, 40), 0, kCacheToEnd, &back), CacheRead::kDamaged);
  EXPECT_EQ(cipher_->OpenCacheValue(key, "", 0, kCacheToEnd, &back), CacheRead::kDamaged);
}

}  // namespace
}  // namespace strata
