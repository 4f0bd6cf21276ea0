#include "store/store_cipher.h"

#include <sodium.h>

#include <array>

#include "store/aead.h"
#include "store/cache_value.h"
#include "store/coding.h"
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
constexpr size_t kCacheHeadSize = 1 + format::kAeadNonceSize + 4;  // form, salt, payload length

// Every value is sealed under a key of its own, BLAKE2b(cache subkey; random salt), and segment i under
// the nonce i: a random nonce under one long-lived key would bound how many values a cache may ever
// write, and a key used for one value needs nothing more than distinct nonces within it.
class CacheValueKey {
 public:
  CacheValueKey(const SecretBytes& cache_key, std::string_view key, const unsigned char* salt,
                uint32_t size) {
    crypto_generichash(key_, sizeof key_, salt, format::kAeadNonceSize, cache_key.data(), cache_key.size());
    ad_.assign(key);
    PutFixed32(&ad_, size);
  }
  ~CacheValueKey() { sodium_memzero(key_, sizeof key_); }
  CacheValueKey(const CacheValueKey&) = delete;
  CacheValueKey& operator=(const CacheValueKey&) = delete;
  const unsigned char* data() const { return key_; }
  // The value's key and length: every segment is bound to both.
  std::string_view ad() const { return ad_; }
  static std::array<unsigned char, aead::kXChaChaNonceSize> Nonce(uint32_t index) {
    std::array<unsigned char, aead::kXChaChaNonceSize> nonce{};
    EncodeFixed32(reinterpret_cast<char*>(nonce.data()), index);
    return nonce;
  }

 private:
  unsigned char key_[aead::kKeySize];
  std::string ad_;
};

}  // namespace

// Cache values are read far more often than frames are written (every cached read opens one), so where
// the CPU has AES instructions they are sealed with AES-256-GCM, which opens faster than XChaCha20-Poly1305
// there (4 KiB: 1.3 vs 1.6 us, bench/RESULTS-crypto.md). Frames keep XChaCha20-Poly1305: the store is read
// on machines without them too.
std::string StoreCipher::SealCacheValue(std::string_view key, std::string_view value) const {
  std::string out(1 + format::kAeadNonceSize, '\0');
  const aead::Algorithm algorithm = aes_ ? aead::Algorithm::kAes256Gcm : aead::Algorithm::kXChaCha20Poly1305;
  out[0] = aes_ ? kCacheAesGcm : kCacheXChaCha;
  auto* salt = reinterpret_cast<unsigned char*>(out.data() + 1);
  randombytes_buf(salt, format::kAeadNonceSize);
  const CacheValueKey k(cache_key_, key, salt, static_cast<uint32_t>(value.size()));
  PutFixed32(&out, static_cast<uint32_t>(value.size()));
  AppendCacheSegments(
      value,
      [&](uint32_t index, std::string_view body, unsigned char* body_out, unsigned char* check_out) {
        aead::Encrypt(algorithm, k.data(), CacheValueKey::Nonce(index).data(), k.ad(), body, body_out,
                      check_out);
      },
      &out);
  return out;
}

CacheRead StoreCipher::OpenCacheValue(std::string_view key, std::string_view sealed, uint64_t offset,
                                      uint64_t n, std::string* out) const {
  if (sealed.size() < kCacheHeadSize) return CacheRead::kDamaged;
  // An AES value in a cache now used on a CPU without AES instructions is a miss, like a damaged one.
  aead::Algorithm algorithm;
  if (sealed[0] == kCacheXChaCha) {
    algorithm = aead::Algorithm::kXChaCha20Poly1305;
  } else if (sealed[0] == kCacheAesGcm && aes_) {
    algorithm = aead::Algorithm::kAes256Gcm;
  } else {
    return CacheRead::kDamaged;
  }
  const uint32_t size = DecodeFixed32(sealed.data() + 1 + format::kAeadNonceSize);
  const CacheValueKey k(cache_key_, key, Bytes(sealed) + 1, size);
  return OpenCacheSegments(
      sealed.substr(kCacheHeadSize), size, offset, n,
      [&](uint32_t index, std::string_view body, const unsigned char* tag, unsigned char* to) {
        return aead::Decrypt(algorithm, k.data(), CacheValueKey::Nonce(index).data(), k.ad(), body, tag, to);
      },
      out);
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
