#include "store/aead.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

namespace strata::aead {
namespace {

static_assert(kKeySize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kXChaChaNonceSize == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kGcmNonceSize == crypto_aead_aes256gcm_NPUBBYTES);
static_assert(kKeySize == crypto_core_hchacha20_KEYBYTES);

// Fetched once: OpenSSL 3's EVP_chacha20_poly1305() and friends look the cipher up again on every init.
const EVP_CIPHER* Cipher(Algorithm algorithm) {
  static EVP_CIPHER* const chacha = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  static EVP_CIPHER* const gcm = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return algorithm == Algorithm::kAes256Gcm ? gcm : chacha;
}

// The key and 12-byte nonce the IETF construction runs under: XChaCha20's derived ones, wiped on exit.
class IetfParams {
 public:
  IetfParams(Algorithm algorithm, const unsigned char* key, const unsigned char* nonce) {
    if (algorithm == Algorithm::kAes256Gcm) {
      key_ = key;
      nonce_ = nonce;
      return;
    }
    crypto_core_hchacha20(subkey_, nonce, key, nullptr);
    std::memcpy(subnonce_ + 4, nonce + crypto_core_hchacha20_INPUTBYTES, 8);
  }
  ~IetfParams() { sodium_memzero(subkey_, sizeof subkey_); }
  IetfParams(const IetfParams&) = delete;
  IetfParams& operator=(const IetfParams&) = delete;
  const unsigned char* key() const { return key_; }
  const unsigned char* nonce() const { return nonce_; }

 private:
  unsigned char subkey_[kKeySize] = {};
  unsigned char subnonce_[kGcmNonceSize] = {};
  const unsigned char* key_ = subkey_;
  const unsigned char* nonce_ = subnonce_;
};

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }  // also wipes its key schedule
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// EVP takes int lengths: longer inputs go through in pieces.
bool Update(EVP_CIPHER_CTX* ctx, unsigned char* out, const unsigned char* in, size_t n) {
  while (n > 0) {
    const int piece = static_cast<int>(std::min<size_t>(n, INT_MAX / 2));
    int written = 0;
    if (EVP_CipherUpdate(ctx, out, &written, in, piece) != 1) return false;
    if (out != nullptr) out += written;
    in += piece;
    n -= static_cast<size_t>(piece);
  }
  return true;
}

Ctx Start(Algorithm algorithm, const unsigned char* key, const unsigned char* nonce, std::string_view ad,
          bool encrypt) {
  Ctx ctx(EVP_CIPHER_CTX_new());
  const IetfParams params(algorithm, key, nonce);
  const EVP_CIPHER* cipher = Cipher(algorithm);
  if (ctx == nullptr || cipher == nullptr ||
      EVP_CipherInit_ex2(ctx.get(), cipher, params.key(), params.nonce(), encrypt ? 1 : 0, nullptr) != 1 ||
      !Update(ctx.get(), nullptr, reinterpret_cast<const unsigned char*>(ad.data()), ad.size())) {
    return nullptr;
  }
  return ctx;
}

}  // namespace

void Encrypt(Algorithm algorithm, const unsigned char* key, const unsigned char* nonce, std::string_view ad,
             std::string_view plaintext, unsigned char* cipher, unsigned char* tag) {
  Ctx ctx = Start(algorithm, key, nonce, ad, true);
  int tail = 0;
  if (ctx != nullptr &&
      Update(ctx.get(), cipher, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size()) &&
      EVP_CipherFinal_ex(ctx.get(), cipher + plaintext.size(), &tail) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTagSize, tag) == 1) {
    return;
  }
  // libcrypto without the cipher (a restricted provider configuration) or out of memory: libsodium
  // computes the same bytes, more slowly.
  const auto* m = reinterpret_cast<const unsigned char*>(plaintext.data());
  const auto* a = reinterpret_cast<const unsigned char*>(ad.data());
  if (algorithm == Algorithm::kAes256Gcm) {
    crypto_aead_aes256gcm_encrypt_detached(cipher, tag, nullptr, m, plaintext.size(), a, ad.size(), nullptr,
                                           nonce, key);
  } else {
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(cipher, tag, nullptr, m, plaintext.size(), a,
                                                        ad.size(), nullptr, nonce, key);
  }
}

bool Decrypt(Algorithm algorithm, const unsigned char* key, const unsigned char* nonce, std::string_view ad,
             std::string_view cipher, const unsigned char* tag, unsigned char* plaintext) {
  const auto* c = reinterpret_cast<const unsigned char*>(cipher.data());
  Ctx ctx = Start(algorithm, key, nonce, ad, false);
  if (ctx != nullptr) {
    int tail = 0;
    return Update(ctx.get(), plaintext, c, cipher.size()) &&
           EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTagSize, const_cast<unsigned char*>(tag)) ==
               1 &&
           EVP_CipherFinal_ex(ctx.get(), plaintext + cipher.size(), &tail) == 1;
  }
  const auto* a = reinterpret_cast<const unsigned char*>(ad.data());
  if (algorithm == Algorithm::kAes256Gcm) {
    return crypto_aead_aes256gcm_decrypt_detached(plaintext, nullptr, c, cipher.size(), tag, a, ad.size(),
                                                  nonce, key) == 0;
  }
  return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(plaintext, nullptr, c, cipher.size(), tag, a,
                                                             ad.size(), nonce, key) == 0;
}

}  // namespace strata::aead
