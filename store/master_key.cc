#include "store/master_key.h"

#include <sodium.h>

#include <utility>

namespace strata {

static_assert(format::kKeySize == crypto_kdf_KEYBYTES);
static_assert(format::kSubkeyContext.size() == crypto_kdf_CONTEXTBYTES);

Result<MasterKey> MasterKey::Generate() {
  STRATA_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Allocate(format::kKeySize));
  crypto_kdf_keygen(key.mutable_data());
  key.Seal();
  return MasterKey(std::move(key));
}

Result<MasterKey> MasterKey::FromBytes(SecretBytes bytes) {
  if (bytes.size() != format::kKeySize) {
    return Status::InvalidArgument("a master key is " + std::to_string(format::kKeySize) + " bytes, not " +
                                   std::to_string(bytes.size()));
  }
  return MasterKey(std::move(bytes));
}

Result<SecretBytes> MasterKey::Subkey(format::SubkeyId id) const {
  STRATA_ASSIGN_OR_RETURN(SecretBytes subkey, SecretBytes::Allocate(format::kKeySize));
  crypto_kdf_derive_from_key(subkey.mutable_data(), subkey.size(), static_cast<uint64_t>(id),
                             format::kSubkeyContext.data(), key_.data());
  subkey.Seal();
  return subkey;
}

}  // namespace strata
