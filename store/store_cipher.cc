#include "store/store_cipher.h"

#include <sodium.h>

#include "store/format.h"
#include "store/hash.h"

namespace strata {
namespace {

static_assert(format::kAeadNonceSize == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(format::kAeadTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(format::kKeySize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

void Seal(const SecretBytes& key, std::string_view ad, std::string_view plaintext, std::string* out) {
  const size_t start = out->size();
  out->resize(start + format::kAeadNonceSize + plaintext.size() + format::kAeadTagSize);
  auto* nonce = reinterpret_cast<unsigned char*>(out->data() + start);
  randombytes_buf(nonce, format::kAeadNonceSize);
  unsigned char* cipher = nonce + format::kAeadNonceSize;
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached(cipher, cipher + plaintext.size(), nullptr,
                                                      Bytes(plaintext), plaintext.size(), Bytes(ad),
                                                      ad.size(), nullptr, nonce, key.data());
}

bool Open(const SecretBytes& key, std::string_view ad, std::string_view sealed, std::string* out) {
  if (sealed.size() < format::kAeadNonceSize + format::kAeadTagSize) return false;
  const size_t n = sealed.size() - format::kAeadNonceSize - format::kAeadTagSize;
  out->resize(n);
  const unsigned char* nonce = Bytes(sealed);
  const unsigned char* cipher = nonce + format::kAeadNonceSize;
  return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(reinterpret_cast<unsigned char*>(out->data()),
                                                             nullptr, cipher, n, cipher + n, Bytes(ad),
                                                             ad.size(), nonce, key.data()) == 0;
}

// The associated data of a sealed file: its kind's label, a NUL, its name.
std::string FileAd(SealedFile kind, std::string_view name) {
  std::string ad;
  switch (kind) {
    case SealedFile::kIndex:
      ad = "index";
      break;
    case SealedFile::kManifest:
      ad = "manifest";
      break;
    case SealedFile::kPackTrailer:
      ad = "pack trailer";
      break;
    case SealedFile::kStreamEntry:
      ad = "stream entry";
      break;
  }
  ad.push_back('\0');
  ad.append(name);
  return ad;
}

}  // namespace

Result<std::unique_ptr<const StoreCipher>> StoreCipher::FromMasterKey(const MasterKey& master) {
  InitSodium();  // before asking for the CPU's features
  STRATA_ASSIGN_OR_RETURN(SecretBytes frame_key, master.Subkey(format::SubkeyId::kFrame));
  STRATA_ASSIGN_OR_RETURN(SecretBytes file_key, master.Subkey(format::SubkeyId::kFile));
  STRATA_ASSIGN_OR_RETURN(SecretBytes id_key, master.Subkey(format::SubkeyId::kObjectId));
  STRATA_ASSIGN_OR_RETURN(SecretBytes cache_key, master.Subkey(format::SubkeyId::kCache));
  return std::unique_ptr<const StoreCipher>(new StoreCipher(std::move(frame_key), std::move(file_key),
                                                            std::move(id_key), std::move(cache_key),
                                                            crypto_aead_aes256gcm_is_available() == 1));
}

namespace {

// Cache value algorithms (strata-store(5), BLOCK CACHE): the first byte of a sealed value.
constexpr char kCacheXChaCha = 1;
constexpr char kCacheAesGcm = 2;

// AES-256-GCM under a key of its own for every value, BLAKE2b(cache subkey; salt), with an all-zero
// nonce: a random 96-bit nonce under one long-lived key would bound how many values a cache may ever
// write, and a key used once needs no nonce at all.
struct AesValueKey {
  crypto_aead_aes256gcm_state state;
  AesValueKey(const SecretBytes& cache_key, const unsigned char* salt) {
    unsigned char key[crypto_aead_aes256gcm_KEYBYTES];
    crypto_generichash(key, sizeof key, salt, format::kAeadNonceSize, cache_key.data(), cache_key.size());
    crypto_aead_aes256gcm_beforenm(&state, key);
    sodium_memzero(key, sizeof key);
  }
  ~AesValueKey() { sodium_memzero(&state, sizeof state); }
  AesValueKey(const AesValueKey&) = delete;
  AesValueKey& operator=(const AesValueKey&) = delete;
};

constexpr unsigned char kZeroNonce[crypto_aead_aes256gcm_NPUBBYTES] = {};

}  // namespace

// Cache values are read far more often than frames are written (every cached read opens one), so where
// the CPU has AES instructions they are sealed with AES-256-GCM, several times faster than XChaCha20-
// Poly1305 there. Frames keep XChaCha20-Poly1305: the store is read on machines without them too.
std::string StoreCipher::SealCacheValue(std::string_view key, std::string_view value) const {
  std::string out;
  if (!aes_) {
    out.push_back(kCacheXChaCha);
    Seal(cache_key_, key, value, &out);
    return out;
  }
  out.resize(1 + format::kAeadNonceSize + value.size() + format::kAeadTagSize);
  out[0] = kCacheAesGcm;
  auto* salt = reinterpret_cast<unsigned char*>(out.data() + 1);
  randombytes_buf(salt, format::kAeadNonceSize);
  unsigned char* cipher = salt + format::kAeadNonceSize;
  AesValueKey k(cache_key_, salt);
  crypto_aead_aes256gcm_encrypt_detached_afternm(cipher, cipher + value.size(), nullptr, Bytes(value),
                                                 value.size(), Bytes(key), key.size(), nullptr, kZeroNonce,
                                                 &k.state);
  return out;
}

bool StoreCipher::OpenCacheValue(std::string_view key, std::string_view sealed, std::string* out) const {
  if (sealed.empty()) return false;
  const char algorithm = sealed[0];
  sealed.remove_prefix(1);
  if (algorithm == kCacheXChaCha) return Open(cache_key_, key, sealed, out);
  // An AES value in a cache now used on a CPU without AES instructions is a miss, like a damaged one.
  if (algorithm != kCacheAesGcm || !aes_ || sealed.size() < format::kAeadNonceSize + format::kAeadTagSize) {
    return false;
  }
  const size_t n = sealed.size() - format::kAeadNonceSize - format::kAeadTagSize;
  out->resize(n);
  const unsigned char* salt = Bytes(sealed);
  const unsigned char* cipher = salt + format::kAeadNonceSize;
  AesValueKey k(cache_key_, salt);
  return crypto_aead_aes256gcm_decrypt_detached_afternm(reinterpret_cast<unsigned char*>(out->data()),
                                                        nullptr, cipher, n, cipher + n, Bytes(key),
                                                        key.size(), kZeroNonce, &k.state) == 0;
}

void StoreCipher::SealFrame(std::string_view ad, std::string_view body, std::string* out) const {
  Seal(frame_key_, ad, body, out);
}

bool StoreCipher::OpenFrame(std::string_view ad, std::string_view sealed, std::string* out) const {
  return Open(frame_key_, ad, sealed, out);
}

std::string StoreCipher::SealFile(SealedFile kind, std::string_view name, std::string_view plaintext) const {
  std::string out;
  Seal(file_key_, FileAd(kind, name), plaintext, &out);
  return out;
}

Result<std::string> StoreCipher::OpenFile(SealedFile kind, std::string_view name, std::string_view sealed,
                                          const std::string& what) const {
  std::string out;
  if (!Open(file_key_, FileAd(kind, name), sealed, &out)) {
    return Status::Corruption(what + ": fails authentication (damaged, truncated or renamed)");
  }
  return out;
}

ObjectId StoreCipher::KeyedHash(std::string_view bytes) const { return HashBytes(bytes, id_key()); }

}  // namespace strata
