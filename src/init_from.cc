#include "src/init_from.h"

#include "store/store_key.h"

namespace strata {

Status InitStoreFrom(Env* env, const std::string& path, const std::string& from,
                     const PasswordSource& from_password, const PasswordSource& password,
                     KdfStrength strength) {
  STRATA_ASSIGN_OR_RETURN(StoreHeader header, Store::ReadHeader(env, from));
  if (header.encryption == format::kEncryptionNone) return Store::Init(env, path, header.params);
  if (!from_password) {
    return Status::FailedPrecondition(from + ": the store is encrypted and no password was given for it");
  }
  if (!password) return Status::InvalidArgument("store " + path + ": an encrypted store needs a password");
  STRATA_ASSIGN_OR_RETURN(SecretBytes old_password, from_password());
  STRATA_ASSIGN_OR_RETURN(
      MasterKey master, UnlockStoreKey(header, old_password, from + "/" + std::string(format::kHeaderFile)));
  STRATA_ASSIGN_OR_RETURN(SecretBytes new_password, password());
  return Store::Init(env, path, header.params, &new_password, strength, &master);
}

}  // namespace strata
