#include "store/store_cipher.h"

#include <sodium.h>

#include "store/aead.h"
#include "store/format.h"
#include "store/hash.h"

namespace strata {
namespace {

static_assert(format::kAeadNonceSize == aead::kXChaChaNonceSize);
static_assert(format::kAeadTagSize == aead::kTagSize);
static_assert(format::kKeySize == aead::kKeySize);

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

void Seal(const SecretBytes& key, std::string_view ad, std::string_view plaintext, std::string* out) {
  const size_t start = out->size();
  out->resize(start + format::kAeadNonceSize + plaintext.size() + format::kAeadTagSize);
  auto* nonce = reinterpret_cast<unsigned char*>(out->data() + start);
  randombytes_buf(nonce, format::kAeadNonceSize);
  unsigned char* cipher = nonce + format::kAeadNonceSize;
  aead::Encrypt(aead::Algorithm::kXChaCha20Poly1305, key.data(), nonce, ad, plaintext, cipher,
                cipher + plaintext.size());
}

bool Open(const SecretBytes& key, std::string_view ad, std::string_view sealed, std::string* out) {
  if (sealed.size() < format::kAeadNonceSize + format::kAeadTagSize) return false;
  const size_t n = sealed.size() - format::kAeadNonceSize - format::kAeadTagSize;
  out->resize(n);
  const unsigned char* nonce = Bytes(sealed);
  const std::string_view cipher = sealed.substr(format::kAeadNonceSize, n);
  return aead::Decrypt(aead::Algorithm::kXChaCha20Poly1305, key.data(), nonce, ad, cipher,
                       Bytes(sealed) + format::kAeadNonceSize + n,
                       reinterpret_cast<unsigned char*>(out->data()));
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
class AesValueKey {
 public:
  AesValueKey(const SecretBytes& cache_key, const unsigned char* salt) {
    crypto_generichash(key_, sizeof key_, salt, format::kAeadNonceSize, cache_key.data(), cache_key.size());
  }
  ~AesValueKey() { sodium_memzero(key_, sizeof key_); }
  AesValueKey(const AesValueKey&) = delete;
  AesValueKey& operator=(const AesValueKey&) = delete;
  const unsigned char* data() const { return key_; }

 private:
  unsigned char key_[aead::kKeySize];
};

constexpr unsigned char kZeroNonce[aead::kGcmNonceSize] = {};

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
  const AesValueKey k(cache_key_, salt);
  aead::Encrypt(aead::Algorithm::kAes256Gcm, k.data(), kZeroNonce, key, value, cipher, cipher + value.size());
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
  const AesValueKey k(cache_key_, salt);
  return aead::Decrypt(aead::Algorithm::kAes256Gcm, k.data(), kZeroNonce, key,
                       std::string_view(reinterpret_cast<const char*>(cipher), n), cipher + n,
                       reinterpret_cast<unsigned char*>(out->data()));
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
