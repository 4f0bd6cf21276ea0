// store/aead runs libcrypto's code; libsodium, whose constructions strata-store(5) names, is the oracle:
// each side must open what the other sealed, byte for byte the same.
#include "store/aead.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace strata {
namespace {

using aead::Algorithm;

std::string Random(size_t n) {
  std::string s(n, '\0');
  randombytes_buf(s.data(), n);
  return s;
}

const unsigned char* U(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* U(std::string* s) { return reinterpret_cast<unsigned char*>(s->data()); }

struct Case {
  Algorithm algorithm;
  size_t nonce_size;
};

class AeadTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    if (GetParam().algorithm == Algorithm::kAes256Gcm && crypto_aead_aes256gcm_is_available() != 1) {
      GTEST_SKIP() << "libsodium's AES-256-GCM, the oracle, needs AES instructions";
    }
  }

  // libsodium's detached seal of the same inputs.
  static void SodiumEncrypt(const std::string& key, const std::string& nonce, const std::string& ad,
                            const std::string& m, std::string* c, std::string* tag) {
    c->resize(m.size());
    tag->resize(aead::kTagSize);
    if (GetParam().algorithm == Algorithm::kAes256Gcm) {
      crypto_aead_aes256gcm_encrypt_detached(U(c), U(tag), nullptr, U(m), m.size(), U(ad), ad.size(), nullptr,
                                             U(nonce), U(key));
    } else {
      crypto_aead_xchacha20poly1305_ietf_encrypt_detached(U(c), U(tag), nullptr, U(m), m.size(), U(ad),
                                                          ad.size(), nullptr, U(nonce), U(key));
    }
  }
};

// Sizes around the ciphers' block and vector widths and the frame sizes strata writes.
const std::vector<size_t> kSizes = {0,   1,   15,  16,   17,   63,        64,    65,
                                    255, 256, 257, 1000, 4096, 32768 + 3, 131072};

TEST_P(AeadTest, SealsExactlyWhatLibsodiumSeals) {
  for (size_t n : kSizes) {
    for (size_t ad_size : {size_t{0}, size_t{40}, size_t{300}}) {
      const std::string key = Random(aead::kKeySize);
      const std::string nonce = Random(GetParam().nonce_size);
      const std::string ad = Random(ad_size);
      const std::string m = Random(n);
      std::string c(n, '\0');
      std::string tag(aead::kTagSize, '\0');
      aead::Encrypt(GetParam().algorithm, U(key), U(nonce), ad, m, U(&c), U(&tag));
      std::string want_c;
      std::string want_tag;
      SodiumEncrypt(key, nonce, ad, m, &want_c, &want_tag);
      EXPECT_EQ(c, want_c) << n << " bytes, ad " << ad_size;
      EXPECT_EQ(tag, want_tag) << n << " bytes, ad " << ad_size;
    }
  }
}

TEST_P(AeadTest, OpensWhatLibsodiumSealedAndRejectsAnyChange) {
  for (size_t n : kSizes) {
    const std::string key = Random(aead::kKeySize);
    const std::string nonce = Random(GetParam().nonce_size);
    const std::string ad = "object id and frame index";
    const std::string m = Random(n);
    std::string c;
    std::string tag;
    SodiumEncrypt(key, nonce, ad, m, &c, &tag);
    std::string out(n, '\0');
    ASSERT_TRUE(aead::Decrypt(GetParam().algorithm, U(key), U(nonce), ad, c, U(tag), U(&out))) << n;
    EXPECT_EQ(out, m) << n;

    std::string bad_tag = tag;
    bad_tag[n % aead::kTagSize] ^= 1;
    EXPECT_FALSE(aead::Decrypt(GetParam().algorithm, U(key), U(nonce), ad, c, U(bad_tag), U(&out))) << n;
    if (n > 0) {
      std::string bad_c = c;
      bad_c[n / 2] ^= 0x80;
      EXPECT_FALSE(aead::Decrypt(GetParam().algorithm, U(key), U(nonce), ad, bad_c, U(tag), U(&out))) << n;
    }
    std::string bad_nonce = nonce;
    bad_nonce.back() ^= 1;  // the part of an XChaCha nonce that is not hashed into the subkey
    EXPECT_FALSE(aead::Decrypt(GetParam().algorithm, U(key), U(bad_nonce), ad, c, U(tag), U(&out))) << n;
    bad_nonce = nonce;
    bad_nonce.front() ^= 1;
    EXPECT_FALSE(aead::Decrypt(GetParam().algorithm, U(key), U(bad_nonce), ad, c, U(tag), U(&out))) << n;
    EXPECT_FALSE(aead::Decrypt(GetParam().algorithm, U(key), U(nonce), "another frame", c, U(tag), U(&out)))
        << n;
    std::string other_key = key;
    other_key[0] ^= 1;
    EXPECT_FALSE(aead::Decrypt(GetParam().algorithm, U(other_key), U(nonce), ad, c, U(tag), U(&out))) << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AeadTest,
                         ::testing::Values(Case{Algorithm::kXChaCha20Poly1305, aead::kXChaChaNonceSize},
                                           Case{Algorithm::kAes256Gcm, aead::kGcmNonceSize}),
                         [](const ::testing::TestParamInfo<Case>& test) {
                           return test.param.algorithm == Algorithm::kAes256Gcm ? std::string("Aes256Gcm")
                                                                                : std::string("XChaCha20");
                         });

}  // namespace
}  // namespace strata
