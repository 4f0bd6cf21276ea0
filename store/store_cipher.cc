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
  }
  ad.push_back('\0');
  ad.append(name);
  return ad;
}

}  // namespace

Result<std::unique_ptr<const StoreCipher>> StoreCipher::FromMasterKey(const MasterKey& master) {
  STRATA_ASSIGN_OR_RETURN(SecretBytes frame_key, master.Subkey(format::SubkeyId::kFrame));
  STRATA_ASSIGN_OR_RETURN(SecretBytes file_key, master.Subkey(format::SubkeyId::kFile));
  STRATA_ASSIGN_OR_RETURN(SecretBytes id_key, master.Subkey(format::SubkeyId::kObjectId));
  STRATA_ASSIGN_OR_RETURN(SecretBytes cache_key, master.Subkey(format::SubkeyId::kCache));
  return std::unique_ptr<const StoreCipher>(
      new StoreCipher(std::move(frame_key), std::move(file_key), std::move(id_key), std::move(cache_key)));
}

std::string StoreCipher::SealCacheValue(std::string_view key, std::string_view value) const {
  std::string out;
  Seal(cache_key_, key, value, &out);
  return out;
}

bool StoreCipher::OpenCacheValue(std::string_view key, std::string_view sealed, std::string* out) const {
  return Open(cache_key_, key, sealed, out);
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
