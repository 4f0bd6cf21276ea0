#include "store/store_key.h"

#include <sodium.h>

#include <utility>

namespace strata {

static_assert(format::kAeadNonceSize == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(format::kAeadTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(format::kKeySize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(format::kKdfSaltSize == crypto_pwhash_SALTBYTES);
static_assert(format::kKdfArgon2id13 == crypto_pwhash_ALG_ARGON2ID13);

Result<MasterKey> CreateStoreKey(StoreHeader* header, const SecretBytes& password, const KdfParams& kdf) {
  STRATA_ASSIGN_OR_RETURN(MasterKey master, MasterKey::Generate());
  STRATA_RETURN_IF_ERROR(WrapStoreKey(header, master, password, kdf));
  return master;
}

Status WrapStoreKey(StoreHeader* header, const MasterKey& master, const SecretBytes& password,
                    const KdfParams& kdf) {
  if (password.empty()) return Status::InvalidArgument("the password is empty");
  STRATA_ASSIGN_OR_RETURN(SecretBytes kek, DeriveKek(password, kdf));
  KeySlot slot;
  slot.kdf = kdf;
  randombytes_buf(slot.nonce.data(), slot.nonce.size());
  StoreHeader wrapped = *header;
  wrapped.encryption = format::kEncryptionXChaCha20Argon2id;
  wrapped.key_slot = slot;
  const std::string ad = wrapped.WrapAssociatedData();
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      wrapped.key_slot.wrapped.data(), nullptr, master.bytes().data(), master.bytes().size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, slot.nonce.data(), kek.data());
  *header = wrapped;
  return Status::Ok();
}

Result<MasterKey> UnlockStoreKey(const StoreHeader& header, const SecretBytes& password,
                                 const std::string& what) {
  if (header.encryption != format::kEncryptionXChaCha20Argon2id) {
    return Status::FailedPrecondition(what + ": the store is not encrypted");
  }
  // No store has an empty password: wrapping refuses one.
  if (password.empty()) return Status::WrongPassword(what + ": wrong password");
  STRATA_ASSIGN_OR_RETURN(SecretBytes kek, DeriveKek(password, header.key_slot.kdf));
  STRATA_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Allocate(format::kKeySize));
  const std::string ad = header.WrapAssociatedData();
  const KeySlot& slot = header.key_slot;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          key.mutable_data(), nullptr, nullptr, slot.wrapped.data(), slot.wrapped.size(),
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), slot.nonce.data(), kek.data()) != 0) {
    return Status::WrongPassword(what + ": wrong password");
  }
  key.Seal();
  return MasterKey::FromBytes(std::move(key));
}

}  // namespace strata
